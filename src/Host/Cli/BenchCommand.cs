using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Phyr.Host.Bench;
using Phyr.Host.Cli;
using Phyr.Host.Output;

namespace Phyr.Host.Cli;

/// <summary>`phyr bench engine`: what the virtual-time engine costs against bare Akka.NET.</summary>
public static class BenchCommand
{
    private static readonly Option<string?> Format = new("--format") { Description = "Output: table (default) or json.", HelpName = "table|json" };
    private static readonly Option<string?> Cpus = new("--cpus") { Description = "Simulated CPUs. Default 64.", HelpName = "N" };
    private static readonly Option<string?> Locks = new("--locks") { Description = "Locks they contend for. Default 16.", HelpName = "N" };
    private static readonly Option<string?> Iterations = new("--iterations") { Description = "Acquisitions per CPU. Default 3000.", HelpName = "N" };
    private static readonly Option<string?> Threads = new("--threads") { Description = "Host threads of the actor system. Default: the machine's cores.", HelpName = "N" };
    private static readonly Option<string?> Partitions = new("--partitions") { Description = "Engine partitions (partition actors). Default: --threads.", HelpName = "N" };
    private static readonly Option<string?> Repeats = new("--repeats") { Description = "Measurements per figure; the best is reported. Default 3.", HelpName = "N" };
    private static readonly Option<string?> Idle = new("--idle-components") { Description = "Components for the idle-cost measurement. Default 100000.", HelpName = "N" };

    public static Command Create()
    {
        var engine = new Command("engine",
            "Contention microbenchmark (CPUs taking locks) through the virtual-time engine and, in the same process, " +
            "the same message pattern between bare Akka.NET actors; plus 1-thread scaling and idle-component cost. " +
            "Reports engine_events_per_s, raw_akka_msgs_per_s, ratio, threads. Run it alone on the machine.");
        foreach (var o in new[] { Format, Cpus, Locks, Iterations, Threads, Partitions, Repeats, Idle }) engine.Options.Add(o);
        engine.SetAction(Execute);
        var bench = new Command("bench", "Benchmarks that print figures (never run as tests).");
        bench.Subcommands.Add(engine);
        return bench;
    }

    private static int Positive(ParseResult parse, Option<string?> option, int fallback)
    {
        if (parse.GetValue(option) is not { } text) return fallback;
        var n = OptionValues.Count(option.Name, text);
        if (n < 1 || n > int.MaxValue) throw new UsageException(option.Name, $"'{text}' must be between 1 and {int.MaxValue}");
        return (int)n;
    }

    private static int Execute(ParseResult parse)
    {
        var json = parse.GetValue(Format) is { } f &&
                   OptionValues.OneOf("--format", f, new Dictionary<string, bool> { ["table"] = false, ["json"] = true });
        var threads = Positive(parse, Threads, Environment.ProcessorCount);
        var options = new EngineBenchmark.Options(
            Positive(parse, Cpus, 64), Positive(parse, Locks, 16), Positive(parse, Iterations, 3000), threads,
            Positive(parse, Partitions, threads), Positive(parse, Repeats, 3), Positive(parse, Idle, 100_000));
        var error = parse.InvocationConfiguration.Error;
        var r = EngineBenchmark.Run(options, line => error.WriteLine($"bench engine: {line}"));
        var output = parse.InvocationConfiguration.Output;
        if (json) WriteJson(output, r);
        else WriteTable(output, r);
        return ExitCodes.Ok;
    }

    private static void WriteJson(TextWriter output, EngineBenchmark.Result r)
    {
        var written = JsonText.Indented(w =>
        {
            w.WriteStartObject();
            w.WriteNumber("engine_events_per_s", Math.Round(r.EngineEventsPerS));
            w.WriteNumber("raw_akka_msgs_per_s", Math.Round(r.RawAkkaMsgsPerS));
            w.WriteNumber("ratio", Math.Round(r.Ratio, 4));
            w.WriteNumber("threads", r.Threads);
            w.WriteNumber("partitions", r.Partitions);
            w.WriteNumber("engine_events_per_s_1_thread", Math.Round(r.EngineEventsPerS1Thread));
            w.WriteNumber("speedup_vs_1_thread", Math.Round(r.Speedup, 3));
            w.WriteNumber("engine_events_per_s_1_partition", Math.Round(r.EngineEventsPerSSequential));
            w.WriteNumber("ratio_1_partition", Math.Round(r.EngineEventsPerSSequential / r.RawAkkaMsgsPerS, 3));
            w.WriteNumber("engine_events", r.Events);
            w.WriteNumber("raw_akka_msgs", r.RawMessages);
            w.WriteString("digest", r.Digest.ToString("x16"));
            w.WriteNumber("rounds", r.Rounds);
            w.WriteNumber("partition_messages", r.Messages);
            w.WriteNumber("idle_component_bytes", Math.Round(r.IdleComponentBytes, 1));
            w.WriteNumber("idle_components", r.IdleComponents);
            w.WriteNumber("idle_components_start_s", Math.Round(r.StartIdleComponentsS, 3));
            w.WriteStartObject("workload");
            w.WriteNumber("cpus", r.Workload.Cpus);
            w.WriteNumber("locks", r.Workload.Locks);
            w.WriteNumber("iterations", r.Workload.Iterations);
            w.WriteNumber("hold_ns", r.Workload.HoldNs);
            w.WriteNumber("max_think_ns", r.Workload.MaxThinkNs);
            w.WriteEndObject();
            w.WriteEndObject();
        });
        output.WriteLine(written);
    }

    private static void WriteTable(TextWriter o, EngineBenchmark.Result r)
    {
        string N(double v) => v.ToString("N0", CultureInfo.InvariantCulture);
        o.WriteLine($"workload: {r.Workload.Cpus} CPUs, {r.Workload.Locks} locks, {r.Workload.Iterations} acquisitions each " +
                    $"(hold {r.Workload.HoldNs} ns, think 0..{r.Workload.MaxThinkNs} ns)");
        o.WriteLine($"engine:   {N(r.EngineEventsPerS)} events/s on {r.Threads} thread(s), {r.Partitions} partition(s); " +
                    $"{N(r.EngineEventsPerS1Thread)} on 1 thread (speedup {r.Speedup:0.00}x)");
        o.WriteLine($"1 part.:  {N(r.EngineEventsPerSSequential)} events/s with one partition (no synchronisation rounds)");
        o.WriteLine($"raw akka: {N(r.RawAkkaMsgsPerS)} msgs/s on {r.Threads} thread(s)");
        o.WriteLine($"ratio:    {r.Ratio:0.00} (engine events per raw Akka message; {r.EngineEventsPerSSequential / r.RawAkkaMsgsPerS:0.00} with one partition)");
        o.WriteLine($"run:      {N(r.Events)} events, {N(r.Rounds)} rounds, {N(r.Messages)} messages between partitions, digest {r.Digest:x16}");
        o.WriteLine($"idle:     {r.IdleComponentBytes:0} bytes per component; {N(r.IdleComponents)} components started in {r.StartIdleComponentsS:0.000} s");
    }
}
