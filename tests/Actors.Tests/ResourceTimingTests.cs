using Phyr.Actors.Engine;
using Phyr.Actors.Resources;
using Phyr.Domain.Simulation;

namespace Phyr.Actors.Tests;

/// <summary>Exact virtual times of the resource primitives, worked out from their documented cost model.</summary>
public class ResourceTimingTests : EngineTestKit
{
    private const long Hold = 1000;
    private static readonly Interconnect SameSocket = Interconnect.Default;                      // T = 50, link 25
    private static readonly Interconnect OneCpuPerSocket = new(CpusPerSocket: 1);      // T = 150 between any two

    private (Simulation Sim, List<Client> Clients) Contend(int n, Interconnect costs, int partitions)
    {
        var sim = new Simulation(new SimulationOptions { Partitions = partitions, Lookahead = costs.LinkLatencyNs });
        var lockId = sim.Add(new Spinlock("ptl", costs)).Id;
        var clients = Enumerable.Range(0, n).Select(i => sim.Add(new Client($"cpu{i}", i, lockId, Client.Op.Lock, Hold))).ToList();
        foreach (var c in clients) sim.Inject(c, new Client.Start());
        return (sim, clients);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(16)]
    public void N_cpus_on_one_socket_get_the_lock_one_transfer_after_each_release(int n)
    {
        var (sim, clients) = Contend(n, SameSocket, partitions: 3);
        var result = RunOn(sim, TwoThreads);
        // CPU k (in id order: simultaneous requests queue by key) sees the grant at 2l + k * (hold + T).
        for (var k = 0; k < n; k++) Assert.Equal([50 + k * (Hold + 50)], clients[k].GrantedAt);
        var ptl = Assert.Single(result.Resources);
        Assert.Equal(n, ptl.Acquisitions);
        Assert.Equal(n - 1, ptl.Contended);
        // Waits at the lock: 0 for the first, then k * (hold + T) - 0 ... up to (n-1)(hold + T).
        Assert.Equal((n - 1) * (Hold + 50), ptl.Wait.Max, tolerance: (n - 1) * (Hold + 50) / 500.0);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(8)]
    public void Handover_across_sockets_costs_a_cross_socket_transfer(int n)
    {
        var (sim, clients) = Contend(n, OneCpuPerSocket, partitions: 2);
        RunOn(sim, OneThread);
        for (var k = 0; k < n; k++) Assert.Equal([50 + k * (Hold + 150)], clients[k].GrantedAt);
    }

    private (Simulation Sim, Dictionary<string, Client> Clients) Rw(params (string Name, Client.Op Op, long At, long Hold)[] script)
    {
        var sim = new Simulation(new SimulationOptions { Partitions = 2 });
        var sem = sim.Add(new RwSem("mmap_lock", SameSocket)).Id;
        var clients = new Dictionary<string, Client>();
        for (var i = 0; i < script.Length; i++)
        {
            var s = script[i];
            clients[s.Name] = sim.Add(new Client(s.Name, i, sem, s.Op, s.Hold));
            sim.Inject(clients[s.Name], new Client.Start(), s.At);
        }
        return (sim, clients);
    }

    [Fact]
    public void A_waiting_writer_blocks_new_readers()
    {
        var (sim, c) = Rw(("R1", Client.Op.Read, 0, 1000), ("W", Client.Op.Write, 100, 100), ("R2", Client.Op.Read, 200, 100));
        var result = RunOn(sim, TwoThreads);
        Assert.Equal([50L], c["R1"].GrantedAt);
        Assert.Equal([1100L], c["W"].GrantedAt);   // R1's up_read arrives at 1075; W sees the grant 25 later
        Assert.Equal([1250L], c["R2"].GrantedAt);  // R2 arrived while W waited: it waits for W's up_write (1225)
        Assert.Equal(2, Assert.Single(result.Resources).Contended);
    }

