using System.Collections.Immutable;
using System.Globalization;

namespace Phyr.Domain.Service;

/// <summary>
/// The registry's state: every accepted experiment in submission order, and the number of the next id.
/// Immutable; <see cref="Apply"/> is the only way it changes (on a persisted event, or replaying one).
/// </summary>
public sealed record RegistryState
{
    public static readonly RegistryState Empty = new();

    public ImmutableSortedDictionary<string, ExperimentRecord> Experiments { get; init; } =
        ImmutableSortedDictionary.Create<string, ExperimentRecord>(StringComparer.Ordinal);

    public long NextNumber { get; init; } = 1;

    /// <summary>Ids are "e" and a zero-padded sequence number, so ordinal order is submission order.</summary>
    public string NextId => "e" + NextNumber.ToString("D6", CultureInfo.InvariantCulture);

    public int Queued => Experiments.Values.Count(e => e.Status == ExperimentStatus.Queued);

    /// <summary>The experiments to run, oldest first: those running when the service stopped (resumed first), then the queued.</summary>
    public IEnumerable<ExperimentRecord> Runnable =>
        Experiments.Values.Where(e => e.Status == ExperimentStatus.Running).Concat(Experiments.Values.Where(e => e.Status == ExperimentStatus.Queued));

    public ExperimentRecord? Find(string id) => Experiments.GetValueOrDefault(id);

    /// <summary>
    /// The ended experiments the retention lets go, oldest first: beyond the newest <paramref name="keep"/> ended ones,
    /// and those that ended more than <paramref name="maxAge"/> before <paramref name="now"/> (when given). Queued and
    /// running ones are never among them.
    /// </summary>
    public IEnumerable<string> ToForget(int keep, TimeSpan? maxAge, DateTimeOffset now)
    {
        var ended = Experiments.Values.Where(e => e.Status.IsFinal()).ToList();
        var beyond = Math.Max(0, ended.Count - keep);
        return ended.Where((e, i) => i < beyond || (maxAge is { } age && e.FinishedAt is { } at && now - at > age)).Select(e => e.Id);
    }

    /// <summary>One page of the list, oldest first: the <paramref name="limit"/> experiments submitted just before <paramref name="before"/> (all, when null).</summary>
    public IReadOnlyList<ExperimentRecord> Page(int limit, string? before)
    {
        var older = before is null ? Experiments.Values : Experiments.Values.Where(e => string.CompareOrdinal(e.Id, before) < 0);
        var list = older.ToList();
        return list.GetRange(Math.Max(0, list.Count - limit), Math.Min(limit, list.Count));
    }

    public RegistryState Apply(RegistryEvent e) => e switch
    {
        RegistryEvent.Accepted a => this with
        {
            Experiments = Experiments.Add(a.Id, a.Experiment),
            NextNumber = Math.Max(NextNumber, Number(a.Id) + 1),
        },
        RegistryEvent.Started s => Update(s.Id, r => r with { Status = ExperimentStatus.Running, StartedAt = s.At, Starts = r.Starts + 1 }),
        RegistryEvent.Cancelling c => Update(c.Id, r => r with { Cancelling = true }),
        // Ended: the summary is kept, the submitted text goes (the experiment's entity has it, if it ever ran).
        RegistryEvent.Finished f => Update(f.Id, r => (r with
        {
            Status = f.Status, FinishedAt = f.At, PointsDone = f.PointsDone, Error = f.Error, Cancelling = false, Nodes = f.Nodes,
        }).Summary()),
        RegistryEvent.Forgotten g => Experiments.TryGetValue(g.Id, out var gone) && gone.Status.IsFinal()
            ? this with { Experiments = Experiments.Remove(g.Id) }
            : this,
        _ => throw new ArgumentException($"unknown registry event {e.GetType().Name}", nameof(e)),
    };

    /// <summary>A final record (completed, failed, cancelled) never changes again: a late start or end of a cancelled run is ignored.</summary>
    private RegistryState Update(string id, Func<ExperimentRecord, ExperimentRecord> change) =>
        Experiments.TryGetValue(id, out var r) && !r.Status.IsFinal() ? this with { Experiments = Experiments.SetItem(id, change(r)) } : this;

    private static long Number(string id) => long.Parse(id.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture);
}
