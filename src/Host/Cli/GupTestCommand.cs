using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Phyr.Actors.Scenarios;
using Phyr.Domain.Config;
using Phyr.Domain.Costs;
using Phyr.Domain.Kernels;
using Phyr.Domain.Machines;
using Phyr.Domain.Mm;
using Phyr.Domain.Scenarios;
using Phyr.Host.Cli;
using Phyr.Host.Config;
using Phyr.Host.Output;

namespace Phyr.Host.Cli;

/// <summary>
/// `phyr gup-test`: tools/testing/selftests/mm/gup_test.c's flags and output lines, run on the simulated
/// machine: a region is mapped and faulted in, then each of -j threads gets (pins) it -n pages per call and
/// puts it, timed apart, in simulated microseconds. docs/gup-test.md maps every flag to the model.
/// </summary>
public static class GupTestCommand
{
    private static readonly Dictionary<string, (string Cmd, bool Fast, bool Longterm, bool PutPerPage)> Commands = new()
    {
        ["u"] = ("GUP_FAST_BENCHMARK", true, false, true),
        ["a"] = ("PIN_FAST_BENCHMARK", true, false, false),
        ["L"] = ("PIN_LONGTERM_BENCHMARK", false, true, false),
        ["U"] = ("GUP_BASIC_TEST", false, false, true),
        ["b"] = ("PIN_BASIC_TEST", false, false, false),
    };

    private static Option<bool> Flag(string name, string description) => new(name) { Description = description };
    private static Option<string?> Value(string name, string description, string help) => new(name) { Description = description, HelpName = help };

    private static readonly Option<bool> U = Flag("-u", "GUP_FAST_BENCHMARK: get_user_pages_fast, put_page per page (the default).");
    private static readonly Option<bool> A = Flag("-a", "PIN_FAST_BENCHMARK: pin_user_pages_fast, unpin_user_pages.");
    private static readonly Option<bool> L = Flag("-L", "PIN_LONGTERM_BENCHMARK: pin_user_pages (the locked path) with FOLL_LONGTERM.");
    private static readonly Option<bool> BasicGup = Flag("-U", "GUP_BASIC_TEST: get_user_pages (the locked path).");
    private static readonly Option<bool> BasicPin = Flag("-b", "PIN_BASIC_TEST: pin_user_pages (the locked path).");
    private static readonly Option<bool> Dump = Flag("-c", "DUMP_USER_PAGES_TEST: refused (the model holds no page contents).");
    private static readonly Option<bool> Touch = Flag("-z", "Fault pages in GUP instead of user space: the region is not prefaulted, so get includes every fault (handle_mm_fault, the folio cleared).");
    private static readonly Option<string?> Mb = Value("-m", "Region size in MiB. Default 128.", "MB");
    private static readonly Option<string?> PerCall = Value("-n", "Pages per call. Default 1; negative: the whole region in one call.", "N");
    private static readonly Option<string?> Repeats = Value("-r", "Repeats. Default 1.", "N");
    private static readonly Option<string?> Threads = Value("-j", "Threads, all pinning the same region. Default 1.", "N");
    private static readonly Option<bool> ThpOn = Flag("-t", "THP on: the region is backed by 2 MiB transparent huge pages.");
    private static readonly Option<bool> ThpOff = Flag("-T", "THP off: 4 KiB pages (also the default).");
    private static readonly Option<bool> Hugetlb = Flag("-H", "MAP_HUGETLB: hugetlb pages of --hugepage-size.");
    private static readonly Option<bool> Shared = Flag("-S", "MAP_SHARED instead of MAP_PRIVATE (shmem pages: modelled like anonymous ones).");
    private static readonly Option<bool> Write = Flag("-w", "FOLL_WRITE (the default).");
    private static readonly Option<bool> Read = Flag("-W", "No FOLL_WRITE.");
    private static readonly Option<string?> GupFlags = Value("-F", "gup_flags, as a number (FOLL_WRITE 0x1 and FOLL_LONGTERM 0x100 change the model).", "FLAGS");
    private static readonly Option<string?> FileOpt = Value("-f", "File to map: /dev/zero (default); a path on hugetlbfs (/dev/hugepages, /mnt/huge, ...) gives hugetlb pages.", "FILE");
    private static readonly Option<string?> HugepageSize = Value("--hugepage-size", "What -H and hugetlbfs give: 2M (default) or 1G.", "2M|1G");
    private static readonly Option<string?> Cpus = Value("--cpus", "CPUs of the simulated machine. Default: -j.", "N");
    private static readonly Option<string?> Sockets = Value("--sockets", "Sockets of the simulated machine. Default 1.", "N");
    private static readonly Option<string[]> Feature = new("--feature") { Description = "NAME=on|off: a kernel feature switch (see --list-features). Repeatable.", HelpName = "NAME=on|off", AllowMultipleArgumentsPerToken = false };
    private static readonly Option<bool> ListFeatures = Flag("--list-features", "List the feature switches with what they change and where they come from.");
    private static readonly Option<string?> CostModel = Value("--cost-model", "A cost-model file overriding the costs the machine gives (what-if; docs/gup-test.md).", "FILE");
    private static readonly Option<string?> Machine = Value("--machine", "The machine: a shipped profile (x86-server, the default; xeon-e5-2630v4) or a machine file (docs/machines.md).", "NAME|FILE");
    private static readonly Option<string?> Kernel = Value("--kernel", "A kernel version (3.13 to 6.19): the feature switches as it has them (docs/kernels.md); --feature overrides. Default 6.19.", "VERSION");
    private static readonly Option<string?> Fragmentation = Value("--fragmentation", "0..1: chance the region's frames break a run after each frame. Default 0: a benchmark machine's free memory, high-order blocks handed out in order.", "F");
    private static readonly Option<string?> Seed = Value("--seed", "Seed of the simulated machine's frame layout. Default 1.", "N");
    private static readonly Option<string?> Format = Value("--format", "text (gup_test's lines, default) or json.", "text|json");

