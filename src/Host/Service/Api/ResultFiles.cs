using Akka.Actor;
using Phyr.Actors.Experiments;
using Phyr.Domain.Experiments;
using Phyr.Domain.Service;
using Phyr.Host.Output;
using Phyr.Host.Service.Actors;

namespace Phyr.Host.Service.Api;

/// <summary>
/// An experiment's results as files — results.json, results.csv, report.md and the PNG plots — made from its
/// stored points, exactly as `phyr run` writes them (host figures apart). Plots are drawn once per number of
/// stored points, into DATA_DIR/experiments/ID/: the only place the service writes them.
/// </summary>
public sealed class ResultFiles(ServiceOptions options, ExperimentCatalog catalog)
{
    public sealed record Set(Experiment Experiment, IReadOnlyList<PointResult> Done);

    public async Task<Set> LoadAsync(IActorRef registry, ExperimentRecord record)
    {
        // Through the registry (on whichever node it runs): no actor reference crosses nodes.
        var points = await registry.Ask<ExperimentEntity.Points>(new ExperimentRegistry.GetResults(record.Id), TimeSpan.FromSeconds(60));
        // An ended experiment's text is kept by its entity, not the registry; one cancelled before it ran has none left.
        var submitted = record.HasSource ? record : points.Requested
            ?? throw new SubmissionException("id", $"{record.Id} was {record.Status.Name()} before it ran: it has no results");
        var experiment = catalog.Build(submitted.Source, submitted.ShippedName, submitted.Seed);
        return new Set(experiment, StoredPoints.ToResults(experiment, points.All));
    }

    /// <summary>What was submitted: from the registry while the experiment waits or runs, from its entity once it ended (null: never ran).</summary>
    public static async Task<string?> SourceAsync(IActorRef registry, ExperimentRecord record) =>
        record.HasSource ? record.Source
            : (await registry.Ask<ExperimentEntity.Points>(new ExperimentRegistry.GetResults(record.Id), TimeSpan.FromSeconds(60))).Requested?.Source;

    public string Json(Set s) => ResultsJson.Experiment(s.Experiment, s.Done, 0, options.Parallelism);

    public string Csv(Set s) => ResultsCsv.Experiment(s.Experiment, s.Done);

    public string Report(string id, Set s) => ExperimentReport.Markdown(s.Experiment, s.Done, Plots(id, s));

    /// <summary>The plots of the points stored so far: (file, title), drawn when first asked for.</summary>
    public IReadOnlyList<(string File, string Title)> Plots(string id, Set s)
    {
        var root = Path.Combine(options.DataDir, "experiments", id);
        var dir = Path.Combine(root, $"plots-{s.Done.Count}");
        var index = Path.Combine(dir, "index.txt");
        lock (this)
        {
            if (!File.Exists(index))
            {
                Directory.CreateDirectory(dir);
                var written = ExperimentPlots.Write(dir, s.Experiment, s.Done);
                AtomicFile.WriteLines(index, written.Select(w => $"{w.File}\t{w.Title}"));
                foreach (var old in Directory.GetDirectories(root, "plots-*").Where(d => d != dir)) Directory.Delete(old, recursive: true);
            }
            return [.. File.ReadAllLines(index).Select(l => l.Split('\t')).Select(p => (p[0], p[1]))];
        }
    }

    /// <summary>
    /// A plot's bytes, when <paramref name="file"/> is one of the plots drawn (a name, never a path). Read under the
    /// lock: a request with more points may replace the folder right after.
    /// </summary>
    public byte[]? PlotBytes(string id, Set s, string file)
    {
        lock (this)
            return Plots(id, s).Any(p => p.File == file)
                ? File.ReadAllBytes(Path.Combine(options.DataDir, "experiments", id, $"plots-{s.Done.Count}", file))
                : null;
    }
}
