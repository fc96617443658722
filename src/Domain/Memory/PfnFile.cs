using System.Globalization;

namespace Phyr.Domain.Memory;

/// <summary>
/// Reads a pfn file: one decimal frame number per line, in virtual-address order, as dumped from
/// /proc/&lt;pid&gt;/pagemap. <c>#</c> starts a comment; blank lines are ignored.
/// </summary>
public static class PfnFile
{
    public static IReadOnlyList<ulong> Parse(TextReader reader, string sourceName)
    {
        var frames = new List<ulong>();
        var lineNo = 0;
        while (reader.ReadLine() is { } line)
        {
            lineNo++;
            var hash = line.IndexOf('#');
            var text = (hash >= 0 ? line[..hash] : line).Trim();
            if (text.Length == 0) continue;
            if (!ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var pfn))
                throw new LayoutException($"{sourceName}:{lineNo}",
                    $"'{Truncate(text)}' is not a frame number (one decimal number per line, # for comments)");
            frames.Add(pfn);
        }
        if (frames.Count == 0)
            throw new LayoutException(sourceName, "holds no frame numbers (the layout would be empty)");
        return frames;
    }

    public static IReadOnlyList<ulong> Read(string path)
    {
        if (Directory.Exists(path))
            throw new LayoutException(path, "is a directory, not a pfn file");
        if (!File.Exists(path))
            throw new LayoutException(path, "no such file");
        try
        {
            using var reader = new StreamReader(path);
            return Parse(reader, path);
        }
        catch (IOException e)
        {
            throw new LayoutException(path, $"cannot be read: {e.Message}");
        }
        catch (UnauthorizedAccessException e)
        {
            throw new LayoutException(path, $"cannot be read: {e.Message}");
        }
    }

    private static string Truncate(string s) => s.Length <= 40 ? s : s[..40] + "...";
}
