namespace Phyr.Host.Output;

/// <summary>
/// An experiment's files: results.json (<see cref="ResultsJson"/>), results.csv (<see cref="ResultsCsv"/>) and report.md
/// (<see cref="ExperimentReport"/>), with the PNG plots at the end. Rewritten whole after every finished point (each
/// written then renamed), so an interrupted run leaves the finished points on disk.
/// </summary>
public static class ExperimentFiles
{
    /// <summary>Writes the result files; with <paramref name="plots"/>, the PNG plots too (embedded in report.md).</summary>
    public static void Write(string dir, Phyr.Domain.Experiments.Experiment e, IReadOnlyList<Phyr.Actors.Experiments.PointResult> done, double wallSeconds,
        int parallelism, bool plots = false)
    {
        Directory.CreateDirectory(dir);
        AtomicFile.Write(Path.Combine(dir, "results.json"), ResultsJson.Experiment(e, done, wallSeconds, parallelism));
        AtomicFile.Write(Path.Combine(dir, "results.csv"), ResultsCsv.Experiment(e, done));
        var figures = plots ? ExperimentPlots.Write(dir, e, done) : [];
        AtomicFile.Write(Path.Combine(dir, "report.md"), ExperimentReport.Markdown(e, done, figures));
    }
}
