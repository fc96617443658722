using Phyr.Domain.Mm;

namespace Phyr.Domain.Scenarios;

/// <summary>
/// How much memory a scenario's run takes, estimated before it starts, so that work the machine cannot hold is refused
/// with a clear message rather than accepted and killed. The simulated mm keeps state per mapped folio (its PTE or huge
/// entry, its frame, its pin count, the frame source's runs), a mapping device its IO page table's leaves: measured with
/// <c>phyr bench scale</c> (peak RSS over simulated 4 KiB pages, this 2-core VM) at 150 bytes a page for an RDMA
/// registration through a strict IOMMU at 64 GiB (157 at 16 GiB, 135 at 256 GiB) and 86 for a VFIO guest, and taken as
/// 160; a call without a batch limit also holds a page array of 8 bytes a page. A fixed 256 MB covers the runtime.
/// </summary>
public static class Footprint
{
    public const ulong PerFolioBytes = 160;
    public const ulong RuntimeBytes = 256UL << 20;

    /// <summary>The estimated peak bytes of one run of <paramref name="s"/>.</summary>
    public static ulong Bytes(Scenario s)
    {
        var regions = s.SharedRegion ? 1UL : (ulong)Math.Max(1, s.Cpus);
        var region = (decimal)s.RegionBytes * regions;
        var folios = region / Math.Max(1UL, s.Backing.FolioBytes());
        var pages = region / 4096;
        var bytes = RuntimeBytes + folios * PerFolioBytes + (s.Batch == Scenario.UnlimitedBatch ? pages * 8 : 0);
        return bytes >= ulong.MaxValue ? ulong.MaxValue : (ulong)bytes;
    }

    /// <summary>
    /// Why <paramref name="runs"/> runs of <paramref name="s"/> at once cannot fit in <paramref name="availableBytes"/> (the
    /// process's memory, from the host: never part of a result), or null when they can.
    /// </summary>
    /// <param name="s">The scenario (an experiment's largest point).</param>
    /// <param name="availableBytes">The process's memory, from the host.</param>
    /// <param name="runs">How many run at once.</param>
    /// <param name="limit">A limit the user set (--max-memory): the whole of it may be used, where of the machine's
    /// memory a fifth is left for the rest.</param>
    public static string? Problem(Scenario s, ulong availableBytes, int runs = 1, ulong? limit = null)
    {
        var need = (decimal)Bytes(s) * Math.Max(1, runs);
        if (need <= (limit is { } l ? l : availableBytes * 0.8m)) return null;
        return $"the run needs about {Describe(need)} of memory ({s.Cpus} CPU(s) x {Describe(s.RegionBytes)} of {s.Backing.Name()}" +
               (runs > 1 ? $", {runs} at once" : "") + ") and " + (limit is { } max ? $"--max-memory is {Describe(max)}" : $"this machine has {Describe(availableBytes)}") +
               ": use a smaller region, fewer CPUs or larger pages";
    }

    private static string Describe(decimal bytes) =>
        bytes >= 1L << 40 ? $"{bytes / (1L << 40):0.#} TiB" : bytes >= 1 << 30 ? $"{bytes / (1 << 30):0.#} GiB" : $"{bytes / (1 << 20):0} MiB";
}
