using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Phyr.Domain.Memory;
using Phyr.Domain.Mm;

namespace Phyr.Domain.Tests.Mm;

public class GupProperties
{
    private const ulong Base = 1UL << 30;

    /// <summary>
    /// Populate (a PTE table a run of frames at a time) leaves an mm exactly as faulting its pages one by one does: the same
    /// frame and PTE at every page, the same faults, the frames after it the same — from any start, with part of the range
    /// already faulted in, whether the faults write or not.
    /// </summary>
    [Property(MaxTest = 200)]
    public void Populate_is_faulting_page_by_page(NonEmptyArray<byte> runLengths, byte startPage, ushort pages, byte faultedFirst, bool write)
    {
        FrameSource Frames()
        {
            var runs = new List<FrameRun>();
            ulong next = 5000;
            foreach (var len in runLengths.Get.Take(64))
            {
                runs.Add(new FrameRun(next, 1UL + (ulong)(len % 300)));
                next += 1UL + (ulong)(len % 300) + 1UL + (ulong)(len % 3);
            }
            return new FrameSource().With(FrameSize.Base, runs);
        }
        var (bulk, byPage) = (new AddressSpace(Frames()), new AddressSpace(Frames()));
        var start = Base + ((ulong)startPage << Page.Shift);
        var end = start + ((ulong)(pages % 3000) << Page.Shift);
        foreach (var mm in new[] { bulk, byPage })
        {
            mm.Map(Base, 8UL << 21, Backing.Anon4K);
            mm.Fault(start + ((ulong)(faultedFirst % 3) << 21) + ((ulong)faultedFirst << Page.Shift), write); // a page in before
        }
        bulk.Populate(start, end, Page.Size, write);
        for (var va = start; va < end; va += Page.Size) byPage.Fault(va, write);
        Assert.Equal(byPage.Faults, bulk.Faults);
        for (var va = Base; va < Base + (8UL << 21); va += Page.Size) Assert.Equal(byPage.Lookup(va), bulk.Lookup(va));
        Assert.Equal(byPage.Fault(Base + (8UL << 21) - Page.Size), bulk.Fault(Base + (8UL << 21) - Page.Size));
        Assert.Equal(byPage.DirtyAtPin(start, Math.Min(512, (((start >> 21) + 1) << 21) - start >> Page.Shift)),
            bulk.DirtyAtPin(start, Math.Min(512, (((start >> 21) + 1) << 21) - start >> Page.Shift)));
    }

    /// <summary>Calls of every variant, on any layout and batch size, together describe exactly the region's bytes.</summary>
    [Property(MaxTest = 200)]
    public void Every_walk_covers_the_region_exactly(NonEmptyArray<byte> runLengths, PositiveInt batchSeed, bool fast, bool phyrs, bool prefault)
    {
        var runs = new List<FrameRun>();
        ulong next = 5000;
        foreach (var len in runLengths.Get.Take(64))
        {
            var n = 1UL + (ulong)(len % 9);
            runs.Add(new FrameRun(next, n));
            next += n + 1UL + (ulong)(len % 3); // a gap: runs never touch
        }
        var pages = runs.Aggregate(0UL, (s, r) => s + r.Count);
        var mm = new AddressSpace(new FrameSource().With(FrameSize.Base, runs));
        var size = pages << Page.Shift;
        mm.Map(Base, Page.AlignUp(size + (1UL << 21)) & ~((1UL << 21) - 1), Backing.Anon4K);
        if (prefault)
            for (ulong va = Base; va < Base + size; va += Page.Size) mm.Fault(va);

        var batch = new[] { 1, 2, 3, 16, 512 }[batchSeed.Get % 5];
        var options = new GupOptions { Walk = fast ? GupWalk.Fast : GupWalk.Locked };
        var described = new List<PhysRange>();
        long calls = 0, pinned = 0, walks = 0;
        for (var va = Base; va < Base + size;)
        {
            var call = phyrs
                ? Gup.GetUserPhyrs(mm, va, Base + size, batch, options)
                : Gup.PinUserPages(mm, va, Base + size, batch, options);
            Assert.True(call.Next > va);
            Assert.True(call.Accounting.Entries <= batch);
            described.AddRange(phyrs ? call.Phyrs : call.Pages.Select(p => new PhysRange(p << Page.Shift, Page.Size)));
            pinned += call.Accounting.PagesPinned;
            walks += call.Accounting.Walks;
            calls++;
            va = call.Next;
        }
        var expected = PhysRanges.Normalize(runs.Select(r => new PhysRange(r.Start << Page.Shift, r.Count << Page.Shift)));
        Assert.Equal(expected.ToArray(), PhysRanges.Normalize(described).ToArray());
        Assert.Equal((long)pages, pinned);
        Assert.True(walks >= calls);
    }
}
