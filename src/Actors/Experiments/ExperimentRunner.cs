using Akka.Actor;
using Phyr.Actors.Scenarios;
using Phyr.Domain.Experiments;

namespace Phyr.Actors.Experiments;

/// <summary>A finished point: what it was and what it gave.</summary>
public sealed record PointResult(ExperimentPoint Point, ScenarioResult Result);

/// <summary>
/// Runs an experiment's points, up to <c>parallelism</c> at once (each on one partition: points are the
/// parallelism here), and reports each as it finishes. Results depend only on each point's scenario and
/// seed, so the order in which points finish changes nothing but the progress lines. Cancelling stops the
/// points still running (they are dropped) and starts no more; the finished ones are returned.
/// </summary>
public static class ExperimentRunner
{
    public static async Task<IReadOnlyList<PointResult>> RunAsync(Experiment experiment, ActorSystem system, string? dispatcher, int parallelism,
        Action<PointResult, IReadOnlyList<PointResult>> onPoint, CancellationToken cancel = default)
    {
        var done = new List<PointResult>();
        using var gate = new SemaphoreSlim(Math.Max(1, parallelism));
        var tasks = experiment.Points.Select(async point =>
        {
            await gate.WaitAsync(cancel).ConfigureAwait(false);
            try
            {
                var result = await ScenarioRunner.RunAsync(point.Scenario, point.Seed, system, dispatcher, 1, cancel).ConfigureAwait(false);
                var finished = new PointResult(point, result);
                lock (done)
                {
                    done.Add(finished);
                    done.Sort((a, b) => a.Point.Index.CompareTo(b.Point.Index));
                    onPoint(finished, [.. done]);
                }
            }
            finally
            {
                gate.Release();
            }
        }).ToList();
        try
        {
            await Task.WhenAll(tasks).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            // Interrupted: what finished is kept.
        }
        lock (done) return [.. done];
    }
}
