using Phyr.Actors.Engine;
using Phyr.Domain.Simulation;

namespace Phyr.Actors.Tests;

/// <summary>A digest folds each event's kind: the name it is given, not where its type lives (so refactors keep digests).</summary>
public class EventKindTests : EngineTestKit
{
    [EventKind("ping")]
    private sealed record Ping;

    [EventKind("ping")]
    private sealed record MovedPing;

    private sealed record Pong;

    /// <summary>Sends one message of the given type to itself, then stops.</summary>
    private sealed class Once(string name, Func<object> message) : SimComponent(name)
    {
        private bool _sent;

        protected internal override void OnMessage(SimContext ctx, object m)
        {
            if (_sent) return;
            _sent = true;
            ctx.Schedule(10, message());
        }
    }

    private static ulong Digest(Func<object> message)
    {
        var sim = new Simulation(new SimulationOptions());
        var c = sim.Add(new Once("c", message));
        sim.Inject(c, "go");
        return sim.RunSequential().Digest;
    }

    [Fact]
    public void Two_types_of_one_kind_give_one_digest_and_another_kind_another()
    {
        Assert.Equal(Digest(() => new Ping()), Digest(() => new MovedPing()));
        Assert.NotEqual(Digest(() => new Ping()), Digest(() => new Pong()));
    }
}
