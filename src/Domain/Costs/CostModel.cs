using Phyr.Domain.Dma;
using Phyr.Domain.Mm;
using Phyr.Domain.Simulation;

namespace Phyr.Domain.Costs;

/// <summary>
/// The cost model: every virtual-time cost the simulated machine charges — GUP's steps (<see cref="GupCosts"/>),
/// the DMA path's (<see cref="DmaCosts"/>) and cache-line transfers — each default with its source. One value,
/// carried from the defaults or a cost-model file (<see cref="CostModelFile"/>) through the scenario to the
/// components; <see cref="Problems"/> is the one place its values are checked.
/// </summary>
public sealed record CostModel
{
    public static readonly CostModel Default = new();

    public GupCosts Gup { get; init; } = GupCosts.Default;
    public DmaCosts Dma { get; init; } = DmaCosts.Default;

    /// <summary>A cache-line transfer (CAS) between cores of one socket: ~50 ns (core-to-core latency measurements, Ice Lake and Milan).</summary>
    public long CacheLineSameSocketNs { get; init; } = 50;

    /// <summary>The same across sockets: ~110–200 ns in the same measurements; we take 150.</summary>
    public long CacheLineCrossSocketNs { get; init; } = 150;

    /// <summary>How lines move on a machine of <paramref name="cpusPerSocket"/> CPUs per socket.</summary>
    public Interconnect Interconnect(int cpusPerSocket) => new(CacheLineSameSocketNs, CacheLineCrossSocketNs, cpusPerSocket);

    /// <summary>What is wrong with these values, by cost-model file key (none for a usable model).</summary>
    public IEnumerable<(string Key, string Problem)> Problems()
    {
        // The link latency (the engine's lookahead) is half a same-socket transfer: it must be at least 1 ns.
        if (CacheLineSameSocketNs < 2) yield return ("cacheline.same-socket-ns", $"{CacheLineSameSocketNs} is below 2 (the link latency is half of it)");
        if (CacheLineCrossSocketNs < CacheLineSameSocketNs)
            yield return ("cacheline.cross-socket-ns", $"{CacheLineCrossSocketNs} is below cacheline.same-socket-ns ({CacheLineSameSocketNs})");
    }
}
