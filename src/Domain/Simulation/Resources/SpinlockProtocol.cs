namespace Phyr.Domain.Simulation.Resources;

/// <summary>What a spinlock (or mutex) component takes and answers: spin_lock(), spin_unlock(), and the grant.</summary>
public static class SpinlockProtocol
{
    /// <summary>spin_lock() from a component running on <paramref name="Cpu"/>.</summary>
    [EventKind("Phyr.Actors.Resources.Spinlock+Acquire")]
    public sealed record Acquire(int Cpu);

    /// <summary>spin_unlock() by the holder.</summary>
    [EventKind("Phyr.Actors.Resources.Spinlock+Release")]
    public sealed record Release
    {
        public static readonly Release Instance = new();
    }

    /// <summary>The lock is the requester's, from the time this arrives.</summary>
    [EventKind("Phyr.Actors.Resources.Spinlock+Granted")]
    public sealed record Granted
    {
        public static readonly Granted Instance = new();
    }
}
