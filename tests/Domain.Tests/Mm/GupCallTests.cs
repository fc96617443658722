using FsCheck;
using FsCheck.Fluent;
using Phyr.Domain.Memory;
using Phyr.Domain.Mm;

namespace Phyr.Domain.Tests.Mm;

public class GupCallTests
{
    /// <summary>A page array's ranges are its pages in canonical form (PhysRanges.Normalize), runs merged, order kept.</summary>
    [Fact]
    public void A_page_arrays_ranges_are_its_pages_normalized()
    {
        var pages = Gen.Choose(0, 40).Select(p => (ulong)p).ListOf();
        Prop.ForAll(pages.ToArbitrary(), list =>
        {
            var call = new GupCall(0, 0, [.. list], [], new GupAccounting());
            var expected = PhysRanges.Normalize(list.Select(p => new PhysRange(p << Page.Shift, Page.Size)));
            return call.Ranges().SequenceEqual(expected);
        }).QuickCheckThrowOnFailure();
        Assert.Equal([new PhysRange(0x5000, 0x2000), new PhysRange(0x1000, 0x1000)], new GupCall(0, 0, [5, 6, 1], [], new GupAccounting()).Ranges());
    }
}

/// <summary>
/// get_user_phyrs' locked walk takes the rest of a locked PTE table's run of following frames in one step: every call's
/// output, next address and accounting (locks, entries, atomics, lines) must be what the page-by-page walk gives. The
/// reference is the same mm with its folio lines tracked for sharing (which takes the page-by-page path) and one CPU
/// pinning, so every line is local either way.
/// </summary>
public class TableRunTests
{
    private const ulong Base = 1UL << 30;

    private static List<GupCall> Walk(double fragmentation, ulong seed, int batch, bool perVmaLock, bool pageByPage, bool prefault)
    {
        var frames = new FrameSource().With(FrameSize.Base, new FragmentationModel(fragmentation, seed).Generate(1 << 14));
        var mm = new AddressSpace(frames);
        mm.Map(Base, 24UL << 20, Backing.Anon4K);
        mm.Map(Base + (24UL << 20), 8UL << 20, Backing.Anon4K); // a second VMA right behind the first
        if (pageByPage) mm.ShareFolioLines(cpusPerSocket: 1);
        var end = Base + (32UL << 20);
        if (prefault)
            for (var va = Base; va < end; va += 4096) mm.Fault(va);
        var options = new GupOptions { Walk = GupWalk.Locked, Longterm = true, PerVmaLock = perVmaLock };
        var calls = new List<GupCall>();
        for (var va = Base; va < end;)
        {
            var c = Gup.GetUserPhyrs(mm, va, end, batch, options);
            calls.Add(c);
            va = c.Next;
        }
        return calls;
    }

    [Fact]
    public void Taking_a_tables_run_at_once_counts_what_page_by_page_does()
    {
        var cases = Gen.Elements(0.0, 0.05, 0.5, 1.0).Zip(Gen.Choose(1, 1000)).Zip(Gen.Elements(1, 16, 512, 100_000))
            .Zip(Gen.Elements(false, true)).Zip(Gen.Elements(false, true));
        Prop.ForAll(cases.ToArbitrary(), c =>
        {
            var ((((fragmentation, seed), batch), perVma), prefault) = c;
            var run = Walk(fragmentation, (ulong)seed, batch, perVma, pageByPage: false, prefault);
            var reference = Walk(fragmentation, (ulong)seed, batch, perVma, pageByPage: true, prefault);
            return run.Count == reference.Count && run.Zip(reference).All(p =>
                p.First.Next == p.Second.Next && p.First.Phyrs.SequenceEqual(p.Second.Phyrs)
                && p.First.Accounting with { Holds = [] } == p.Second.Accounting with { Holds = [] }
                && p.First.Accounting.Holds.SequenceEqual(p.Second.Accounting.Holds));
        }).Check(FsCheck.Config.QuickThrowOnFailure.WithMaxTest(40));
    }
}

/// <summary>
/// unpin over a range takes a PTE table's run of following 4 KiB folios in one step: the counts, the pins left and the
/// violations (an unpin of what is not pinned) must be what page by page gives — against the same mm with its folio lines
/// tracked for sharing (the page-by-page path), one CPU.
/// </summary>
public class UnpinRunTests
{
    private const ulong Base = 1UL << 30, Size = 16UL << 20;

    private static (List<UnpinCount> Counts, long Violations, long Pinned, int Folios) Unpin(double fragmentation, ulong seed,
        UnpinStyle style, IReadOnlyList<(int From, int Pages)> chunks, bool pageByPage)
    {
        var frames = new FrameSource().With(FrameSize.Base, new FragmentationModel(fragmentation, seed).Generate(1 << 13));
        var mm = new AddressSpace(frames);
        mm.Map(Base, Size / 2, Backing.Anon4K);
        mm.Map(Base + Size / 2, Size / 2, Backing.Anon4K);
        if (pageByPage) mm.ShareFolioLines(cpusPerSocket: 1);
        // Pinned up to eight pages before the end, so that the unpins also meet pages without pins.
        const ulong pinned = Base + Size - (8UL << 12);
        for (var va = Base; va < pinned;) va = Gup.GetUserPhyrs(mm, va, pinned, 64, new GupOptions { Walk = GupWalk.Locked }).Next;
        var counts = chunks.Select(c =>
        {
            var start = Base + ((ulong)c.From << 12);
            return mm.UnpinRange(start, Math.Min(Base + Size, start + ((ulong)c.Pages << 12)), style);
        }).ToList();
        return (counts, mm.PinViolations, mm.PinnedPages, mm.PinnedFolios);
    }

    [Fact]
    public void Unpinning_a_tables_run_at_once_counts_what_page_by_page_does()
    {
        var chunk = Gen.Choose(0, 4095).Zip(Gen.Choose(1, 1500));
        var cases = Gen.Elements(0.0, 0.5, 1.0).Zip(Gen.Choose(1, 1000)).Zip(Gen.Elements(false, true)).Zip(Gen.Elements(false, true))
            .Zip(chunk.ListOf());
        Prop.ForAll(cases.ToArbitrary(), c =>
        {
            var ((((fragmentation, seed), batched), pageArray), chunks) = c;
            var style = new UnpinStyle(batched, true, pageArray, false);
            var run = Unpin(fragmentation, (ulong)seed, style, chunks, pageByPage: false);
            var reference = Unpin(fragmentation, (ulong)seed, style, chunks, pageByPage: true);
            return run.Counts.SequenceEqual(reference.Counts) && (run.Violations, run.Pinned, run.Folios) == (reference.Violations, reference.Pinned, reference.Folios);
        }).Check(FsCheck.Config.QuickThrowOnFailure.WithMaxTest(40));
    }
}
