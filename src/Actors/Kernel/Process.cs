using Phyr.Actors.Engine;
using Phyr.Domain.Mm;

namespace Phyr.Actors.Kernel;

/// <summary>
/// A process's mm as a component: it owns the <see cref="AddressSpace"/> (VMAs, page tables, faults, pin counts)
/// and answers <see cref="MmProtocol"/>: a GUP call's page-table work (<see cref="Gup"/>; the request and reply stand
/// for the call's first walk from the top — the locks the call takes are other components, taken by the CPU),
/// unpin_user_pages, and the check that a page a device reached is pinned.
/// </summary>
public sealed class Process(string name, AddressSpace mm) : SimComponent(name)
{
    /// <summary>Device accesses checked, and those that reached a page with no pin.</summary>
    public long AccessesChecked { get; private set; }
    public long UnpinnedAccesses { get; private set; }

    public AddressSpace Mm => mm;

    protected internal override void OnMessage(SimContext ctx, object message)
    {
        switch (message)
        {
            case MmProtocol.CheckPinned c:
                foreach (var pfn in c.Pfns)
                {
                    AccessesChecked++;
                    if (!mm.IsPinned(pfn)) UnpinnedAccesses++;
                }
                break;
            case MmProtocol.Unpin u:
            {
                var count = mm.UnpinRange(u.Start, u.End, u.Style, u.Cpu);
                ctx.Reply(new MmProtocol.Unpinned(count), u.Costs.Unpin(count) + ctx.Lookahead);
                break;
            }
            case MmProtocol.Walk w:
                try
                {
                    var call = w.Call == GupCallKind.PinUserPages
                        ? Gup.PinUserPages(mm, w.Start, w.End, w.Capacity, w.Options, w.Cpu)
                        : Gup.GetUserPhyrs(mm, w.Start, w.End, w.Capacity, w.Options, w.Cpu);
                    ctx.Reply(new MmProtocol.Walked(call), ctx.Lookahead);
                }
                catch (GupException e)
                {
                    ctx.Reply(new MmProtocol.Failed(e.Message), ctx.Lookahead);
                }
                break;
            default:
                throw new ArgumentException($"{Name} cannot handle {message.GetType().Name}");
        }
    }
}
