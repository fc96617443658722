namespace Phyr.Domain.Service;

/// <summary>What the experiment registry persists: the lifecycle of each experiment, one event per change of state.</summary>
public abstract record RegistryEvent(string Id)
{
    /// <summary>A submission was validated and queued under <see cref="RegistryEvent.Id"/>.</summary>
    public sealed record Accepted(ExperimentRecord Experiment) : RegistryEvent(Experiment.Id);

    public sealed record Started(string Id, DateTimeOffset At) : RegistryEvent(Id);

    /// <summary>A cancel was asked for while it ran (its run hears it, again, until it ends).</summary>
    public sealed record Cancelling(string Id, DateTimeOffset At) : RegistryEvent(Id);

    /// <summary>
    /// It ended: completed, failed (with the error) or cancelled, with the points stored by then and, in a cluster,
    /// how many each node ran.
    /// </summary>
    public sealed record Finished(string Id, ExperimentStatus Status, DateTimeOffset At, int PointsDone, string? Error,
        IReadOnlyDictionary<string, int>? Nodes = null) : RegistryEvent(Id);

    /// <summary>An ended experiment beyond the retention (<see cref="RegistryState.ToForget"/>): no longer listed, its results deleted.</summary>
    public sealed record Forgotten(string Id, DateTimeOffset At) : RegistryEvent(Id);
}
