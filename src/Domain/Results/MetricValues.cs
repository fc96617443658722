namespace Phyr.Domain.Results;

/// <summary>
/// One run's metric values, filled in by the parts of the machine that measured them (each adds what it saw) and
/// listed in the catalogue's order: every metric of <see cref="Metric.All"/> — 0 where nothing measured it — then
/// the <see cref="Metric.Layout"/> metrics that were set.
/// </summary>
public sealed class MetricValues
{
    private readonly Dictionary<Metric, double> _values = [];

    public double this[Metric metric]
    {
        get => _values.GetValueOrDefault(metric);
        set => _values[metric] = value;
    }

    /// <summary>Adds <paramref name="value"/> to what <paramref name="metric"/> holds (sums over CPUs and devices).</summary>
    public void Add(Metric metric, double value) => _values[metric] = this[metric] + value;

    public IReadOnlyList<(string Name, double Value)> ToList() =>
    [
        .. Metric.All.Select(m => (m.Name, this[m])),
        .. Metric.Layout.Where(_values.ContainsKey).Select(m => (m.Name, _values[m])),
    ];
}
