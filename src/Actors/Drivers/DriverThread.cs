using Phyr.Actors.Engine;
using Phyr.Domain.Drivers;
using Phyr.Domain.Results;
using Phyr.Domain.Simulation.Metrics;

namespace Phyr.Actors.Drivers;

/// <summary>
/// One CPU running a driver's kernel path: a thin component around a Domain flow (<see cref="IDriverFlow{TSelf}"/>).
/// Each message is one step of the flow; the thread sends what the step sends (each after the link latency) and
/// records what it samples. What the flow measured is its final state (<see cref="Flow"/>).
/// </summary>
public sealed class DriverThread<TFlow>(string name, TFlow flow) : SimComponent(name) where TFlow : IDriverFlow<TFlow>
{
    private readonly Effects _effects = new();
    private readonly Dictionary<Distribution, LatencyHistogram> _samples = [];

    public TFlow Flow { get; private set; } = flow;

    /// <summary>What the flow sampled of <paramref name="distribution"/> (empty if nothing).</summary>
    public LatencyHistogram Samples(Distribution distribution) => _samples.GetValueOrDefault(distribution) ?? new LatencyHistogram();

    protected internal override void OnMessage(SimContext ctx, object message)
    {
        Flow = Flow.Step(new FlowInput(ctx.Now, ctx.Sender, message), _effects);
        foreach (var s in _effects.Sends) ctx.Send(s.Target, s.Message, s.Delay + ctx.Lookahead);
        foreach (var (distribution, value) in _effects.Samples)
        {
            if (!_samples.TryGetValue(distribution, out var h)) _samples[distribution] = h = new LatencyHistogram();
            h.Record(value);
        }
        _effects.Clear();
    }
}
