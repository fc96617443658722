namespace Phyr.Domain.Simulation;

/// <summary>
/// How cache lines move between the simulated machine's CPUs: a transfer between cores of one socket, one
/// across sockets, and which socket a CPU is on. Made from the cost model's cache-line costs and the
/// scenario's machine shape (<see cref="Costs.CostModel.Interconnect"/>). Every lock, semaphore and shared
/// line of the engine prices a handover with it.
/// </summary>
public sealed record Interconnect(long SameSocketNs = 50, long CrossSocketNs = 150, int CpusPerSocket = 64)
{
    public static readonly Interconnect Default = new();

    /// <summary>
    /// One-way latency of a link between a CPU and a shared resource: half a same-socket transfer, so
    /// that reaching a line another CPU holds (request there, line back) costs one transfer. It is also
    /// the engine's lookahead.
    /// </summary>
    public long LinkLatencyNs => SameSocketNs / 2;

    public int SocketOf(int cpu) => cpu / CpusPerSocket;

    /// <summary>Cost of a cache line moving from <paramref name="from"/> to <paramref name="to"/>; 0 when it stays.</summary>
    public long Transfer(int from, int to) =>
        from == to ? 0 : SocketOf(from) == SocketOf(to) ? SameSocketNs : CrossSocketNs;

    /// <summary>
    /// What a resource adds to the link round trip (2 x link latency, already one same-socket transfer)
    /// when its line moves from <paramref name="from"/> to <paramref name="to"/>: the cross-socket
    /// surplus, or nothing. <paramref name="from"/> &lt; 0 means the line was never touched.
    /// </summary>
    public long HandoverSurplus(int from, int to) =>
        from < 0 || from == to ? 0 : Math.Max(0, Transfer(from, to) - 2 * LinkLatencyNs);
}
