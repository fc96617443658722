namespace Phyr.Host.Cli;

public static class ExitCodes
{
    public const int Ok = 0;

    /// <summary>Something inside Phyr failed: a bug, reported with its stack trace.</summary>
    public const int InternalError = 1;

    /// <summary>Bad input: an argument, a file, a value out of range.</summary>
    public const int BadInput = 2;

    /// <summary>`phyr run calibration`: a simulated figure is off its published value by more than the tolerance.</summary>
    public const int OutOfTolerance = 3;
}
