using System.CommandLine;
using Phyr.Domain.Config;
using Phyr.Host.Config;
using Phyr.Host.Output;
using Phyr.Host.Validation;

namespace Phyr.Host.Cli;

/// <summary>
/// `phyr validate`: every published measurement in config/validation/ (docs/validation.md) run on the simulated machine
/// it names, printed as published against simulated with the ratio, and written as results.json, report.md and
/// validation.png. Exits 3 when a calibration case is outside ±25 %.
/// </summary>
public static class ValidateCommand
{
    private static readonly Option<string?> Cases = new("--cases")
    {
        Description = "A directory of case files, or one case file. Default: the shipped config/validation.", HelpName = "DIR|FILE",
    };

    private static readonly Option<string?> Out = new("--out") { Description = "Where results.json, report.md and validation.png go. Default out/validate.", HelpName = "DIR" };

    private static readonly Option<string?> Set = new("--set") { Description = "Run only one set: calibration or validation.", HelpName = "calibration|validation" };

    private static readonly Option<string?> Format = new("--format") { Description = "table (default) or json on standard output.", HelpName = "table|json" };

    private static readonly Option<string?> Parallelism = new("--parallelism")
    {
        Description = "Cases run at once (each is deterministic on its own: the results do not depend on it). Default: the CPU count.", HelpName = "N",
    };

    public static Command Create()
    {
        var command = new Command("validate",
            "Run every published measurement of config/validation on the machine and kernel profile it names and compare: calibration cases " +
            "(which set the kernel code's fitted cycle counts) must come within ±25 %; validation cases set nothing. Example: phyr validate");
        foreach (var o in new Option[] { Cases, Out, Set, Format, Parallelism }) command.Options.Add(o);
        command.SetAction(Execute);
        return command;
    }

    private static int Execute(ParseResult p)
    {
        var json = p.GetValue(Format) is { } f && OptionValues.OneOf("--format", f, new Dictionary<string, bool> { ["table"] = false, ["json"] = true });
        ValidationSet? only = p.GetValue(Set) is { } s
            ? OptionValues.OneOf("--set", s, new Dictionary<string, ValidationSet> { ["calibration"] = ValidationSet.Calibration, ["validation"] = ValidationSet.Validation })
            : null;
        var where = p.GetValue(Cases) ?? Path.Combine(Directory.Exists(Path.Combine("config", "validation")) ? "config" : ConfigLibrary.ShippedRoot, "validation");
        IReadOnlyList<ValidationCase> cases;
        try
        {
            cases = File.Exists(where) ? [ValidationCase.Load(where)]
                : Directory.Exists(where) ? ValidationRun.LoadAll(where)
                : throw new UsageException("--cases", $"{where}: no such directory or file");
        }
        catch (ConfException e)
        {
            throw new UsageException("--cases", e.Message);
        }
        cases = [.. cases.Where(c => only is null || c.Set == only)];
        if (cases.Count == 0) throw new UsageException("--cases", $"{where} has no case{(only is null ? "" : " in that set")}");

        var parallelism = p.GetValue(Parallelism) is { } n ? (int)Math.Clamp(OptionValues.Count("--parallelism", n), 0, 4096) : Environment.ProcessorCount;
        if (parallelism < 1) throw new UsageException("--parallelism", "must be at least 1");

        // Each case runs on its own simulated machine; their rows are gathered in the cases' order, whatever finished first.
        var results = new (IReadOnlyList<ValidationRow>? Rows, UsageException? Error)[cases.Count];
        Parallel.For(0, cases.Count, new ParallelOptions { MaxDegreeOfParallelism = parallelism }, i =>
        {
            try
            {
                results[i] = (ValidationRun.Run(cases[i]), null);
            }
            catch (UsageException e)
            {
                results[i] = (null, e);
            }
        });
        var rows = new List<ValidationRow>();
        for (var i = 0; i < cases.Count; i++)
        {
            if (results[i].Error is { } e) throw new UsageException("--cases", $"{cases[i].Name}: workload: {e.Message}");
            rows.AddRange(results[i].Rows!);
        }

        var outDir = p.GetValue(Out) ?? Path.Combine("out", "validate");
        Directory.CreateDirectory(outDir);
        AtomicFile.Write(Path.Combine(outDir, "results.json"), ValidationReport.Json(rows) + "\n");
        AtomicFile.Write(Path.Combine(outDir, "report.md"), ValidationReport.Markdown(rows));
        ValidationReport.Plot(rows, Path.Combine(outDir, "validation.png"));

        var output = p.InvocationConfiguration.Output;
        output.Write(json ? ValidationReport.Json(rows) + "\n" : ValidationReport.Table(rows));
        p.InvocationConfiguration.Error.WriteLine($"phyr validate: wrote {Path.Combine(outDir, "results.json")}, report.md and validation.png");
        return rows.Any(r => r.Case.Set == ValidationSet.Calibration && !r.Within(ValidationRun.CalibrationTolerance)) ? ExitCodes.OutOfTolerance : ExitCodes.Ok;
    }
}
