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

    /// <summary>Enqueues and dequeues interleaved: every event comes out whole (its target and payload with its key), in key order.</summary>
    [Property(MaxTest = 300)]
    public void Interleaved_every_event_comes_out_whole_in_key_order(byte[] ops, ushort[] times)
    {
        var q = new EventQueue();
        var reference = new SortedDictionary<EventKey, (int Target, string Payload)>();
        long seq = 0;
        foreach (var op in ops)
        {
            if (op % 3 == 0 && reference.Count > 0)
            {
                var (key, value) = reference.First();
                reference.Remove(key);
                Assert.Equal(new SimEvent(key, value.Target, value.Payload), q.Dequeue());
            }
            else
            {
                var key = new EventKey(times.Length == 0 ? 0 : times[(int)(seq % times.Length)] % 40, op % 5, seq++);
                reference[key] = (op, $"e{seq}");
                q.Enqueue(new SimEvent(key, op, $"e{seq}"));
            }
            Assert.Equal(reference.Count, q.Count);
            Assert.Equal(reference.Count == 0 ? long.MaxValue : reference.First().Key.Time, q.NextTime);
        }
        while (reference.Count > 0)
        {
            var (key, value) = reference.First();
            reference.Remove(key);
            Assert.True(q.TryPeek(out var peeked));
            Assert.Equal(new SimEvent(key, value.Target, value.Payload), peeked);
            Assert.Equal(peeked, q.Dequeue());
        }
        Assert.False(q.TryPeek(out _));
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
