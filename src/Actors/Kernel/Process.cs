using Phyr.Actors.Engine;
using Phyr.Domain.Mm;
using Phyr.Domain.Scenarios;

namespace Phyr.Actors.Kernel;

/// <summary>
/// A process's mm as a component: it owns the <see cref="AddressSpace"/> (VMAs, page tables, faults) and
/// answers walkers' requests with what a GUP call finds there (<see cref="Gup"/>). The request and reply
/// stand for the call's first walk from the top of the page tables; the locks the call takes are separate
/// components, taken by the walker in virtual time.
/// </summary>
public sealed class Process(string name, AddressSpace mm) : SimComponent(name)
{
    /// <summary>The page-table work of one pin_user_pages / get_user_phyrs call over [Start, End).</summary>
    public sealed record Walk(GupCallKind Call, ulong Start, ulong End, int Capacity, GupOptions Options);

    public sealed record Walked(GupCall Result);

    /// <summary>The call failed as the kernel's would (e.g. -EFAULT for device memory in pin_user_pages).</summary>
    public sealed record Failed(string Reason);

    /// <summary>unpin_user_pages(_dirty_lock) of [Start, End): replies when the puts are done.</summary>
    public sealed record Unpin(ulong Start, ulong End, bool FolioBatched, bool HugetlbBatched, long PutNs);

    public sealed record Unpinned(long Pages, long Puts);

    /// <summary>A device touched these physical pages: each should be pinned.</summary>
    public sealed record CheckPinned(ulong[] Pfns);

    /// <summary>Device accesses checked, and those that reached a page with no pin.</summary>
    public long AccessesChecked { get; private set; }
    public long UnpinnedAccesses { get; private set; }

    public AddressSpace Mm => mm;

    protected internal override void OnMessage(SimContext ctx, object message)
    {
        if (message is CheckPinned c)
        {
            foreach (var pfn in c.Pfns)
            {
                AccessesChecked++;
                if (!mm.IsPinned(pfn)) UnpinnedAccesses++;
            }
            return;
        }
        if (message is Unpin u)
        {
            var (pages, puts) = mm.UnpinRange(u.Start, u.End, u.FolioBatched, u.HugetlbBatched);
            ctx.Reply(new Unpinned(pages, puts), puts * u.PutNs + ctx.Lookahead);
            return;
        }
        if (message is not Walk w) throw new ArgumentException($"{Name} cannot handle {message.GetType().Name}");
        try
        {
            var call = w.Call == GupCallKind.PinUserPages
                ? Gup.PinUserPages(mm, w.Start, w.End, w.Capacity, w.Options)
                : Gup.GetUserPhyrs(mm, w.Start, w.End, w.Capacity, w.Options);
            ctx.Reply(new Walked(call), ctx.Lookahead);
        }
        catch (GupException e)
        {
            ctx.Reply(new Failed(e.Message), ctx.Lookahead);
        }
    }
}
