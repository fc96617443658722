using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Phyr.Domain.Units;
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
        var scale = new Command("scale",
            "Host memory and time against simulated memory: RDMA registration and a VFIO guest of --sizes of 4 KiB pages, each a " +
            "phyr run of its own (peak RSS, bytes and host ns per simulated page, the fitted exponent of time against pages; a size " +
            "the memory budget refuses is shown with its estimate), then 64 CPUs on 1 and 2 threads. Run it alone on the machine.");
        scale.Options.Add(Sizes);
        scale.Options.Add(Fragmentation);
        scale.Options.Add(Format);
        scale.SetAction(Scale);
        var bench = new Command("bench", "Benchmarks that print figures (never run as tests).");
        bench.Subcommands.Add(engine);
        bench.Subcommands.Add(scale);
        return bench;
    }

    private static readonly Option<string?> Sizes = new("--sizes") { Description = "Region sizes, comma-separated. Default 1G,16G,64G,256G,1T.", HelpName = "LIST" };
    private static readonly Option<string?> Fragmentation = new("--fragmentation") { Description = "The layout's fragmentation. Default 0.5 (the scenarios').", HelpName = "F" };

    private static int Scale(ParseResult parse)
    {
        var json = parse.GetValue(Format) is { } f &&
                   OptionValues.OneOf("--format", f, new Dictionary<string, bool> { ["table"] = false, ["json"] = true });
        var sizes = (parse.GetValue(Sizes) ?? "1G,16G,64G,256G,1T").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(t => OptionValues.Bytes("--sizes", t)).ToList();
        if (sizes.Count == 0 || sizes.Any(b => b == 0 || b % (1UL << 30) != 0 || b > 1UL << 40))
            throw new UsageException("--sizes", "give sizes of whole GiB, at most 1T (e.g. 1G,16G)");
        var fragmentation = parse.GetValue(Fragmentation) is { } fr ? OptionValues.Fraction("--fragmentation", fr) : 0.5;
        var error = parse.InvocationConfiguration.Error;
        var r = ScaleBenchmark.Run(sizes, fragmentation, line => error.WriteLine($"bench scale: {line}"));
        var output = parse.InvocationConfiguration.Output;
        if (json)
        {
            output.WriteLine(JsonText.Indented(w =>
            {
                w.WriteStartObject();
                w.WriteStartArray("rows");
                foreach (var row in r.Rows)
                {
                    w.WriteStartObject();
                    w.WriteString("device", row.Device);
                    w.WriteNumber("region_bytes", row.Bytes);
                    if (row.Refused is { } why) w.WriteString("refused", why);
                    else
                    {
                        w.WriteNumber("peak_rss_bytes", Math.Round(row.PeakRssBytes!.Value));
                        w.WriteNumber("bytes_per_page", Math.Round(row.BytesPerPage!.Value, 1));
                        w.WriteNumber("host_ns_per_page", Math.Round(row.HostNsPerPage!.Value, 1));
                        w.WriteNumber("host_s", Math.Round(row.HostSeconds!.Value, 3));
                        w.WriteNumber("simulation_s", Math.Round(row.RunSeconds!.Value, 3));
                    }
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteStartObject("time_exponent");
                foreach (var (device, e) in r.Exponents) if (!double.IsNaN(e)) w.WriteNumber(device, Math.Round(e, 3));
                w.WriteEndObject();
                w.WriteNumber("cpus64_s_1_thread", Math.Round(r.Cpus64Seconds1Thread, 3));
                w.WriteNumber("cpus64_s_2_threads", Math.Round(r.Cpus64Seconds2Threads, 3));
                w.WriteEndObject();
            }));
            return ExitCodes.Ok;
        }
        output.WriteLine("device  region    peak RSS   bytes/page  host ns/page   host s  of which simulating");
        foreach (var row in r.Rows)
            output.WriteLine(row.Refused is { } why
                ? $"{row.Device,-6}  {ByteSize.Format(row.Bytes),-7}  refused: {why}"
                : $"{row.Device,-6}  {ByteSize.Format(row.Bytes),-7}  {row.PeakRssBytes / 1e6,7:0} MB  {row.BytesPerPage,10:0.0}  {row.HostNsPerPage,12:0.0}  {row.HostSeconds,7:0.00}  {row.RunSeconds,7:0.00}");
        foreach (var (device, e) in r.Exponents)
            output.WriteLine($"{device}: host time ~ pages^{(double.IsNaN(e) ? "?" : e.ToString("0.00", CultureInfo.InvariantCulture))}");
        output.WriteLine($"64 CPUs x 16 MiB (rdma): {r.Cpus64Seconds1Thread:0.00} s on 1 thread, {r.Cpus64Seconds2Threads:0.00} s on 2 " +
                         $"({r.Cpus64Seconds1Thread / r.Cpus64Seconds2Threads:0.00}x)");
        return ExitCodes.Ok;
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
