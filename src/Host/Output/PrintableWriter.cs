using System.Text;

namespace Phyr.Host.Output;

/// <summary>
/// A writer for messages that may quote bad input: a control character (an escape sequence, a carriage return, a
/// backspace) is written as \uXXXX, so what a file or argument carried is shown, not acted on by the terminal. Line
/// breaks and tabs pass.
/// </summary>
public sealed class PrintableWriter(TextWriter inner) : TextWriter
{
    public override Encoding Encoding => inner.Encoding;

    public override void Write(char value)
    {
        if (char.IsControl(value) && value is not ('\n' or '\t')) inner.Write($"\\u{(int)value:x4}");
        else inner.Write(value);
    }

    public override void Write(string? value)
    {
        if (value is null) return;
        foreach (var c in value) Write(c);
    }

    public override void Flush() => inner.Flush();

    /// <summary>A one-line message: a line break a bad input carried shown as \u000a, like the other control characters.</summary>
    public static string OneLine(string message) => message.Replace("\n", "\\u000a", StringComparison.Ordinal);
}
