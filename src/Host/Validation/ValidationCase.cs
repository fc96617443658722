using System.Globalization;
using Phyr.Domain.Config;
using Phyr.Domain.Kernels;
using Phyr.Domain.Machines;
using Phyr.Domain.Scenarios;

namespace Phyr.Host.Validation;

/// <summary>Which set a case is in: calibration cases set the fitted parameters; validation cases never set anything.</summary>
public enum ValidationSet { Calibration, Validation }

/// <summary>One published figure of a case: what is measured (get_us, put_us) and its value as published.</summary>
public sealed record PublishedFigure(string Measure, double Value);

/// <summary>
/// A published measurement (config/validation/NAME.conf): where it was published, the machine and kernel it was measured
/// on, the workload as its author ran it, the output verbatim and the figures read from it. A case names a machine
/// profile, a kernel profile and the workload — never a cost: the file reader has no key for one.
/// </summary>
public sealed record ValidationCase
{
    public required string Name { get; init; }
    public required ValidationSet Set { get; init; }
    public required string Source { get; init; }
    public string? Link { get; init; }
    public required MachineProfile Machine { get; init; }
    public required KernelVersion Kernel { get; init; }

    /// <summary>Feature switches the measured tree had on top of the kernel version (a patch applied to it).</summary>
    public IReadOnlyList<(string Feature, bool On)> Features { get; init; } = [];

    /// <summary>The command as published: <c>gup_test ARGS</c>.</summary>
    public required string Workload { get; init; }

    /// <summary>The published output, verbatim.</summary>
    public required string Published { get; init; }

    public required IReadOnlyList<PublishedFigure> Figures { get; init; }

    /// <summary>What the case exercises, in a sentence (for the report).</summary>
    public required string Mechanism { get; init; }

    /// <summary>Why the model misses it, where it does and the cause is known (for the report).</summary>
    public string? KnownMiss { get; init; }

    /// <summary>The measures a workload yields: gup_test's get and put; an IO page table call's time.</summary>
    public static readonly IReadOnlyList<string> Measures = ["get-us", "put-us", "call-ns", "map-s", "unmap-s", "round-us", "pin-s"];

    /// <summary>The programs a workload may run (docs/validation.md).</summary>
    public static readonly IReadOnlyList<string> Programs = ["gup_test", "iommupt_perf", "vfio-pci-mem-dma-map", "rxe-mr-reg-dereg", "qemu-vfio-pin"];

    /// <summary>The measures each program yields.</summary>
    public static IReadOnlyList<string> MeasuresOf(string program) => program switch
    {
        "gup_test" => ["get-us", "put-us"],
        "iommupt_perf" => ["call-ns"],
        "rxe-mr-reg-dereg" => ["round-us"],
        "qemu-vfio-pin" => ["pin-s"],
        _ => ["map-s", "unmap-s"],
    };

    private static readonly Dictionary<string, string> Keys = new()
    {
        ["set"] = "calibration | validation",
        ["source"] = "where it was published: commit id and subject, or lkml Message-ID, author, date",
        ["link"] = "a URL of the text (optional)",
        ["machine"] = "the machine it was measured on: a shipped profile or a machine file (x86-server, the default machine, when the source does not state it)",
        ["kernel"] = "the kernel version of the measured tree",
        ["workload"] = "the command as published: gup_test ARGS, iommupt_perf FORMAT map|unmap SIZE, vfio-pci-mem-dma-map DEVICE GB (SECTION), rxe-mr-reg-dereg GB (BACKING), or qemu-vfio-pin GB (BACKING [prealloc])",
        ["published"] = "the output as published, verbatim",
        ["mechanism"] = "what the case exercises",
        ["known-miss"] = "why the model misses it, when it does (optional)",
    };

