using System.Globalization;

namespace Phyr.Domain.Kernels;

/// <summary>A mainline kernel version, major.minor (what a kernel profile is named by).</summary>
public readonly record struct KernelVersion(int Major, int Minor) : IComparable<KernelVersion>
{
    public int CompareTo(KernelVersion other) => Major != other.Major ? Major.CompareTo(other.Major) : Minor.CompareTo(other.Minor);

    public static bool operator <=(KernelVersion a, KernelVersion b) => a.CompareTo(b) <= 0;
    public static bool operator >=(KernelVersion a, KernelVersion b) => a.CompareTo(b) >= 0;
    public static bool operator <(KernelVersion a, KernelVersion b) => a.CompareTo(b) < 0;
    public static bool operator >(KernelVersion a, KernelVersion b) => a.CompareTo(b) > 0;

    public override string ToString() => $"{Major}.{Minor}";

    /// <summary>"6.15" (a trailing ".N" stable number or "-rcN" is accepted and ignored); null when it is not a version.</summary>
    public static KernelVersion? TryParse(string text)
    {
        var t = text.Trim();
        var dash = t.IndexOf('-');
        if (dash >= 0) t = t[..dash];
        var parts = t.Split('.');
        if (parts.Length is < 2 or > 3) return null;
        foreach (var part in parts)
            if (part.Length is 0 or > 3 || !part.All(char.IsAsciiDigit)) return null;
        return new KernelVersion(int.Parse(parts[0], CultureInfo.InvariantCulture), int.Parse(parts[1], CultureInfo.InvariantCulture));
    }
}
