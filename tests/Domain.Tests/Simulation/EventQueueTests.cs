using FsCheck.Xunit;
using Phyr.Domain.Simulation;

namespace Phyr.Domain.Tests.Simulation;

public class EventQueueTests
{
    [Property(MaxTest = 300)]
    public void Dequeues_in_key_order(ushort[] times, byte[] sources)
    {
        var q = new EventQueue();
        var keys = new List<EventKey>();
        for (var i = 0; i < times.Length; i++)
        {
            var key = new EventKey(times[i] % 50, sources.Length == 0 ? 0 : sources[i % sources.Length] % 4, i);
            keys.Add(key);
            q.Enqueue(new SimEvent(key, 0, i));
        }
        var order = new List<EventKey>();
        while (q.Count > 0) order.Add(q.Dequeue().Key);
        keys.Sort();
        Assert.Equal(keys, order);
        Assert.Equal(long.MaxValue, q.NextTime);
    }

    [Fact]
    public void Ties_in_time_go_by_sender_then_sequence()
    {
        var q = new EventQueue();
        q.Enqueue(new SimEvent(new EventKey(10, 2, 0), 0, "c"));
        q.Enqueue(new SimEvent(new EventKey(10, 1, 1), 0, "b"));
        q.Enqueue(new SimEvent(new EventKey(10, 1, 0), 0, "a"));
        q.Enqueue(new SimEvent(new EventKey(5, 9, 0), 0, "first"));
        Assert.Equal(["first", "a", "b", "c"], Enumerable.Range(0, 4).Select(_ => (string)q.Dequeue().Payload));
    }
}
