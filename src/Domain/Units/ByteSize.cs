using System.Globalization;

namespace Phyr.Domain.Units;

/// <summary>Byte counts as people write them: 4096, 0x1000, 4K, 4KiB, 2M, 1G, 1T (binary units).</summary>
public static class ByteSize
{
    public static bool TryParse(string? text, out ulong bytes)
    {
        bytes = 0;
        if (string.IsNullOrWhiteSpace(text)) return false;
        var t = text.Trim();
        if (t.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
            return ulong.TryParse(t[2..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out bytes);

        var upper = t.ToUpperInvariant();
        if (upper.EndsWith("IB")) upper = upper[..^2];
        else if (upper.EndsWith('B')) upper = upper[..^1];
        var shift = upper.Length > 0 ? upper[^1] switch
        {
            'K' => 10,
            'M' => 20,
            'G' => 30,
            'T' => 40,
            _ => 0,
        } : 0;
        if (shift > 0) upper = upper[..^1];
        if (!ulong.TryParse(upper, NumberStyles.None, CultureInfo.InvariantCulture, out var n)) return false;
        if (shift > 0 && n > ulong.MaxValue >> shift) return false;
        bytes = n << shift;
        return true;
    }

    /// <summary>Human form: 65536 -> "64 KiB", 5000 -> "5000 B".</summary>
    public static string Format(ulong bytes)
    {
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
        var i = 0;
        var v = bytes;
        while (i < units.Length - 1 && v >= 1024 && v % 1024 == 0)
        {
            v /= 1024;
            i++;
        }
        return $"{v} {units[i]}";
    }
}
