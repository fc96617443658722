using Phyr.Domain.Mm;

namespace Phyr.Domain.Scenarios;

/// <summary>
/// A run's budget, estimated from a scenario's keys before it starts: the memory (work the machine cannot hold is refused
/// with a clear message rather than accepted and killed) and the host time (said before a long run starts). The
/// coefficients are <c>phyr bench scale</c>'s rows and the same runs at fragmentation 0 and 1 on the 2-core, 24 GiB
/// reference VM (Release). Memory: a fixed part per simulated folio (its PTE, its pin count's bit, its IO page table leaf)
/// and a part per run of contiguous frames, of which a layout of fragmentation F has F a frame (an RDMA registration's
/// phyr list holds each run; PTE tables, IO page table leaves and pin-count blocks are denser the longer the runs). Peak
/// RSS measured at 64 GiB (PTE tables and IO page table leaves in 4- or 5-byte entries, PfnTable; an RDMA registration's
/// 4 KiB IO page table leaves windows on its phyr list, ListLeaves; the layout let go as it is faulted in, FrameRunList; a
/// pin a bit, PinCounts; a phyr in 8 bytes, RangeList): an RDMA registration through a strict IOMMU 10.9 bytes a page at
/// F = 0, 17.1 at 0.5 (13.2 at 1 TiB), 23.7 at 1; a VFIO guest 10.2, 17.0 (13.8 at 1 TiB), 19.8 — taken as 12 + 15 F and
/// 12 + 14 F (a margin of a tenth or more: an estimate below the peak is an OutOfMemory later); a layout from a pfn file
/// counts as F = 1, and as frames that may lie one to a pin-count block (<see cref="ScatteredPinBytes"/> each, at most
/// <see cref="PinBlocksMaxBytes"/>). A call without a batch limit also holds a page array of 8 bytes a page; a
/// fixed 256 MB covers the runtime. Host time: 280 to 530 ns a simulated 4 KiB folio at 64 GiB to 1 TiB, taken as 500, with
/// ~20 ns a page of a large folio (a VFIO guest of 256 GiB of THP: 1.5 s) and 0.3 s to start — within a factor of about 3
/// of what a run takes (runs of large folios come out faster), and proportionally less on a faster host.
/// </summary>
public static class Footprint
{
    public const double PerFolioBytes = 12;
    public const double RdmaPerRunBytes = 15;
    public const double VfioPerRunBytes = 14;

    /// <summary>A pin-count block of one pinned frame (PinCounts: its object, its list, its directory slot).</summary>
    public const double ScatteredPinBytes = 88;

    /// <summary>All the pin-count blocks there can be: one per 2^16 frames below the 52-bit physical address limit, and their directory.</summary>
    public const ulong PinBlocksMaxBytes = (1UL << 24) * 88 + 4096UL * 4096 * 8;
    public const ulong RuntimeBytes = 256UL << 20;
    public const double HostNsPerFolio = 500;
    public const double HostNsPerPage = 20;
    public const double StartSeconds = 0.3;

    /// <summary>The estimated peak bytes of one run of <paramref name="s"/>.</summary>
    public static ulong Bytes(Scenario s)
    {
        var (folios, pages) = Size(s);
        var runsPerFolio = s.PfnFile is null && !double.IsNaN(s.Fragmentation) ? (decimal)Math.Clamp(s.Fragmentation, 0, 1) : 1m;
        var perFolio = (decimal)PerFolioBytes + runsPerFolio * (decimal)(s.Device == DeviceKind.Vfio ? VfioPerRunBytes : RdmaPerRunBytes);
        var scattered = s.PfnFile is null ? 0 : Math.Min(folios * (decimal)ScatteredPinBytes, PinBlocksMaxBytes);
        var bytes = RuntimeBytes + Math.Ceiling(folios * perFolio) + scattered + (s.Batch == Scenario.UnlimitedBatch ? pages * 8 : 0);
        return bytes >= ulong.MaxValue ? ulong.MaxValue : (ulong)bytes;
    }

    /// <summary>The estimated host seconds of one run of <paramref name="s"/> (on the reference VM).</summary>
    public static double HostSeconds(Scenario s)
    {
        var (folios, pages) = Size(s);
        return StartSeconds + (double)folios * HostNsPerFolio / 1e9 + (folios == pages ? 0 : (double)pages * HostNsPerPage / 1e9);
    }

    /// <summary>The simulated folios and 4 KiB pages of <paramref name="s"/>: a region per CPU, or one they share.</summary>
    private static (decimal Folios, decimal Pages) Size(Scenario s)
    {
        var regions = s.SharedRegion ? 1UL : (ulong)Math.Max(1, s.Cpus);
        var region = (decimal)s.RegionBytes * regions;
        return (region / Math.Max(1UL, s.Backing.FolioBytes()), region / 4096);
    }

    /// <summary>
    /// What a user is told before <paramref name="runs"/> (a scenario, or an experiment's points, <paramref name="atOnce"/> at a
    /// time) start when they take long enough to matter: the estimates, or null under <paramref name="quietSeconds"/>.
    /// </summary>
    public static string? Notice(IReadOnlyCollection<Scenario> runs, int atOnce = 1, double quietSeconds = 10)
    {
        if (runs.Count == 0) return null;
        var seconds = runs.Sum(HostSeconds) / Math.Clamp(atOnce, 1, runs.Count);
        if (seconds < quietSeconds) return null;
        var memory = (decimal)runs.Max(Bytes) * Math.Clamp(atOnce, 1, runs.Count);
        return $"estimated {DescribeSeconds(seconds)} of host time and {Describe(memory)} of memory (from its keys; docs/scenarios.md)";
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

    private static string DescribeSeconds(double s) =>
        s >= 5400 ? $"about {s / 3600:0.#} h" : s >= 90 ? $"about {s / 60:0} min" : $"about {s:0} s";
}