    public static Command Create()
    {
        var command = new Command("gup-test",
            "The kernel's gup_test (tools/testing/selftests/mm/gup_test.c) on the simulated machine: same flags, same output lines, " +
            "simulated microseconds. Example: phyr gup-test -L -n 512 -m 8192 -T");
        foreach (var o in new Option[] { U, A, L, BasicGup, BasicPin, Dump, Touch, Mb, PerCall, Repeats, Threads, ThpOn, ThpOff, Hugetlb, Shared,
                     Write, Read, GupFlags, FileOpt, HugepageSize, Cpus, Sockets, Feature, ListFeatures, CostModel, Machine, Kernel, Fragmentation, Seed, Format })
            command.Options.Add(o);
        command.SetAction(Execute);
        return command;
    }

    /// <summary>What one gup_test invocation runs: the benchmark's name, the scenario, how many times.</summary>
    public sealed record GupTestPlan(string Command, Scenario Scenario, int Repeats, ulong Seed);

    private static int Execute(ParseResult p)
    {
        var output = p.InvocationConfiguration.Output;
        if (p.GetValue(ListFeatures))
        {
            foreach (var k in KernelFeature.All) output.WriteLine($"{k.Name}: {k.Description}. Source: {k.Source}.");
            return ExitCodes.Ok;
        }
        var plan = Plan(p);
        var json = p.GetValue(Format) is { } fmt &&
                   OptionValues.OneOf("--format", fmt, new Dictionary<string, bool> { ["text"] = false, ["json"] = true });
        var runs = Run(plan);
        if (json) WriteJson(output, plan.Command, plan.Scenario, runs);
        else
            foreach (var run in runs)
                foreach (var t in run.Threads)
                    output.WriteLine($"{plan.Command}: Time: get:{t.GetNs / 1000} put:{t.PutNs / 1000} us");
        return ExitCodes.Ok;
    }

    /// <summary>Parses gup_test's arguments (<paramref name="args"/> without the program name) into a plan; throws UsageException.</summary>
    public static GupTestPlan Plan(IReadOnlyList<string> args)
    {
        var parsed = Create().Parse(args.ToArray());
        if (parsed.Errors.Count > 0) throw new UsageException("gup_test", parsed.Errors[0].Message);
        return Plan(parsed);
    }

    /// <summary>Runs the plan's repeats on one simulated machine each; deterministic for the plan.</summary>
    public static IReadOnlyList<ScenarioResult> Run(GupTestPlan plan)
    {
        var parallelism = Math.Min(Environment.ProcessorCount, plan.Scenario.Cpus);
        var runs = new List<ScenarioResult>();
        using var system = SimulationSystem.Create("phyr-gup-test", parallelism);
        for (var i = 0; i < plan.Repeats; i++)
            runs.Add(ScenarioRunner.RunAsync(plan.Scenario, plan.Seed, system, SimulationSystem.Dispatcher(parallelism), parallelism).GetAwaiter().GetResult());
        return runs;
    }

