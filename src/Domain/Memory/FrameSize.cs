namespace Phyr.Domain.Memory;

/// <summary>
/// The size of the physical frames a layout is made of: a base page (4 KiB), a PMD-mapped
/// huge page (2 MiB) or a PUD-mapped huge page (1 GiB), as on x86-64.
/// </summary>
public readonly record struct FrameSize
{
    public static readonly FrameSize Base = new(12);
    public static readonly FrameSize Pmd = new(21);
    public static readonly FrameSize Pud = new(30);

    private FrameSize(int shift) => Shift = shift;

    public int Shift { get; }
    public ulong Bytes => 1UL << Shift;

    /// <summary>Number of 4 KiB base pages in one frame.</summary>
    public ulong BasePages => 1UL << (Shift - Page.Shift);

    public static IReadOnlyList<FrameSize> All { get; } = [Base, Pmd, Pud];

    /// <summary>Parses 4K, 2M or 1G (also 4KiB, 2MiB, 1GiB; any case).</summary>
    public static bool TryParse(string? text, out FrameSize size)
    {
        size = Base;
        var t = text?.Trim().ToUpperInvariant().Replace("IB", "").Replace("B", "");
        switch (t)
        {
            case "4K": size = Base; return true;
            case "2M": size = Pmd; return true;
            case "1G": size = Pud; return true;
            default: return false;
        }
    }

    public override string ToString() => Shift switch
    {
        12 => "4K",
        21 => "2M",
        30 => "1G",
        _ => $"2^{Shift}",
    };
}
