namespace Phyr.Domain.Memory;

/// <summary>x86-64 base-page geometry (arch/x86/include/asm/page_types.h).</summary>
public static class Page
{
    public const int Shift = 12;
    public const ulong Size = 1UL << Shift;
    public const ulong Mask = ~(Size - 1);

    /// <summary>MAXPHYADDR of x86-64 with 4/5-level paging: physical addresses are 52 bits.</summary>
    public const int PhysAddrBits = 52;
    public const ulong PhysAddrLimit = 1UL << PhysAddrBits;

    public static ulong AlignDown(ulong x) => x & Mask;
    public static ulong AlignUp(ulong x) => (x + Size - 1) & Mask;
    public static bool IsAligned(ulong x) => (x & (Size - 1)) == 0;
    public static ulong OffsetIn(ulong x) => x & (Size - 1);
}
