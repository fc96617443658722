namespace Phyr.Domain.Service;

/// <summary>
/// What the service keeps about one submitted experiment: its id, the experiment text it was given (or a
/// shipped experiment's name), the seed, its status and when it changed (wall-clock service metadata:
/// never part of a result), the points it has and the error that failed it. Once it ends, the registry keeps the
/// summary only: a submitted text lives on with the experiment's own entity (which persisted it when asked to run),
/// <see cref="SourceBytes"/> saying how long it was.
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

    /// <summary>The submitted text's length, kept when the text itself is no longer (see <see cref="Summary"/>).</summary>
    public int SourceBytes { get; init; }

    /// <summary>Whether the submitted text is here (a shipped name always is).</summary>
    public bool HasSource => ShippedName || Source.Length > 0;

    /// <summary>The record without a submitted text: what the registry keeps of an experiment that ended.</summary>
    public ExperimentRecord Summary() => ShippedName || Source.Length == 0 ? this : this with { Source = "", SourceBytes = Source.Length };

    /// <summary>How many times it was started (more than once after a restart resumed it).</summary>
    public int Starts { get; init; }

    /// <summary>A cancel was asked for while it ran: every request to run it is followed by the cancel until it ends.</summary>
    public bool Cancelling { get; init; }

    /// <summary>In a cluster, the stored points per node that ran them, as the experiment ended (null alone).</summary>
    public IReadOnlyDictionary<string, int>? Nodes { get; init; }
}
