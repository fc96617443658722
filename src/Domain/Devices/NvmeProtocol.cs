using Phyr.Domain.Memory;
using Phyr.Domain.Simulation;

namespace Phyr.Domain.Devices;

/// <summary>What an NVMe controller component takes and answers.</summary>
public static class NvmeProtocol
{
    /// <summary>A read or write of <paramref name="Bytes"/> to <paramref name="Segments"/>, described by <paramref name="ListPages"/> PRP/SGL list pages.</summary>
    [EventKind("Phyr.Actors.Kernel.NvmeController+Submit")]
    public sealed record Submit(long Bytes, long ListPages, PhysRange[] Segments);

    /// <summary>The command completed (its interrupt).</summary>
    [EventKind("Phyr.Actors.Kernel.NvmeController+Completed")]
    public sealed record Completed
    {
        public static readonly Completed Instance = new();
    }
}
