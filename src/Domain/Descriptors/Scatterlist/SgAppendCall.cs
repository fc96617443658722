namespace Phyr.Domain.Descriptors.Scatterlist;

/// <summary>
/// One <c>sg_alloc_append_table_from_pages()</c> call as the table remembers it: its pages, its
/// max_segment (already page-aligned), and how many of its leading pages were merged into the
/// previous call's last entry. Kept so the table's entries can be replayed on demand.
/// </summary>
public sealed record SgAppendCall(PageSpan Pages, ulong MaxSegment, ulong MergedPages);
