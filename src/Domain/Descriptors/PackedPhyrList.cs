using System.Buffers.Binary;
using System.Collections.Immutable;
using System.Numerics;
using Phyr.Domain.Memory;

namespace Phyr.Domain.Descriptors;

/// <summary>
/// Gunthorpe's packed <c>phyr_list</c> from the thread: a header
/// <c>{ first_page_offset_bytes, total_length_bytes, min_alignment, list }</c> and a packed list of
/// variable-size entries whose interior pages are fully used; only the first and last page are sliced
/// by the header. Entry kinds, selected by bits 63:62 of the first 64-bit word (little-endian):
/// <list type="table">
/// <item><c>00</c> natural block, 8 bytes: bits 51:0 pfn, 56:52 order (order 0 = one 4 KiB pfn);</item>
/// <item><c>01</c> page run, 12 bytes: bits 51:0 pfn, then a u32 page count;</item>
/// <item><c>10</c> byte range, 16 bytes: bits 51:0 physical byte address, then a u64 length (sub-page
/// aligned interior ranges, never needed for page-granular buffers);</item>
/// <item><c>11</c> reserved.</item>
/// </list>
/// The encoder picks the smallest encoding per run: one natural block (8) when the run is one, else a
/// page run (12), since two or more blocks would take 16 or more.
/// </summary>
public sealed record PackedPhyrList(uint FirstPageOffset, ulong TotalLength, ulong MinAlignment,
    ImmutableArray<byte> List, long EntryCount) : Descriptor
{
    public const string FormatName = "phyr-list-packed";
    public const int BlockEntryBytes = 8, RunEntryBytes = 12, ByteRangeEntryBytes = 16;

    private const ulong AddrMask = (1UL << 52) - 1;
    private const int OrderShift = 52, ModeShift = 62;
    private const ulong ModeBlock = 0, ModeRun = 1, ModeBytes = 2;

    public override string Name => FormatName;
    public override long Entries => EntryCount;
    public override long Bytes => checked(DescriptorSizes.PhyrListHeader + List.Length);

    public override string Accounting
    {
        get
        {
            var kinds = Entry.Parse(List).GroupBy(e => e.Size).OrderBy(g => g.Key)
                .Select(g => $"{g.Count()} x {g.Key}");
            return $"phyr_list {DescriptorSizes.PhyrListHeader} + " + string.Join(" + ", kinds);
        }
    }

    /// <summary>One decoded entry: a whole-page range (modes 00, 01) or an exact byte range (10).</summary>
    public readonly record struct Entry(int Size, PhysRange Range)
    {
        public static IEnumerable<Entry> Parse(ImmutableArray<byte> list)
        {
            var pos = 0;
            while (pos < list.Length)
            {
                var span = list.AsSpan()[pos..];
                if (span.Length < 8) throw new FormatException($"packed phyr_list: truncated entry at byte {pos}");
                var word = BinaryPrimitives.ReadUInt64LittleEndian(span);
                var addr = word & AddrMask;
                switch (word >> ModeShift)
                {
                    case ModeBlock:
                        var order = (int)((word >> OrderShift) & 0x1F);
                        yield return new Entry(BlockEntryBytes, new PhysRange(addr << Page.Shift, Page.Size << order));
                        pos += BlockEntryBytes;
                        break;
                    case ModeRun:
                        if (span.Length < RunEntryBytes) throw new FormatException($"packed phyr_list: truncated run entry at byte {pos}");
                        var pages = BinaryPrimitives.ReadUInt32LittleEndian(span[8..]);
                        if (pages == 0) throw new FormatException($"packed phyr_list: empty run at byte {pos}");
                        yield return new Entry(RunEntryBytes, new PhysRange(addr << Page.Shift, (ulong)pages << Page.Shift));
                        pos += RunEntryBytes;
                        break;
                    case ModeBytes:
                        if (span.Length < ByteRangeEntryBytes) throw new FormatException($"packed phyr_list: truncated byte-range entry at byte {pos}");
                        yield return new Entry(ByteRangeEntryBytes, new PhysRange(addr, BinaryPrimitives.ReadUInt64LittleEndian(span[8..])));
                        pos += ByteRangeEntryBytes;
                        break;
                    default:
                        throw new FormatException($"packed phyr_list: reserved mode 11 at byte {pos}");
                }
            }
        }
    }

    public override IEnumerable<PhysRange> Decode() =>
        PhysRanges.Slice(Entry.Parse(List).Select(e => e.Range), FirstPageOffset, TotalLength);

    public static PackedPhyrList Build(IReadOnlyList<PhysRange> ranges)
    {
        var canonical = PhysRanges.Normalize(ranges);
        if (canonical.IsEmpty) throw new UnrepresentableException(FormatName, "the buffer is empty");
        var list = new List<byte>();
        long entries = 0;
        ulong alignBits = 0;
        uint firstOffset = 0;
        for (var i = 0; i < canonical.Length; i++)
        {
            var r = canonical[i];
            if (r.End > Page.PhysAddrLimit)
                throw new UnrepresentableException(FormatName, $"{r} is beyond the 52-bit physical address space");
            var pageStart = i == 0 || Page.IsAligned(r.Addr);
            var pageEnd = i == canonical.Length - 1 || Page.IsAligned(r.End);
            if (!pageStart || !pageEnd)
            {
                AddBytes(list, r);
                entries++;
                alignBits |= r.Addr | r.Len;
                continue;
            }
            if (i == 0) firstOffset = (uint)Page.OffsetIn(r.Addr);
            var pfn = r.Addr >> Page.Shift;
            var pages = (Page.AlignUp(r.End) >> Page.Shift) - pfn;
            for (ulong k = 0; k < pages; k += uint.MaxValue)
            {
                var n = Math.Min(uint.MaxValue, pages - k);
                AddPages(list, pfn + k, n);
                entries++;
                alignBits |= ((pfn + k) | n) << Page.Shift;
            }
        }
        var minAlignment = 1UL << Math.Min(Page.PhysAddrBits, BitOperations.TrailingZeroCount(alignBits));
        return new PackedPhyrList(firstOffset, PhysRanges.TotalBytes(canonical), minAlignment, [.. list], entries);
    }

    private static void AddPages(List<byte> list, ulong pfn, ulong pages)
    {
        Span<byte> buf = stackalloc byte[RunEntryBytes];
        if (BitOperations.IsPow2(pages) && BitOperations.TrailingZeroCount(pages) <= NaturalBlock.MaxOrder &&
            (pfn & (pages - 1)) == 0)
        {
            var order = (ulong)BitOperations.TrailingZeroCount(pages);
            BinaryPrimitives.WriteUInt64LittleEndian(buf, pfn | order << OrderShift | ModeBlock << ModeShift);
            list.AddRange(buf[..BlockEntryBytes]);
            return;
        }
        BinaryPrimitives.WriteUInt64LittleEndian(buf, pfn | ModeRun << ModeShift);
        BinaryPrimitives.WriteUInt32LittleEndian(buf[8..], (uint)pages);
        list.AddRange(buf);
    }

    private static void AddBytes(List<byte> list, PhysRange r)
    {
        Span<byte> buf = stackalloc byte[ByteRangeEntryBytes];
        BinaryPrimitives.WriteUInt64LittleEndian(buf, r.Addr | ModeBytes << ModeShift);
        BinaryPrimitives.WriteUInt64LittleEndian(buf[8..], r.Len);
        list.AddRange(buf);
    }
}
