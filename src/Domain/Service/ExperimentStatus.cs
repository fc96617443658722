namespace Phyr.Domain.Service;

/// <summary>Where a submitted experiment is in its life: queued, running, then completed, failed or cancelled.</summary>
public enum ExperimentStatus
{
    Queued,
    Running,
    Completed,
    Failed,
    Cancelled,
}

public static class ExperimentStatusExtensions
{
    public static bool IsFinal(this ExperimentStatus s) => s is ExperimentStatus.Completed or ExperimentStatus.Failed or ExperimentStatus.Cancelled;

    public static string Name(this ExperimentStatus s) => s.ToString().ToLowerInvariant();
}
