using System.Globalization;
using Phyr.Domain.Memory;
using Phyr.Domain.Units;

namespace Phyr.Host.Cli;

/// <summary>Parses option values, failing with a <see cref="UsageException"/> that names the option.</summary>
public static class OptionValues
{
    public static ulong Bytes(string option, string text)
    {
        if (!ByteSize.TryParse(text, out var bytes))
            throw new UsageException(option, $"'{text}' is not a byte count (e.g. 4096, 0x1000, 4K, 2M, 1G)");
        return bytes;
    }

    public static ulong Count(string option, string text)
    {
        if (!ulong.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var n))
            throw new UsageException(option, $"'{text}' is not a non-negative whole number");
        return n;
    }

    public static FrameSize PageSize(string option, string text)
    {
        if (!FrameSize.TryParse(text, out var size))
            throw new UsageException(option, $"'{text}' is not a page size (use 4K, 2M or 1G)");
        return size;
    }

    /// <summary>A fraction in [0, 1], written 0.35 or 35%.</summary>
    public static double Fraction(string option, string text)
    {
        var t = text.Trim();
        var percent = t.EndsWith('%');
        if (percent) t = t[..^1];
        if (!double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) || double.IsNaN(v))
            throw new UsageException(option, $"'{text}' is not a number (e.g. 0.35 or 35%)");
        if (percent) v /= 100;
        if (v < 0 || v > 1)
            throw new UsageException(option, $"'{text}' is not between 0 and 1 (0% and 100%)");
        return v;
    }

    public static T OneOf<T>(string option, string text, IReadOnlyDictionary<string, T> choices)
    {
        if (choices.TryGetValue(text.Trim().ToLowerInvariant(), out var v)) return v;
        throw new UsageException(option, $"'{text}' is not one of {string.Join(", ", choices.Keys)}");
    }
}