    public static ValidationCase Load(string path)
    {
        var conf = ConfFile.Parse(ConfFile.ReadFile(path, "validation case", 64 * 1024), path);
        string Error(string key, string problem) => conf.TryGetValue(key, out var v) ? $"{path}:{v.Line}: {key}: {problem}" : $"{path}: {key}: {problem}";
        string Required(string key) => conf.TryGetValue(key, out var v) && v.Text.Trim().Length > 0 ? v.Text : throw new ConfException(Error(key, "is required"));

        var figures = new List<PublishedFigure>();
        var features = new List<(string, bool)>();
        foreach (var (key, v) in conf.OrderBy(kv => kv.Value.Line))
        {
            if (key.StartsWith("measure.", StringComparison.Ordinal))
            {
                var measure = key["measure.".Length..];
                if (!Measures.Contains(measure)) throw new ConfException(Error(key, $"unknown measure '{measure}' (known: {string.Join(", ", Measures)})"));
                if (!double.TryParse(v.Text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value) || !(value > 0) || !double.IsFinite(value))
                    throw new ConfException(Error(key, $"'{v.Text}' is not a positive number"));
                figures.Add(new PublishedFigure(measure, value));
            }
            else if (key.StartsWith("features.", StringComparison.Ordinal))
            {
                var name = key["features.".Length..];
                if (KernelFeature.Find(name) is null)
                    throw new ConfException(Error(key, $"unknown feature '{name}' (known: {string.Join(", ", KernelFeature.All.Select(f => f.Name))})"));
                features.Add((name, v.Text switch
                {
                    "on" or "true" => true,
                    "off" or "false" => false,
                    _ => throw new ConfException(Error(key, $"'{v.Text}' is not on or off")),
                }));
            }
            else if (!Keys.ContainsKey(key))
                throw new ConfException($"{path}:{v.Line}: unknown key '{key}' (a case names a machine, a kernel and a workload, never a cost; known keys: " +
                                        $"{string.Join(", ", Keys.Keys)}, measure.NAME, features.NAME)");
        }
        if (figures.Count == 0) throw new ConfException($"{path}: no measure.NAME = VALUE: a case needs a published figure");

        var set = Required("set") switch
        {
            "calibration" => ValidationSet.Calibration,
            "validation" => ValidationSet.Validation,
            var s => throw new ConfException(Error("set", $"'{s}' is not calibration or validation")),
        };
        var kernelText = Required("kernel");
        if (KernelProfile.Problem(kernelText) is { } wrong) throw new ConfException(Error("kernel", wrong));
        MachineProfile machine;
        try
        {
            var m = Required("machine");
            machine = MachineProfileFile.Resolve(m, Path.GetDirectoryName(Path.GetFullPath(path)));
        }
        catch (ConfException e) when (conf.ContainsKey("machine"))
        {
            throw new ConfException(Error("machine", e.Message));
        }
        var workload = Required("workload").Trim();
        var program = workload.Split(' ')[0];
        if (!Programs.Contains(program))
            throw new ConfException(Error("workload", $"'{workload}' runs neither {string.Join(" nor ", Programs)}"));
        if (program == "iommupt_perf" && IommuPtPerf.Parse(workload) is { Problem: { } bad })
            throw new ConfException(Error("workload", bad));
        if (program == "vfio-pci-mem-dma-map" && VfioDmaMap.Parse(workload) is { Problem: { } wrongVfio })
            throw new ConfException(Error("workload", wrongVfio));
        if (program == "rxe-mr-reg-dereg" && RxeMrRegDereg.Parse(workload) is { Problem: { } wrongRxe })
            throw new ConfException(Error("workload", wrongRxe));
        if (program == "qemu-vfio-pin" && QemuVfioPin.Parse(workload) is { Problem: { } wrongQemu })
            throw new ConfException(Error("workload", wrongQemu));
        foreach (var f in figures.Where(f => !MeasuresOf(program).Contains(f.Measure)))
            throw new ConfException(Error("measure." + f.Measure, $"{program} does not give {f.Measure} (it gives {string.Join(", ", MeasuresOf(program))})"));
        return new ValidationCase
        {
            Name = Path.GetFileNameWithoutExtension(path), Set = set, Source = Required("source"), Link = conf.TryGetValue("link", out var l) ? l.Text : null,
            Machine = machine, Kernel = KernelVersion.TryParse(kernelText)!.Value, Features = features, Workload = workload,
            Published = Required("published"), Figures = figures, Mechanism = Required("mechanism"),
            KnownMiss = conf.TryGetValue("known-miss", out var k) ? k.Text : null,
        };
    }

    /// <summary>The program the workload runs.</summary>
    public string Program => Workload.Split(' ')[0];

    /// <summary>gup_test's arguments, after the program name.</summary>
    public IReadOnlyList<string> WorkloadArgs() => Workload.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).ToList();
}
