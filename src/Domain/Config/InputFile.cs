using System.Text;

namespace Phyr.Domain.Config;

/// <summary>
/// The one way Phyr reads a file a user names: bounded. A file is read as UTF-8 text as a stream — never asking its
/// length, which a device (/dev/zero) or a pipe does not have — and refused with one line, at the first byte past its
/// limit, when it is larger, holds a NUL (a binary file), has a line longer than the limit, is a directory, is missing
/// or cannot be read (a leading UTF-8 byte-order mark is dropped). Nothing past the limit is read, so no input can make Phyr read or hold more than the limit.
/// </summary>
public static class InputFile
{
    /// <summary>The whole text of <paramref name="path"/>, at most <paramref name="maxBytes"/> characters.</summary>
    public static string ReadText(string path, string what, long maxBytes, Func<string, InputException> error)
    {
        var text = new StringBuilder();
        foreach (var (_, line, newline) in Lines(path, what, maxBytes, int.MaxValue, error))
        {
            text.Append(line);
            if (newline) text.Append('\n');
        }
        return text.ToString();
    }

    /// <summary>
    /// The lines of <paramref name="path"/> with their numbers (from 1), at most <paramref name="maxBytes"/> characters in
    /// all and <paramref name="maxLine"/> on a line; the terminator (\n, \r\n) is not part of a line.
    /// </summary>
    public static IEnumerable<(int Number, string Text)> ReadLines(string path, string what, long maxBytes, int maxLine,
        Func<string, InputException> error) =>
        Lines(path, what, maxBytes, maxLine, error).Select(l => (l.Number, l.Text));

    private static IEnumerable<(int Number, string Text, bool Newline)> Lines(string path, string what, long maxBytes, int maxLine,
        Func<string, InputException> error)
    {
        using var reader = Open(path, what, error);
        var buffer = new char[64 * 1024];
        var line = new StringBuilder();
        long total = 0;
        var number = 1;
        while (true)
        {
            int n;
            try
            {
                n = reader.Read(buffer, 0, buffer.Length);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw error($"{path}: cannot be read: {e.Message}");
            }
            if (n == 0) break;
            for (var i = 0; i < n; i++)
            {
                var c = buffer[i];
                if (++total > maxBytes) throw error($"{path}: larger than {Units.ByteSize.Format((ulong)maxBytes)}: too large for a {what} file");
                if (total == 1 && c == '\uFEFF') continue; // a UTF-8 byte-order mark is not part of the text
                if (c == '\0') throw error($"{path}:{number}: holds a NUL byte: not a text {what} file");
                if (c == '\n')
                {
                    if (line.Length > 0 && line[^1] == '\r') line.Length--;
                    yield return (number++, line.ToString(), true);
                    line.Clear();
                    continue;
                }
                if (line.Length >= maxLine) throw error($"{path}:{number}: a line longer than {maxLine} characters: not a {what} file");
                line.Append(c);
            }
        }
        if (line.Length > 0) yield return (number, line.ToString(), false);
    }

    private static StreamReader Open(string path, string what, Func<string, InputException> error)
    {
        if (Directory.Exists(path)) throw error($"{path}: is a directory, not a {what} file");
        if (!File.Exists(path)) throw error($"{path}: no such {what} file");
        try
        {
            return new StreamReader(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, FileOptions.SequentialScan),
                new UTF8Encoding(false), detectEncodingFromByteOrderMarks: false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw error($"{path}: cannot be read: {e.Message}");
        }
    }
}
