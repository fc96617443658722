namespace Phyr.Host.Service;

/// <summary>A setting of the service that cannot be used: the setting (or option) it came from and the problem. `phyr serve` prints it as one line, exit 2.</summary>
public sealed class SettingsException(string setting, string problem) : Exception($"{setting}: {problem}")
{
    public string Setting { get; } = setting;
    public string Problem { get; } = problem;
}
