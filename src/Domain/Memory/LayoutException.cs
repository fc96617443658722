namespace Phyr.Domain.Memory;

/// <summary>
/// Bad input describing a layout. <see cref="Field"/> names what was wrong (an option, a file and
/// line); <see cref="Problem"/> says what. The message is one line: "field: problem".
/// </summary>
public sealed class LayoutException(string field, string problem) : Config.InputException($"{field}: {problem}")
{
    public string Field { get; } = field;
    public string Problem { get; } = problem;
}
