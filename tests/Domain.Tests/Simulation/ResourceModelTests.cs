using Phyr.Domain.Costs;
using Phyr.Domain.Simulation;
using Phyr.Domain.Simulation.Resources;

namespace Phyr.Domain.Tests.Simulation;

/// <summary>The resource state machines on their own (their timing is tested end to end in the actor suites).</summary>
public class ResourceModelTests
{
    private static readonly Interconnect Costs = Interconnect.Default;

    [Fact]
    public void Lock_misuse_is_refused()
    {
        var l = new FifoLock(Costs);
        Assert.NotNull(l.Acquire(1, 0, 0));
        Assert.Throws<InvalidOperationException>(() => l.Acquire(1, 0, 10));   // self-deadlock
        Assert.Throws<InvalidOperationException>(() => l.Release(2, 10));      // not the owner
        Assert.Null(l.Release(1, 20));
        Assert.False(l.Held);
    }

    [Fact]
    public void A_release_hands_over_in_fifo_order()
    {
        var l = new FifoLock(Costs);
        l.Acquire(1, 0, 0);
        Assert.Null(l.Acquire(2, 1, 5));
        Assert.Null(l.Acquire(3, 2, 6));
        Assert.Equal(new Grant(2, 100), l.Release(1, 100));
        Assert.Equal(new Grant(3, 200), l.Release(2, 200));
        Assert.Equal(3, l.Metrics.Acquisitions);
        Assert.Equal(2, l.Metrics.Contended);
        Assert.Equal(200 - 6, l.Metrics.Wait.Max, tolerance: 1);
    }

    [Fact]
    public void A_writer_release_wakes_at_most_256_readers()
    {
        var sem = new RwSemaphore(Costs);
        Assert.NotNull(sem.DownWrite(0, 0, 0));
        for (var r = 1; r <= 300; r++) Assert.Null(sem.DownRead(r, 0, r));
        var woken = sem.Up(0, 0, 1000);
        Assert.Equal(RwSemaphore.MaxReadersWakeup, woken.Count);
        Assert.Equal(Enumerable.Range(1, 256), woken.Select(g => g.Requester));
        Assert.Equal(44, sem.QueueLength);
        Assert.Equal(256, sem.ActiveReaders);
    }

    [Fact]
    public void Readers_do_not_pass_a_waiting_writer_but_share_with_each_other()
    {
        var sem = new RwSemaphore(Costs);
        Assert.NotNull(sem.DownRead(1, 0, 0));
        Assert.NotNull(sem.DownRead(2, 1, 1000));   // readers share
        Assert.Null(sem.DownWrite(3, 2, 2000));     // writer waits for both
        Assert.Null(sem.DownRead(4, 3, 3000));      // a new reader waits behind the writer
        Assert.Empty(sem.Up(1, 0, 10_000));
        Assert.Equal([3], sem.Up(2, 1, 20_000).Select(g => g.Requester));
        Assert.Equal([4], sem.Up(3, 2, 30_000).Select(g => g.Requester));
    }

    [Fact]
    public void Simultaneous_readers_serialize_on_the_count_line()
    {
        var sem = new RwSemaphore(Costs);
        // Three CPUs take the read lock at once: each atomic waits for the line, one transfer (50 ns) apiece.
        var grants = Enumerable.Range(0, 3).Select(cpu => sem.DownRead(cpu, cpu, 25)!.Value.At).ToList();
        Assert.Equal([25L, 75L, 125L], grants);
        Assert.Equal(3, sem.LineTransfers);
        Assert.Equal(2, sem.Metrics.Contended);
    }

    [Fact]
    public void Interconnect_transfers_by_socket()
    {
        var c = new Interconnect(CpusPerSocket: 4);
        Assert.Equal(0, c.Transfer(1, 1));
        Assert.Equal(50, c.Transfer(0, 3));
        Assert.Equal(150, c.Transfer(3, 4));
        Assert.Equal(100, c.HandoverSurplus(3, 4));
        Assert.Equal(0, c.HandoverSurplus(-1, 4));
    }

    [Fact]
    public void A_cost_model_with_impossible_line_transfers_names_the_key()
    {
        Assert.Empty(CostModel.Default.Problems());
        Assert.Equal("cacheline.cross-socket-ns", Assert.Single(new CostModel { CacheLineCrossSocketNs = 10 }.Problems()).Key);
        Assert.Equal("cacheline.same-socket-ns", new CostModel { CacheLineSameSocketNs = 1, CacheLineCrossSocketNs = 1 }.Problems().First().Key);
    }
}
