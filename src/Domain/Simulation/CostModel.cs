namespace Phyr.Domain.Simulation;

/// <summary>
/// Costs of moving data between CPUs, in virtual nanoseconds (DESIGN.md §4). Defaults and sources:
/// a cache-line transfer (CAS) between cores of one socket ~50 ns, across sockets ~110–200 ns (we take
/// 150) — core-to-core latency measurements on Ice Lake and Milan.
/// </summary>
public sealed record CostModel
{
    public long CacheLineSameSocketNs { get; init; } = 50;
    public long CacheLineCrossSocketNs { get; init; } = 150;

    /// <summary>CPUs per socket: CPU n is on socket n / CpusPerSocket.</summary>
    public int CpusPerSocket { get; init; } = 64;

    /// <summary>
    /// One-way latency of a link between a CPU and a shared resource: half a same-socket transfer, so
    /// that reaching a line another CPU holds (request there, line back) costs one transfer. It is also
    /// the engine's lookahead.
    /// </summary>
    public long LinkLatencyNs => CacheLineSameSocketNs / 2;

    public static readonly CostModel Default = new();

    public int SocketOf(int cpu) => cpu / CpusPerSocket;

    /// <summary>Cost of a cache line moving from <paramref name="from"/> to <paramref name="to"/>; 0 when it stays.</summary>
    public long Transfer(int from, int to) =>
        from == to ? 0 : SocketOf(from) == SocketOf(to) ? CacheLineSameSocketNs : CacheLineCrossSocketNs;

    /// <summary>
    /// What a resource adds to the link round trip (2 x link latency, already one same-socket transfer)
    /// when its line moves from <paramref name="from"/> to <paramref name="to"/>: the cross-socket
    /// surplus, or nothing. <paramref name="from"/> &lt; 0 means the line was never touched.
    /// </summary>
    public long HandoverSurplus(int from, int to) =>
        from < 0 || from == to ? 0 : Math.Max(0, Transfer(from, to) - 2 * LinkLatencyNs);

    public void Validate()
    {
        if (CacheLineSameSocketNs < 2) throw new ArgumentException("cost model: cacheline_same_socket_ns must be at least 2");
        if (CacheLineCrossSocketNs < CacheLineSameSocketNs)
            throw new ArgumentException("cost model: cacheline_cross_socket_ns must not be below cacheline_same_socket_ns");
        if (CpusPerSocket < 1) throw new ArgumentException("cost model: cpus_per_socket must be at least 1");
    }
}
