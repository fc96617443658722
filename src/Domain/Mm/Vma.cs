namespace Phyr.Domain.Mm;

/// <summary>A virtual memory area [Start, End) and its backing; bounds aligned to the backing's folio size.</summary>
public sealed record Vma(int Id, ulong Start, ulong End, Backing Backing)
{
    public ulong Length => End - Start;
    public bool Contains(ulong va) => va >= Start && va < End;
}
