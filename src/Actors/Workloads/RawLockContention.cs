using Akka.Actor;
using Phyr.Domain.Randomness;

namespace Phyr.Actors.Workloads;

/// <summary>
/// The benchmark's baseline: the lock-contention message pattern (Acquire, Granted, Release) between
/// plain Akka.NET actors, with no virtual time, no engine, no ordering guarantees beyond Akka's.
/// </summary>
public static class RawLockContention
{
    private sealed record Acquire;
    private sealed record Granted;
    private sealed record Release;
    private sealed record Start;

    private static readonly Acquire AcquireMessage = new();
    private static readonly Granted GrantedMessage = new();
    private static readonly Release ReleaseMessage = new();

    /// <summary>Runs <paramref name="config"/> on <paramref name="system"/>; returns the messages exchanged.</summary>
    public static async Task<long> RunAsync(ActorSystem system, string? dispatcher, LockContention.Config config, ulong seed)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var remaining = config.Cpus;
        Props WithDispatcher(Props p) => dispatcher is null ? p : p.WithDispatcher(dispatcher);
        var id = Guid.NewGuid().ToString("N")[..8];
        var locks = Enumerable.Range(0, config.Locks)
            .Select(i => system.ActorOf(WithDispatcher(Props.Create(() => new LockActor())), $"raw-{id}-lock{i}")).ToArray();
        Action finished = () =>
        {
            if (Interlocked.Decrement(ref remaining) == 0) done.TrySetResult();
        };
        var clients = Enumerable.Range(0, config.Cpus)
            .Select(i =>
            {
                var random = DeterministicRandom.For(seed, $"cpu{i}");
                return system.ActorOf(WithDispatcher(Props.Create(() => new ClientActor(locks, config.Iterations, random, finished))),
                    $"raw-{id}-cpu{i}");
            }).ToArray();
        foreach (var c in clients) c.Tell(new Start());
        await done.Task.ConfigureAwait(false);
        foreach (var a in clients.Concat(locks)) system.Stop(a);
        return 3L * config.Cpus * config.Iterations;
    }

    private sealed class LockActor : UntypedActor
    {
        private readonly Queue<IActorRef> _waiters = new();
        private IActorRef? _owner;

        protected override void OnReceive(object message)
        {
            if (message is Acquire)
            {
                if (_owner is null)
                {
                    _owner = Sender;
                    Sender.Tell(GrantedMessage, Self);
                }
                else _waiters.Enqueue(Sender);
            }
            else if (message is Release)
            {
                _owner = _waiters.Count > 0 ? _waiters.Dequeue() : null;
                _owner?.Tell(GrantedMessage, Self);
            }
        }
    }

    private sealed class ClientActor(IActorRef[] locks, int iterations, DeterministicRandom random, Action finished) : UntypedActor
    {
        private int _left = iterations;
        private IActorRef _held = ActorRefs.Nobody;

        protected override void OnReceive(object message)
        {
            if (message is Granted)
            {
                _held.Tell(ReleaseMessage, Self);
                if (_left == 0)
                {
                    finished();
                    return;
                }
            }
            else if (message is not Start) return;
            _left--;
            _held = locks[random.NextUInt64((ulong)locks.Length)];
            _held.Tell(AcquireMessage, Self);
        }
    }
}
