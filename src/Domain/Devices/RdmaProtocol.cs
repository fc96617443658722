using Phyr.Domain.Memory;
using Phyr.Domain.Simulation;

namespace Phyr.Domain.Devices;

/// <summary>What an RDMA NIC component takes and answers: reg_mr and dereg_mr commands.</summary>
public static class RdmaProtocol
{
    /// <summary>reg_mr: a memory region of <paramref name="Length"/> bytes at user address <paramref name="Virt"/>, DMA-mapped as <paramref name="DmaSegments"/>.</summary>
    [EventKind("Phyr.Actors.Kernel.RdmaNic+RegisterMr")]
    public sealed record RegisterMr(PhysRange[] DmaSegments, ulong Virt, ulong Length);

    /// <summary>The MR is registered with <paramref name="PageSize"/> device pages, <paramref name="Entries"/> translation entries.</summary>
    [EventKind("Phyr.Actors.Kernel.RdmaNic+Registered")]
    public sealed record Registered(ulong PageSize, long Entries);

    /// <summary>The device cannot translate the MR (no device page size fits).</summary>
    [EventKind("Phyr.Actors.Kernel.RdmaNic+Refused")]
    public sealed record Refused(string Reason);

    [EventKind("Phyr.Actors.Kernel.RdmaNic+DeregisterMr")]
    public sealed record DeregisterMr(long Entries);

    [EventKind("Phyr.Actors.Kernel.RdmaNic+Deregistered")]
    public sealed record Deregistered
    {
        public static readonly Deregistered Instance = new();
    }
}
