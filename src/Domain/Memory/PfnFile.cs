using System.Globalization;

using Phyr.Domain.Config;

namespace Phyr.Domain.Memory;

/// <summary>
/// Reads a pfn file: one decimal frame number per line, in virtual-address order, as dumped from
/// /proc/&lt;pid&gt;/pagemap. <c>#</c> starts a comment; blank lines are ignored.
/// </summary>
public static class PfnFile
{
    public static IReadOnlyList<ulong> Parse(TextReader reader, string sourceName) => Parse(Lines(reader), sourceName);

    private static IEnumerable<(int Number, string Text)> Lines(TextReader reader)
    {
        var number = 0;
        while (reader.ReadLine() is { } line) yield return (++number, line);
    }

    private static IReadOnlyList<ulong> Parse(IEnumerable<(int Number, string Text)> lines, string sourceName)
    {
        var frames = new List<ulong>();
        foreach (var (lineNo, line) in lines)
        {
            var hash = line.IndexOf('#');
            var text = (hash >= 0 ? line[..hash] : line).Trim();
            if (text.Length == 0) continue;
            if (!ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var pfn))
                throw new LayoutException($"{sourceName}:{lineNo}",
                    $"'{Truncate(text)}' is not a frame number (one decimal number per line, # for comments)");
            if (pfn > MaxPfn)
                throw new LayoutException($"{sourceName}:{lineNo}",
                    $"frame {pfn} is beyond the {Page.PhysAddrBits}-bit physical address space (frame numbers must be below {MaxPfn + 1})");
            frames.Add(pfn);
        }
        if (frames.Count == 0)
            throw new LayoutException(sourceName, "holds no frame numbers (the layout would be empty)");
        return frames;
    }

    /// <summary>The largest 4 KiB frame number: its physical address must be inside the physical address space (as <see cref="PhysLayout"/> checks).</summary>
    public const ulong MaxPfn = (Page.PhysAddrLimit >> Page.Shift) - 1;

    /// <summary>The most a pfn file may hold: about 100 million frames (400 GiB of 4 KiB pages).</summary>
    public const long MaxFileBytes = 1L << 30;

    /// <summary>The longest line: a frame number and a comment.</summary>
    public const int MaxLine = 256;

    /// <summary>Reads the pfn file at <paramref name="path"/>, bounded (<see cref="InputFile"/>): every problem one line.</summary>
    public static IReadOnlyList<ulong> Read(string path) =>
        Parse(InputFile.ReadLines(path, "pfn", MaxFileBytes, MaxLine, problem => AsLayout(path, problem)), path);

    // InputFile's problems start with "path: " or "path:LINE: "; a LayoutException keeps that part as its field.
    private static LayoutException AsLayout(string path, string problem)
    {
        var end = problem.IndexOf(": ", Math.Min(path.Length, problem.Length), StringComparison.Ordinal);
        return end < 0 ? new LayoutException(path, problem) : new LayoutException(problem[..end], problem[(end + 2)..]);
    }

    /// <summary>
    /// A pfn file's text: <paramref name="header"/> as '#' comment lines (what was captured, where and when), then one
    /// frame number per line — what <see cref="Parse(TextReader, string)"/> reads back.
    /// </summary>
    public static string Format(IEnumerable<string> header, IEnumerable<ulong> frames)
    {
        var text = new System.Text.StringBuilder();
        foreach (var line in header) text.Append("# ").Append(line.ReplaceLineEndings(" ")).Append('\n');
        foreach (var pfn in frames) text.Append(pfn.ToString(CultureInfo.InvariantCulture)).Append('\n');
        return text.ToString();
    }

    private static string Truncate(string s) => s.Length <= 40 ? s : s[..40] + "...";
}
