namespace Phyr.Domain.Simulation.Resources;

/// <summary>What a queued-server component takes and answers.</summary>
public static class QueuedServerProtocol
{
    /// <summary>A request needing <paramref name="ServiceNs"/> of the server's time.</summary>
    [EventKind("Phyr.Actors.Resources.ServiceQueue+Submit")]
    public sealed record Submit(long ServiceNs);

    /// <summary>The request was served.</summary>
    [EventKind("Phyr.Actors.Resources.ServiceQueue+Completed")]
    public sealed record Completed
    {
        public static readonly Completed Instance = new();
    }
}
