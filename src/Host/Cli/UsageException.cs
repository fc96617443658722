namespace Phyr.Host.Cli;

/// <summary>Bad command-line input: printed as one line "phyr VERB: FIELD: PROBLEM", exit code 2.</summary>
public sealed class UsageException(string field, string problem) : Exception($"{field}: {problem}")
{
    public string Field { get; } = field;
    public string Problem { get; } = problem;
}
