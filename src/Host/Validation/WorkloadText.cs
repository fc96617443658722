namespace Phyr.Host.Validation;

/// <summary>A test program's command line as a case writes it: <c>PROGRAM ARGS (SECTION)</c>, the section naming which of its outputs (or backings) a figure is.</summary>
public static class WorkloadText
{
    /// <summary>The words before the parenthesis (the program first) and the section inside it, or null when there is none.</summary>
    public static (string[] Args, string? Section) Split(string workload)
    {
        var open = workload.IndexOf('(');
        var close = workload.IndexOf(')');
        if (open < 0 || close < open) return (workload.Split(' ', StringSplitOptions.RemoveEmptyEntries), null);
        return (workload[..open].Split(' ', StringSplitOptions.RemoveEmptyEntries), workload[(open + 1)..close].Trim());
    }

    /// <summary>A whole number of GB between 1 and 1024, or null.</summary>
    public static ulong? Gigabytes(string text) =>
        ulong.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var gb) && gb is >= 1 and <= 1024
            ? gb << 30
            : null;
}
