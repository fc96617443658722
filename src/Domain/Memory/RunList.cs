using System.Globalization;

namespace Phyr.Domain.Memory;

/// <summary>
/// Parses an inline layout: comma-separated frame numbers and inclusive ranges in virtual-address
/// order, e.g. <c>3-10</c>, <c>0,2,1</c>, <c>0-1,3-4</c>.
/// </summary>
public static class RunList
{
    public static IReadOnlyList<FrameRun> Parse(string text, string field = "runs")
    {
        if (string.IsNullOrWhiteSpace(text))
            throw new LayoutException(field, "is empty: give frame numbers or ranges, e.g. 3-10 or 0,2,1");
        var runs = new List<FrameRun>();
        foreach (var raw in text.Split(','))
        {
            var item = raw.Trim();
            if (item.Length == 0)
                throw new LayoutException(field, $"'{text}' has an empty item between commas");
            var dash = item.IndexOf('-');
            if (dash < 0)
            {
                runs.Add(new FrameRun(Number(item, field), 1));
                continue;
            }
            var first = Number(item[..dash].Trim(), field);
            var last = Number(item[(dash + 1)..].Trim(), field);
            if (last < first)
                throw new LayoutException(field, $"range '{item}' ends before it starts (write ranges low-high)");
            if (last - first == ulong.MaxValue)
                throw new LayoutException(field, $"range '{item}' is too large");
            runs.Add(new FrameRun(first, last - first + 1));
        }
        return runs;
    }

    private static ulong Number(string s, string field)
    {
        if (!ulong.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
            throw new LayoutException(field, $"'{s}' is not a frame number (expected a decimal number or a range like 3-10)");
        return n;
    }
}