    private static GupTestPlan Plan(ParseResult p)
    {
        if (p.GetValue(Dump)) throw new UsageException("-c", "DUMP_USER_PAGES_TEST has no meaning in the model: it holds no page contents");

        var chosen = new[] { ("u", U), ("a", A), ("L", L), ("U", BasicGup), ("b", BasicPin) }.Where(c => p.GetValue(c.Item2)).ToList();
        if (chosen.Count > 1) throw new UsageException("-" + chosen[1].Item1, $"cannot be combined with -{chosen[0].Item1}: give one benchmark");
        var command = Commands[chosen.Count == 0 ? "u" : chosen[0].Item1];

        var mb = p.GetValue(Mb) is { } m ? OptionValues.Count("-m", m) : 128UL;
        if (mb == 0 || mb > 1UL << 20) throw new UsageException("-m", $"{mb} MiB is not between 1 and {1 << 20}");
        var threads = p.GetValue(Threads) is { } j ? (int)Math.Min(OptionValues.Count("-j", j), 4097) : 1;
        if (threads < 1 || threads > 4096) throw new UsageException("-j", "must be between 1 and 4096");
        var repeats = p.GetValue(Repeats) is { } r ? (int)Math.Min(OptionValues.Count("-r", r), 1001) : 1;
        if (repeats < 1 || repeats > 1000) throw new UsageException("-r", "must be between 1 and 1000");
        int? cpus = p.GetValue(Cpus) is { } c ? (int)Math.Min(OptionValues.Count("--cpus", c), 4097) : null;
        if (cpus is { } cs && (cs < threads || cs > 4096)) throw new UsageException("--cpus", $"must be between -j ({threads}) and 4096");
        int? sockets = p.GetValue(Sockets) is { } so ? (int)Math.Min(OptionValues.Count("--sockets", so), 4097) : null;
        var cpuCount = cpus ?? threads;
        if (sockets is { } ss && (ss < 1 || ss > cpuCount || cpuCount % ss != 0)) throw new UsageException("--sockets", $"must divide --cpus ({cpuCount})");

        var backing = Backing(p);
        var size = mb << 20;
        if (size % backing.FolioBytes() != 0)
            throw new UsageException("-m", $"{mb} MiB is not a whole number of {backing.FolioBytes() >> 20} MiB huge pages");
        var pages = (long)(size >> 12);
        var perCall = p.GetValue(PerCall) is { } n ? ParsePerCall(n, pages) : 1;

        var longterm = command.Longterm;
        if (p.GetValue(GupFlags) is { } f)
        {
            var flags = ParseFlags(f);
            if ((flags & 0x100) != 0) longterm = true; // FOLL_LONGTERM
        }
        if (p.GetValue(Write) && p.GetValue(Read)) throw new UsageException("-W", "cannot be combined with -w");

        var features = ParseFeatures(p.GetValue(Feature) ?? []);
        CostOverrides costs;
        try
        {
            costs = p.GetValue(CostModel) is { } file ? CostModelFile.Load(file) : CostOverrides.None;
        }
        catch (ConfException e)
        {
            throw new UsageException("--cost-model", e.Message);
        }
        MachineProfile machine;
        try
        {
            machine = p.GetValue(Machine) is { } mname ? MachineProfileFile.Resolve(mname) : MachineProfiles.Default;
        }
        catch (ConfException e)
        {
            throw new UsageException("--machine", e.Message);
        }
        KernelVersion? kernel = null;
        if (p.GetValue(Kernel) is { } kv)
        {
            if (KernelProfile.Problem(kv) is { } wrong) throw new UsageException("--kernel", wrong);
            kernel = KernelVersion.TryParse(kv);
        }
        var fragmentation = p.GetValue(Fragmentation) is { } fr ? OptionValues.Fraction("--fragmentation", fr) : 0.0;
        var seed = p.GetValue(Seed) is { } s ? OptionValues.Count("--seed", s) : 1UL;

        if (cpus is null && threads > machine.Cpus)
            throw new UsageException("-j", $"{threads} threads on {machine.Name}, a machine of {machine.Cpus} CPUs: give --cpus or a larger --machine");
        // Without --cpus / --sockets the threads are placed on the machine's sockets in order.
        var perSocket = cpus is null && sockets is null ? machine.CpusPerSocket : cpuCount / (sockets ?? 1);
        var scenario = new Scenario
        {
            Name = "gup-test", Cpus = threads, SharedRegion = threads > 1, CpusPerSocket = perSocket, RegionBytes = size, Backing = backing,
            Fragmentation = fragmentation, Call = GupCallKind.PinUserPages, Batch = perCall, Prefault = !p.GetValue(Touch), Machine = machine, CostOverrides = costs,
            Gup = new GupOptions { Walk = command.Fast ? GupWalk.Fast : GupWalk.Locked, Longterm = longterm, PutPerPage = command.PutPerPage, Write = !p.GetValue(Read) },
        };
        if (kernel is { } version) scenario = KernelProfile.Apply(scenario, version);
        foreach (var (feature, on) in features) scenario = feature.Set(scenario, on);
        if (scenario.Problems().FirstOrDefault() is ({ } bad, { } problem)) throw new UsageException(bad, problem);
        if (MachineMemory.Problem([scenario]) is { } tooBig) throw new UsageException("-m", tooBig);
        return new GupTestPlan(command.Cmd, scenario, repeats, seed);
    }


