namespace Phyr.Domain.Service;

/// <summary>
/// What an experiment's entity persists about its run, besides its points: that it was asked to run (with what,
/// so that it can resume by itself when started again elsewhere) and how the run ended (so that it never runs
/// again, and can tell the registry again until the registry has it).
/// </summary>
public abstract record RunEvent
{
    public sealed record Requested(ExperimentRecord Experiment) : RunEvent;

    public sealed record Ended(ExperimentStatus Status, int PointsDone, string? Error) : RunEvent;
}
