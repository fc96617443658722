using Akka.Cluster.Sharding;
using Phyr.Domain.Service;

namespace Phyr.Host.Service.Actors;

/// <summary>What an experiment's entity is told and answers (the registry and the API speak it; in a cluster, across nodes).</summary>
public sealed partial class ExperimentEntity
{
    /// <summary>A message for the experiment <see cref="Id"/>: the registry routes it to the entity (its child or the shard region).</summary>
    public interface IMessage
    {
        string Id { get; }
    }

    /// <summary>Run the experiment (the points not stored yet). Sent again while it runs: ignored; after it ended: the end is told again.</summary>
    public sealed record RunExperiment(string Id, ExperimentRecord Record) : IMessage;

    public sealed record CancelRun(string Id) : IMessage;

    /// <summary>Answered with <see cref="Points"/>.</summary>
    public sealed record GetPoints(string Id) : IMessage;

    /// <summary>Every point stored or waiting to be, in index order, and what was asked to run (null: it never was).</summary>
    public sealed record Points(IReadOnlyList<StoredPoint> All, ExperimentRecord? Requested = null);

    /// <summary>The experiment is forgotten (retention): delete everything it persisted, then stop.</summary>
    public sealed record Forget(string Id) : IMessage;

    public sealed class Extractor() : HashCodeMessageExtractor(100)
    {
        public override string EntityId(object message) => message is IMessage m ? m.Id : "";
    }
}