    private static Domain.Mm.Backing Backing(ParseResult p)
    {
        var huge = p.GetValue(HugepageSize) is { } hs
            ? OptionValues.OneOf("--hugepage-size", hs, new Dictionary<string, Domain.Mm.Backing>
            {
                ["2m"] = Domain.Mm.Backing.Hugetlb2M, ["1g"] = Domain.Mm.Backing.Hugetlb1G,
            })
            : Domain.Mm.Backing.Hugetlb2M;
        var file = p.GetValue(FileOpt);
        var onHugetlbfs = file is not null && new[] { "/dev/hugepages", "/mnt/huge", "/hugetlbfs", "/dev/hugetlbfs" }
            .Any(mount => file.StartsWith(mount + "/", StringComparison.Ordinal));
        if (file is not null && file != "/dev/zero" && !onHugetlbfs)
            throw new UsageException("-f", $"'{file}' would be page cache: only /dev/zero (anonymous) and hugetlbfs files (/dev/hugepages/..., /mnt/huge/...) are modelled");
        if (p.GetValue(Hugetlb) || onHugetlbfs)
        {
            if (p.GetValue(ThpOn)) throw new UsageException("-t", "THP does not apply to hugetlb mappings (-H or a hugetlbfs file)");
            return huge;
        }
        if (p.GetValue(ThpOn) && p.GetValue(ThpOff)) throw new UsageException("-T", "cannot be combined with -t");
        return p.GetValue(ThpOn) ? Domain.Mm.Backing.Thp : Domain.Mm.Backing.Anon4K;
    }

    private static int ParsePerCall(string text, long pages)
    {
        if (!long.TryParse(text.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) || n == 0)
            throw new UsageException("-n", $"'{text}' is not a page count (a positive number, or negative for the whole region)");
        return (int)Math.Min(n < 0 ? pages : n, int.MaxValue);
    }

    private static long ParseFlags(string text)
    {
        var t = text.Trim();
        var ok = t.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? long.TryParse(t[2..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var v)
            : long.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out v);
        if (!ok || v < 0) throw new UsageException("-F", $"'{text}' is not a gup_flags number (decimal or 0x hex)");
        return v;
    }

    /// <summary>The switches <c>--feature NAME=on|off</c> set, in the order given (a later one wins).</summary>
    private static List<(KernelFeature Feature, bool On)> ParseFeatures(string[] settings)
    {
        var values = new List<(KernelFeature, bool)>();
        foreach (var setting in settings)
        {
            var eq = setting.IndexOf('=');
            var name = eq < 0 ? setting : setting[..eq];
            var feature = KernelFeature.Find(name)
                ?? throw new UsageException("--feature", $"unknown feature '{name}' (known: {string.Join(", ", KernelFeature.All.Select(f => f.Name))}; see --list-features)");
            var on = (eq < 0 ? "" : setting[(eq + 1)..]) switch
            {
                "on" => true,
                "off" => false,
                var v => throw new UsageException("--feature", $"'{setting}': the value must be on or off, not '{v}'"),
            };
            values.Add((feature, on));
        }
        return values;
    }

    private static void WriteJson(TextWriter output, string cmd, Scenario s, IReadOnlyList<ScenarioResult> runs)
    {
        var written = JsonText.Indented(w =>
        {
            w.WriteStartObject();
            w.WriteString("command", cmd);
            w.WriteNumber("size_bytes", s.RegionBytes);
            w.WriteNumber("pages_per_call", s.Batch);
            w.WriteNumber("threads", s.Cpus);
            w.WriteStartArray("runs");
            foreach (var run in runs)
            {
                w.WriteStartObject();
                w.WriteStartArray("threads");
                foreach (var t in run.Threads)
                {
                    w.WriteStartObject();
                    w.WriteNumber("get_us", t.GetNs / 1000);
                    w.WriteNumber("put_us", t.PutNs / 1000);
                    w.WriteNumber("get_ns", t.GetNs);
                    w.WriteNumber("put_ns", t.PutNs);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                ResultsJson.Metrics(w, run.Metrics);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        });
        output.WriteLine(written);
    }
}
