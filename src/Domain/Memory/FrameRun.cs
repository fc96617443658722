namespace Phyr.Domain.Memory;

/// <summary><paramref name="Count"/> frames starting at frame number <paramref name="Start"/>, in one frame size.</summary>
public readonly record struct FrameRun(ulong Start, ulong Count)
{
    public ulong End => Start + Count;
}