    [Fact]
    public void Readers_share_and_a_writer_release_wakes_every_queued_reader()
    {
        var (sim, c) = Rw(("W1", Client.Op.Write, 0, 1000), ("R1", Client.Op.Read, 100, 100), ("W2", Client.Op.Write, 200, 50),
            ("R2", Client.Op.Read, 300, 500), ("R0", Client.Op.Read, 1200, 10));
        RunOn(sim, OneThread);
        Assert.Equal([50L], c["W1"].GrantedAt);
        Assert.Equal([1100L], c["R1"].GrantedAt);  // both readers woken by W1's up_write (arrives 1075), W2 keeps its place
        Assert.Equal([1100L], c["R2"].GrantedAt);
        Assert.Equal([1650L], c["W2"].GrantedAt);  // after R2's up_read arrives at 1625
        Assert.Equal([1750L], c["R0"].GrantedAt);  // arrived at 1225 behind W2; granted at W2's up_write (1725)
    }

    [Fact]
    public void Cache_line_accesses_serialize_and_pay_a_transfer_per_move()
    {
        var sim = new Simulation(new SimulationOptions { Partitions = 2 });
        var line = sim.Add(new SharedCacheLine("refcount", SameSocket));
        var a = sim.Add(new Client("a", 0, line.Id, Client.Op.Atomic, 0));
        var b = sim.Add(new Client("b", 1, line.Id, Client.Op.Atomic, 0));
        var a2 = sim.Add(new Client("a-again", 0, line.Id, Client.Op.Atomic, 0));
        sim.Inject(a, new Client.Start());
        sim.Inject(b, new Client.Start());
        sim.Inject(a2, new Client.Start(), at: 60);
        var result = RunOn(sim, TwoThreads);
        Assert.Equal([50L], a.GrantedAt);    // fetched at a same-socket transfer
        Assert.Equal([100L], b.GrantedAt);   // waits for a's access, then the line moves: +50
        Assert.Equal([150L], a2.GrantedAt);  // issued at 60, line free at 100, moves back: +50
        Assert.Equal(3, line.Transfers);
        Assert.Equal(2, Assert.Single(result.Resources).Contended);
    }

    [Fact]
    public void Cache_line_cross_socket_and_local_accesses()
    {
        var sim = new Simulation(new SimulationOptions());
        var line = sim.Add(new SharedCacheLine("count", OneCpuPerSocket));
        var a = sim.Add(new Client("a", 0, line.Id, Client.Op.Atomic, 0));
        var b = sim.Add(new Client("b", 1, line.Id, Client.Op.Atomic, 0));
        var local = sim.Add(new Client("b-local", 1, line.Id, Client.Op.Atomic, 0));
        sim.Inject(a, new Client.Start());
        sim.Inject(b, new Client.Start(), at: 100);
        sim.Inject(local, new Client.Start(), at: 1000);
        RunOn(sim, OneThread);
        Assert.Equal([50L], a.GrantedAt);
        Assert.Equal([250L], b.GrantedAt);       // issued at 100, line at CPU 0 on another socket: +150
        Assert.Equal([1050L], local.GrantedAt);  // already local: 5 ns, but never under the 2-link round trip
        Assert.Equal(2, line.Transfers);
    }

    [Fact]
    public void Queued_server_serves_one_request_at_a_time()
    {
        var sim = new Simulation(new SimulationOptions { Partitions = 2 });
        var q = sim.Add(new ServiceQueue("iotlb-inv", "invalidation-queue"));
        var c1 = sim.Add(new Client("c1", 0, q.Id, Client.Op.Submit, 2000));
        var c2 = sim.Add(new Client("c2", 1, q.Id, Client.Op.Submit, 2000));
        sim.Inject(c1, new Client.Start());
        sim.Inject(c2, new Client.Start());
        var result = RunOn(sim, TwoThreads);
        Assert.Equal([2050L], c1.GrantedAt);
        Assert.Equal([4050L], c2.GrantedAt);
        var m = Assert.Single(result.Resources);
        Assert.Equal(4000, m.BusyNs);
        Assert.Equal(1, m.Contended);
    }
}
