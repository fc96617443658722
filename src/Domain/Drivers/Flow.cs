using Phyr.Domain.Results;

namespace Phyr.Domain.Drivers;

/// <summary>A message a flow sends: to component <paramref name="Target"/>, arriving <paramref name="Delay"/> ns plus the link latency from now.</summary>
public readonly record struct Send(int Target, object Message, long Delay);

/// <summary>One message as a flow sees it: when it arrived, from which component, and what it is.</summary>
public readonly record struct FlowInput(long Now, int Sender, object Message);

/// <summary>
/// What a flow's step does besides changing its state: the messages it sends, in order, and the samples it takes
/// of distributions. The component hosting the flow applies them (and clears them for the next step).
/// </summary>
public sealed class Effects
{
    private readonly List<Send> _sends = [];
    private readonly List<(Distribution Distribution, long Value)> _samples = [];

    public IReadOnlyList<Send> Sends => _sends;
    public IReadOnlyList<(Distribution Distribution, long Value)> Samples => _samples;

    /// <summary>Sends <paramref name="message"/> to <paramref name="target"/>, <paramref name="delay"/> ns from now (plus the link latency).</summary>
    public void Send(int target, object message, long delay = 0) => _sends.Add(new Send(target, message, delay));

    public void Sample(Distribution distribution, long value) => _samples.Add((distribution, value));

    public void Clear()
    {
        _sends.Clear();
        _samples.Clear();
    }
}

/// <summary>
/// A driver's kernel path on one CPU as a state machine: an immutable state and a pure <see cref="Step"/> from
/// one message to the next state, its sends and samples going into the <see cref="Effects"/>. The component
/// that hosts it (Phyr.Actors.Drivers.DriverThread) only applies them, so a flow is tested without an actor system.
/// </summary>
public interface IDriverFlow<TSelf> where TSelf : IDriverFlow<TSelf>
{
    TSelf Step(FlowInput input, Effects effects);
}

/// <summary>What every driver flow tells about its CPU at the end of a run, for the run's metrics and invariants.</summary>
public interface ICpuFlow
{
    /// <summary>The CPU's GUP calls and unpins.</summary>
    Mm.GupCaller Gup { get; }

    /// <summary>When the CPU finished its work (-1: it did not).</summary>
    long FinishedAt { get; }

    /// <summary>The error that stopped it, as the run reports it.</summary>
    string? Error { get; }

    /// <summary>Finished, with every page it pinned unpinned (a CPU stopped by an error is not held to that).</summary>
    bool Clean { get; }
}

public static class DriverFlow
{
    /// <summary>One step with fresh effects: <c>var (next, fx) = flow.Step(now, sender, message)</c> (for tests and tools).</summary>
    public static (T State, Effects Effects) Step<T>(this T flow, long now, int sender, object message) where T : IDriverFlow<T>
    {
        var effects = new Effects();
        return (flow.Step(new FlowInput(now, sender, message), effects), effects);
    }

    /// <summary>The error for a message a flow has no transition for, naming the flow and where it is.</summary>
    public static ArgumentException Unexpected(string flow, object where, object message) =>
        new($"{flow} cannot handle {message.GetType().Name} while {where}");
}
