using System.Runtime.InteropServices;

namespace Phyr.Domain.Memory;

/// <summary>
/// <see cref="Count"/> frames starting at frame number <see cref="Start"/>, in one frame size. Held in 12 bytes (the count
/// in 32 bits, packed to 4-byte alignment): a terabyte's layout of 4 KiB frames is up to 2^28 of them.
/// </summary>
[StructLayout(LayoutKind.Sequential, Pack = 4)]
public readonly record struct FrameRun
{
    private readonly ulong _start;
    private readonly uint _count;

    public FrameRun(ulong Start, ulong Count)
    {
        _start = Start;
        _count = Narrow(Count);
    }

    public ulong Start
    {
        get => _start;
        init => _start = value;
    }

    public ulong Count
    {
        get => _count;
        init => _count = Narrow(value);
    }

    public ulong End => Start + Count;

    public void Deconstruct(out ulong Start, out ulong Count) => (Start, Count) = (this.Start, this.Count);

    private static uint Narrow(ulong count) =>
        count <= uint.MaxValue ? (uint)count : throw new ArgumentOutOfRangeException(nameof(Count), $"a run of {count} frames is more than 2^32");
}
