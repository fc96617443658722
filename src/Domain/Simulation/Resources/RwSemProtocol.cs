namespace Phyr.Domain.Simulation.Resources;

/// <summary>What a reader-writer semaphore component (mmap_lock, a VMA's lock) takes and answers: down/up, read or write, and the grant.</summary>
public static class RwSemProtocol
{
    [EventKind("Phyr.Actors.Resources.RwSem+DownRead")]
    public sealed record DownRead(int Cpu);

    [EventKind("Phyr.Actors.Resources.RwSem+DownWrite")]
    public sealed record DownWrite(int Cpu);

    [EventKind("Phyr.Actors.Resources.RwSem+UpRead")]
    public sealed record UpRead(int Cpu);

    [EventKind("Phyr.Actors.Resources.RwSem+UpWrite")]
    public sealed record UpWrite(int Cpu);

    /// <summary>The semaphore is the requester's (shared or exclusive as asked).</summary>
    [EventKind("Phyr.Actors.Resources.RwSem+Granted")]
    public sealed record Granted
    {
        public static readonly Granted Instance = new();
    }
}
