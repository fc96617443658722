using Phyr.Domain.Drivers;
using Phyr.Domain.Memory;
using Phyr.Domain.Mm;

namespace Phyr.Domain.Tests.Drivers;

/// <summary>What the driver-flow tests share: component ids, a lockless GUP caller, and calls the mm "returns".</summary>
internal static class FlowScript
{
    public const int Process = 1, MmapLock = 2, IommuDomain = 3, Device = 4;
    public const ulong Start = 1UL << 40;

    public static GupCaller Caller(GupCallKind kind, int batch, ulong pages, ulong start = Start) =>
        GupCaller.Over(new GupCallerPlan(0, Process, new LockDirectory { MmapLock = MmapLock }, kind, batch, new GupOptions(), GupCosts.Default,
            LinkNs: 25, ColdLockNs: 50), start, start + pages * Page.Size);

    /// <summary>A lockless pin_user_pages call returning <paramref name="pfns"/> for the pages from <paramref name="start"/>.</summary>
    public static MmProtocol.Walked Pages(ulong start, params ulong[] pfns) => new(new GupCall(start, start + (ulong)pfns.Length * Page.Size, pfns, [],
        new GupAccounting { Walks = 1, FastPathPages = pfns.Length, FastPathAtomics = pfns.Length, FastPathOutputs = pfns.Length,
            FastPathEntries = pfns.Length, PagesPinned = pfns.Length, PinAtomics = pfns.Length, Entries = pfns.Length }));

    /// <summary>A lockless get_user_phyrs call returning <paramref name="phyrs"/> (4 KiB pages each) from <paramref name="start"/>.</summary>
    public static MmProtocol.Walked Phyrs(ulong start, params PhysRange[] phyrs)
    {
        var pages = phyrs.Sum(p => (long)(p.Len >> Page.Shift));
        return new(new GupCall(start, start + (ulong)pages * Page.Size, [], phyrs, new GupAccounting
        {
            Walks = 1, FastPathPages = pages, FastPathAtomics = pages, FastPathOutputs = phyrs.Length, FastPathEntries = pages,
            PagesPinned = pages, PinAtomics = pages, Entries = phyrs.Length,
        }));
    }

    /// <summary>One step at <paramref name="now"/>: the next state and what it sent.</summary>
    public static (T Flow, IReadOnlyList<Send> Sends) Step<T>(T flow, long now, int sender, object message) where T : IDriverFlow<T>
    {
        var (next, fx) = flow.Step(now, sender, message);
        return (next, [.. fx.Sends]);
    }

    public static PhysRange Frames(ulong pfn, ulong count) => new(pfn << Page.Shift, count << Page.Shift);
}
