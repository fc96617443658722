namespace Phyr.Domain.Costs;

/// <summary>
/// A cost-model file's settings (<see cref="CostModelFile"/>), applied in order on top of the costs a scenario's machine
/// gives: the what-if knob. Validation cases never carry one (a test checks every case file).
/// </summary>
public sealed record CostOverrides(IReadOnlyList<(string Key, long Value)> Settings)
{
    public static readonly CostOverrides None = new([]);

    public CostModel Apply(CostModel model)
    {
        foreach (var (key, value) in Settings) model = CostModelFile.Set(model, key, value);
        return model;
    }
}
