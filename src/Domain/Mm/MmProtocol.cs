using Phyr.Domain.Simulation;

namespace Phyr.Domain.Mm;

/// <summary>
/// What a process's mm component takes and answers: the page-table work of one GUP call (its first walk from
/// the top stands for the request and reply), unpin_user_pages, and the check that a page a device touched is
/// pinned.
/// </summary>
public static class MmProtocol
{
    /// <summary>The page-table work of one pin_user_pages / get_user_phyrs call over [Start, End).</summary>
    [EventKind("Phyr.Actors.Kernel.Process+Walk")]
    public sealed record Walk(GupCallKind Call, ulong Start, ulong End, int Capacity, GupOptions Options, int Cpu = 0);

    [EventKind("Phyr.Actors.Kernel.Process+Walked")]
    public sealed record Walked(GupCall Result);

    /// <summary>The call failed as the kernel's would (e.g. -EFAULT for device memory in pin_user_pages).</summary>
    [EventKind("Phyr.Actors.Kernel.Process+Failed")]
    public sealed record Failed(string Reason);

    /// <summary>unpin_user_pages(_dirty_lock) of [Start, End): replies when the puts are done.</summary>
    [EventKind("Phyr.Actors.Kernel.Process+Unpin")]
    public sealed record Unpin(ulong Start, ulong End, UnpinStyle Style, GupCosts Costs, int Cpu = 0);

    [EventKind("Phyr.Actors.Kernel.Process+Unpinned")]
    public sealed record Unpinned(UnpinCount Count);

    /// <summary>A device touched these physical pages: each should be pinned.</summary>
    [EventKind("Phyr.Actors.Kernel.Process+CheckPinned")]
    public sealed record CheckPinned(ulong[] Pfns);
}
