using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Phyr.Domain.Memory;
using Phyr.Domain.Mm;

namespace Phyr.Domain.Tests.Mm;

public class GupProperties
{
    private const ulong Base = 1UL << 30;

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
