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

    public static Command Create()
    {
        var command = new Command("validate",
            "Run every published measurement of config/validation on the machine and kernel profile it names and compare: calibration cases " +
            "(which set the kernel code's fitted cycle counts) must come within ±25 %; validation cases set nothing. Example: phyr validate");
        foreach (var o in new Option[] { Cases, Out, Set, Format }) command.Options.Add(o);
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

        var rows = new List<ValidationRow>();
        foreach (var c in cases)
        {
            try
            {
                rows.AddRange(ValidationRun.Run(c));
            }
            catch (UsageException e)
            {
                throw new UsageException("--cases", $"{c.Name}: workload: {e.Message}");
            }
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
