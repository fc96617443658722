using Phyr.Domain.Dma;
using Phyr.Domain.Machines;
using Phyr.Domain.Mm;
using Phyr.Domain.Simulation;

namespace Phyr.Domain.Costs;

/// <summary>
/// The cost model: every virtual-time cost the simulated machine charges — GUP's operations (<see cref="GupCosts"/>),
/// the DMA path's (<see cref="DmaCosts"/>) and cache-line transfers. GUP's and the transfers are made by
/// <see cref="Derive"/> from a machine's hardware facts (<see cref="MachineProfile"/>) and the kernel code's cycles
/// (<see cref="KernelCode"/>); a cost-model file (<see cref="CostOverrides"/>) may override any value afterwards, for
/// what-if runs. <see cref="Problems"/> is the one place its values are checked.
/// </summary>
public sealed record CostModel
{
    public static readonly CostModel Default = Derive(MachineProfiles.Default, KernelCode.Default);

    public GupCosts Gup { get; init; } = GupCosts.Default;
    public DmaCosts Dma { get; init; } = DmaCosts.Default;

    /// <summary>A modified line moving between cores of one socket (the machine's socket-transfer-ns).</summary>
    public long CacheLineSameSocketNs { get; init; } = 50;

    /// <summary>The same across sockets.</summary>
    public long CacheLineCrossSocketNs { get; init; } = 150;

    /// <summary>
    /// The costs on <paramref name="machine"/> of a workload whose struct pages and page tables take
    /// <paramref name="memmapBytes"/>: when they fit in the LLC they stay there between passes (the prefault, a previous
    /// repeat), so a streamed or missed struct page line is an LLC hit rather than DRAM's.
    /// </summary>
    public static CostModel Derive(MachineProfile machine, KernelCode code, ulong memmapBytes = ulong.MaxValue, bool iommuPt = true, ulong folioBytes = 4096)
    {
        var inLlc = memmapBytes <= machine.LlcBytes;
        var missNs = inLlc ? machine.LlcNs : machine.DramNs;
        var streamedNs = inLlc ? machine.LlcStreamLineNs : machine.StreamLineNs;
        var rewalk = !iommuPt && machine.Iommu == IommuKind.AmdV1;
        return new CostModel
        {
            Gup = new GupCosts
            {
                WalkNs = 4 * machine.L1Ns,
                LookupNs = code.LookupCycles / machine.Ghz,
                FastEntryNs = code.EntryCycles / machine.Ghz,
                PteNs = streamedNs / 8,
                PinAtomicNs = machine.AtomicNs,
                LineHotNs = machine.L2Ns,
                LineStreamedNs = streamedNs,
                LineMissNs = missNs,
                EntryNs = code.EntryCycles / machine.Ghz,
                LocalLockNs = machine.AtomicNs,
                // A fault: its code, and clear_page of every line of the folio it allocates.
                FaultNs = code.FaultCycles / machine.Ghz + folioBytes / 64 * machine.ClearLineNs,
                LineTransferNs = machine.SocketTransferNs,
                LineCrossTransferNs = machine.CrossSocketTransferNs,
            },
            // The IO page table: a call walks its four levels (in L1: the table was just used) and runs its code; a leaf is a
            // loop iteration, a read of the entry (map checks it is empty, unmap reads its size) and an 8-byte store (a line
            // per eight); the old AMD v1 code walked from the top for every leaf.
            Dma = DmaCosts.Default with
            {
                MapCallNs = code.IommuMapCallCycles / machine.Ghz + 4 * machine.L1Ns,
                MapPteNs = code.EntryCycles / machine.Ghz + machine.L1Ns + streamedNs / 8 + (rewalk ? 4 * machine.L1Ns : 0),
                UnmapCallNs = code.IommuUnmapCallCycles / machine.Ghz + 4 * machine.L1Ns,
                IovaToPhysNs = code.EntryCycles / machine.Ghz + 4 * machine.L1Ns,
                UnmapPteNs = code.EntryCycles / machine.Ghz + machine.L1Ns + streamedNs / 8 + (rewalk ? 4 * machine.L1Ns : 0),
                IotlbInvalidationNs = (long)Math.Round(machine.IotlbInvalidationNs),
            },
            CacheLineSameSocketNs = (long)Math.Round(machine.SocketTransferNs),
            CacheLineCrossSocketNs = (long)Math.Round(machine.CrossSocketTransferNs),
        };
    }

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
