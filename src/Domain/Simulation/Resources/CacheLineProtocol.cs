namespace Phyr.Domain.Simulation.Resources;

/// <summary>What a shared cache-line component (a refcount, a flag word) takes and answers.</summary>
public static class CacheLineProtocol
{
    /// <summary>An atomic read-modify-write or a store from <paramref name="Cpu"/>.</summary>
    [EventKind("Phyr.Actors.Resources.SharedCacheLine+Atomic")]
    public sealed record Atomic(int Cpu);

    /// <summary>The access completed (the line is now the requester's).</summary>
    [EventKind("Phyr.Actors.Resources.SharedCacheLine+Completed")]
    public sealed record Completed
    {
        public static readonly Completed Instance = new();
    }
}
