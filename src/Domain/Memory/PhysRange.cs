namespace Phyr.Domain.Memory;

/// <summary>
/// A physically contiguous byte range: exactly <c>struct phyr { phys_addr_t addr; size_t len; }</c>
/// of the thread. Every descriptor format decodes to a list of these.
/// </summary>
public readonly record struct PhysRange(ulong Addr, ulong Len)
{
    public ulong End => Addr + Len;

    public override string ToString() => $"[0x{Addr:x}, 0x{End:x})";
}
