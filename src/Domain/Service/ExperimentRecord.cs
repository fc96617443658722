namespace Phyr.Domain.Service;

/// <summary>
/// What the service keeps about one submitted experiment: its id, the experiment text it was given (or a
/// shipped experiment's name), the seed, its status and when it changed (wall-clock service metadata:
/// never part of a result), the points it has and the error that failed it.
/// </summary>
public sealed record ExperimentRecord(string Id, string Name, ulong Seed, string Source, bool ShippedName, int PointsTotal,
    DateTimeOffset SubmittedAt)
{
    public ExperimentStatus Status { get; init; } = ExperimentStatus.Queued;
    public DateTimeOffset? StartedAt { get; init; }
    public DateTimeOffset? FinishedAt { get; init; }

    /// <summary>Points stored when the experiment finished (while running, the results entity knows more).</summary>
    public int PointsDone { get; init; }

    public string? Error { get; init; }

    /// <summary>How many times it was started (more than once after a restart resumed it).</summary>
    public int Starts { get; init; }

    /// <summary>A cancel was asked for while it ran: every request to run it is followed by the cancel until it ends.</summary>
    public bool Cancelling { get; init; }

    /// <summary>In a cluster, the stored points per node that ran them, as the experiment ended (null alone).</summary>
    public IReadOnlyDictionary<string, int>? Nodes { get; init; }
}
