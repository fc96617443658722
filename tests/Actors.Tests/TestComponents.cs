using Phyr.Actors.Engine;
using Phyr.Domain.Simulation.Resources;

namespace Phyr.Actors.Tests;

/// <summary>Started by an injected message; then takes a resource, holds it, releases it, recording when it got it.</summary>
internal sealed class Client(string name, int cpu, int resource, Client.Op op, long holdNs) : SimComponent(name)
{
    public enum Op { Lock, Read, Write, Atomic, Submit }

    public sealed record Start;

    public List<long> GrantedAt { get; } = [];

    protected internal override void OnMessage(SimContext ctx, object message)
    {
        switch (message)
        {
            case Start:
                ctx.Send(resource, op switch
                {
                    Op.Lock => new SpinlockProtocol.Acquire(cpu),
                    Op.Read => new RwSemProtocol.DownRead(cpu),
                    Op.Write => new RwSemProtocol.DownWrite(cpu),
                    Op.Atomic => new CacheLineProtocol.Atomic(cpu),
                    _ => new QueuedServerProtocol.Submit(holdNs),
                });
                break;
            case SpinlockProtocol.Granted:
                GrantedAt.Add(ctx.Now);
                ctx.Send(resource, SpinlockProtocol.Release.Instance, holdNs + ctx.Lookahead);
                break;
            case RwSemProtocol.Granted:
                GrantedAt.Add(ctx.Now);
                ctx.Send(resource, op == Op.Read ? new RwSemProtocol.UpRead(cpu) : new RwSemProtocol.UpWrite(cpu), holdNs + ctx.Lookahead);
                break;
            case CacheLineProtocol.Completed or QueuedServerProtocol.Completed:
                GrantedAt.Add(ctx.Now);
                break;
        }
    }
}

/// <summary>Sends one message to a target with a given latency when started (to provoke causality errors).</summary>
internal sealed class Sender(string name, int target, long latency) : SimComponent(name)
{
    public sealed record Go;
    public sealed record Ping;

    public List<long> Received { get; } = [];

    protected internal override void OnMessage(SimContext ctx, object message)
    {
        switch (message)
        {
            case Go:
                ctx.Send(target, new Ping(), latency);
                break;
            case Ping:
                Received.Add(ctx.Now);
                if (ctx.Sender != Simulation.Environment && Received.Count == 1) ctx.Send(ctx.Sender, new Ping());
                break;
        }
    }
}
