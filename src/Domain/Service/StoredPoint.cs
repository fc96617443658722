namespace Phyr.Domain.Service;

/// <summary>
/// One finished point of an experiment as stored: its index, event digest, metrics and errors (its axes and seed
/// follow from the experiment), and in a cluster the node that ran it (null alone; never part of a result).
/// </summary>
public sealed record StoredPoint(int Index, ulong Digest, IReadOnlyList<StoredMetric> Metrics, IReadOnlyList<string> Errors, string? Node = null);

public sealed record StoredMetric(string Name, double Value);

/// <summary>What an experiment's results entity persists: finished points, written in batches.</summary>
public sealed record PointsStored(IReadOnlyList<StoredPoint> Points);
