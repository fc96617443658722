using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Phyr.Domain.Scenarios;
using Phyr.Domain.Units;
using Phyr.Host.Config;

namespace Phyr.Host.Bench;

/// <summary>
/// `phyr bench scale`: how host memory and time grow with the simulated memory. Each size runs as its own `phyr run`
/// (a child process, so that each peak is its own): RDMA registration (the keys of rdma-register-1g-4k-b16 at batch 512)
/// and a VFIO guest (those of vfio-guest-4g-4k), one CPU, 4 KiB pages. Peak RSS is the child's VmHWM, read from /proc while it runs;
/// host time is the run's own wall time (results.json's host block), without the process's start. A size the memory
/// budget refuses (Footprint) is reported with the estimate, not run. Then one scenario of 64 CPUs on 1 and 2 threads.
/// </summary>
public static class ScaleBenchmark
{
    /// <param name="HostSeconds">The child's whole run, start to exit (what a user waits: building the machine, the prefault, the simulation, the results).</param>
    /// <param name="RunSeconds">The simulation's own part of it (results.json's host wall time).</param>
    public sealed record Row(string Device, ulong Bytes, double Pages, double? PeakRssBytes, double? HostSeconds, double? RunSeconds, string? Refused)
    {
        public double? BytesPerPage => PeakRssBytes / Pages;
        public double? HostNsPerPage => HostSeconds * 1e9 / Pages;
    }

    public sealed record Result(IReadOnlyList<Row> Rows, IReadOnlyDictionary<string, double> Exponents, double Cpus64Seconds1Thread, double Cpus64Seconds2Threads);

    // The two workloads' keys (region and fragmentation added per run).
    private const string Rdma = "cpus = 1\nbacking = anon-4k\ngup.call = get_user_phyrs\ngup.batch = 512\ngup.walk = locked\n" +
                                "gup.longterm = true\ndma.strategy = phyr-native\niommu.mode = strict\ndevice = rdma\n";
    private const string Vfio = "cpus = 1\nbacking = anon-4k\ngup.call = pin_user_pages\ngup.batch = 512\ngup.walk = fast\n" +
                                "iommu.mode = strict\ndevice = vfio\n";

    private static readonly (string Device, string Keys)[] Devices = [("rdma", Rdma), ("vfio", Vfio)];

    public static Result Run(IReadOnlyList<ulong> sizes, double fragmentation, Action<string> progress)
    {
        var work = Directory.CreateTempSubdirectory("phyr-bench-scale-").FullName;
        try
        {
            var rows = new List<Row>();
            foreach (var (device, keys) in Devices)
                foreach (var size in sizes)
                {
                    var file = Write(work, $"{device}-{size}.conf",
                        $"name = scale-{device}\nregion = {size}\nlayout.fragmentation = {fragmentation.ToString(CultureInfo.InvariantCulture)}\n{keys}");
                    var s = ScenarioFile.Load(file);
                    var pages = (double)s.RegionBytes / 4096;
                    if (MachineMemory.Problem([s]) is { } refused)
                    {
                        rows.Add(new Row(device, size, pages, null, null, null, refused));
                        progress($"{device} {ByteSize.Format(size)}: refused ({refused})");
                        continue;
                    }
                    var (peak, seconds, run) = Child(work, file, 1);
                    rows.Add(new Row(device, size, pages, peak, seconds, run, null));
                    progress($"{device} {ByteSize.Format(size)}: {peak / 1e6:0} MB peak, {seconds:0.00} s ({run:0.00} s simulating)");
                }
            var exponents = rows.GroupBy(r => r.Device).ToDictionary(g => g.Key, g => Exponent([.. g.Where(r => r.HostSeconds is not null)]));
            var wide = Write(work, "cpus64.conf", "name = scale-64cpu\nregion = 16M\nlayout.fragmentation = 0.5\n" + Rdma.Replace("cpus = 1", "cpus = 64"));
            var one = Child(work, wide, 1).Run;
            var two = Child(work, wide, 2).Run;
            progress($"64 CPUs x 16 MiB: {one:0.00} s on 1 thread, {two:0.00} s on 2");
            return new Result(rows, exponents, one, two);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private static string Write(string dir, string name, string text)
    {
        var path = Path.Combine(dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    /// <summary>Runs `phyr run FILE` as a child: its peak RSS (VmHWM, polled), its wall time start to exit, and the simulation's own from its results.</summary>
    private static (double Peak, double Seconds, double Run) Child(string work, string scenario, int parallelism)
    {
        var self = Environment.ProcessPath!;
        var args = new List<string>();
        if (Path.GetFileNameWithoutExtension(self) == "dotnet") args.Add(Environment.GetCommandLineArgs()[0]);
        var outDir = Path.Combine(work, Path.GetFileNameWithoutExtension(scenario) + $"-p{parallelism}");
        args.AddRange(["run", scenario, "--out", outDir, "--parallelism", parallelism.ToString(CultureInfo.InvariantCulture)]);
        var start = new ProcessStartInfo(self, args) { RedirectStandardOutput = true, RedirectStandardError = true };
        var clock = Stopwatch.StartNew();
        using var p = Process.Start(start)!;
        var status = $"/proc/{p.Id}/status";
        double peak = 0;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        while (!p.WaitForExit(50))
        {
            try
            {
                foreach (var line in File.ReadLines(status))
                    if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                        peak = Math.Max(peak, StatusBytes(line));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
            }
        }
        var seconds = clock.Elapsed.TotalSeconds;
        if (p.ExitCode != 0) throw new InvalidOperationException($"phyr run {scenario} exited {p.ExitCode}: {stderr.Result}{stdout.Result}");
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "results.json")));
        return (peak, seconds, doc.RootElement.GetProperty("host").GetProperty("wall_time_s").GetDouble());
    }

    /// <summary>The bytes of a /proc/PID/status line such as <c>VmHWM:\t15123872 kB</c> (a tab, and spaces only when the number is short).</summary>
    public static double StatusBytes(string line) =>
        double.Parse(line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;

    /// <summary>The fitted exponent of time against pages (least squares of the logs); NaN with fewer than two sizes.</summary>
    private static double Exponent(IReadOnlyList<Row> rows)
    {
        if (rows.Count < 2) return double.NaN;
        var xs = rows.Select(r => Math.Log(r.Pages)).ToArray();
        var ys = rows.Select(r => Math.Log(r.HostSeconds!.Value)).ToArray();
        var (mx, my) = (xs.Average(), ys.Average());
        return xs.Zip(ys, (x, y) => (x - mx) * (y - my)).Sum() / xs.Sum(x => (x - mx) * (x - mx));
    }
}
