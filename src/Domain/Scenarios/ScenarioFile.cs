using System.Globalization;
using Phyr.Domain.Config;
using Phyr.Domain.Dma;
using Phyr.Domain.Drivers.Nvme;
using Phyr.Domain.Kernels;
using Phyr.Domain.Machines;
using Phyr.Domain.Mm;
using Phyr.Domain.Units;

namespace Phyr.Domain.Scenarios;

/// <summary>
/// Reads a scenario (.conf): every key must be known and every value valid, or the file is refused with
/// one line naming the file, line, key and problem. docs/scenarios.md lists the keys.
/// </summary>
public static class ScenarioFile
{
    /// <summary>Every key, with what it takes (for errors and docs).</summary>
    public static readonly IReadOnlyDictionary<string, string> Keys = WithFeatures(new Dictionary<string, string>
    {
        ["name"] = "a name for the results",
        ["cpus"] = "threads of the process, one per CPU, each pinning its own region (1..4096)",
        ["cpus-per-socket"] = "CPUs per socket of the simulated machine",
        ["shared-region"] = "true | false: all CPUs pin the same region (as gup_test -j), not one each",
        ["region"] = "bytes each CPU pins, e.g. 1G (a multiple of the backing's page size)",
        ["backing"] = "anon-4k | thp | hugetlb-2m | hugetlb-1g | device",
        ["layout.fragmentation"] = "0..1: chance a run of frames breaks after each frame (default 0.5)",
        ["layout.pfns"] = "a pfn file for the 4 KiB frames faults get, relative to the scenario file",
        ["layout.describe"] = "true | false: describe CPU 0's region in every descriptor format (metrics format_bytes_*; default false)",
        ["gup.call"] = "pin_user_pages | get_user_phyrs",
        ["gup.batch"] = "capacity of one call: pages for pin_user_pages, phyr entries for get_user_phyrs; unlimited: the whole region in one call",
        ["gup.walk"] = "fast (lockless first) | locked",
        ["gup.longterm"] = "true | false: FOLL_LONGTERM",
        ["prefault"] = "true | false: fault the regions in before the run",
        ["prefault.write"] = "true | false: the prefault writes each page (a memset; the default) or reads it (MAP_POPULATE of a shared mapping: clean PTEs)",
        ["dma.strategy"] = "none | legacy | phyr-compat | phyr-native | iova-link: how the memory is mapped and registered",
        ["iommu.mode"] = "none | passthrough | strict | lazy",
        ["device"] = "rdma (memory regions registered with a NIC) | vfio (a guest's memory pinned and mapped at its guest-physical addresses) | nvme (O_DIRECT I/O)",
        ["nvme.io-size"] = "bytes per I/O, a multiple of 4K (default 4K)",
        ["nvme.queue-depth"] = "I/Os in flight per CPU (default 32)",
        ["nvme.ios"] = "I/Os per CPU (default 10000)",
        ["nvme.descriptor"] = "prp (a controller without SGLs: PRPs always, the default) | sgl (SGLs forced, as for a passthrough command) | auto (SGLs supported: nvme_map_data chooses by nvme.sgl-threshold)",
        ["nvme.sgl-threshold"] = "sgl_threshold: with auto, the average DMA segment in bytes from which a request takes SGLs (default 32K; 0: never by size)",
        ["nvme.buffers"] = "per-io (O_DIRECT: each I/O pins and unpins its buffer, the default) | fixed (io_uring registered buffers: pinned once, mapped per I/O)",
        ["nvme.latency"] = "the medium's latency per command in ns (default 10000)",
        ["nvme.bandwidth"] = "the PCIe link's bytes per second (default 7G)",
        ["device.max-segment"] = "the device's max DMA segment size (default 2G, as RDMA NICs set)",
        ["machine"] = "the machine the costs are made of: a shipped profile (x86-server, the default; xeon-e5-2630v4) or a machine file relative to this file",
        ["kernel"] = "a kernel version (e.g. 6.15, 3.13 to 6.19): the feature switches as that version has them; features.* override it (default: 6.19's)",
    });

    /// <summary>The feature switches' keys (features.NAME) after gup.longterm's group, in the list's order.</summary>
    private static Dictionary<string, string> WithFeatures(Dictionary<string, string> keys)
    {
        var ordered = new Dictionary<string, string>();
        foreach (var (key, text) in keys)
        {
            ordered[key] = text;
            if (key == "prefault.write")
                foreach (var f in KernelFeature.All) ordered[f.Key] = $"true | false: {f.Description}";
        }
        return ordered;
    }

    public static Scenario Load(string path)
    {
        return Parse(ConfFile.ReadFile(path, "scenario"), path, Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".");
    }

    public static Scenario Parse(string text, string source, string baseDirectory) =>
        FromConf(ConfFile.Parse(text, source), source, baseDirectory);

    /// <summary>Reads a file's keys (for experiments, which layer overrides and axis values on them).</summary>
    public static IReadOnlyDictionary<string, ConfValue> ReadKeys(string path)
    {
        return ConfFile.Parse(ConfFile.ReadFile(path, "scenario"), path);
    }

    /// <summary>A scenario from already-parsed keys; errors name <paramref name="source"/> and each value's line.</summary>
    /// <param name="conf">The keys.</param>
    /// <param name="source">The file (or request) the keys came from, for messages.</param>
    /// <param name="baseDirectory">Where relative paths go when a value does not name its own file.</param>
    /// <param name="resolvePfns">Turns a layout.pfns value into a path (default: relative to the file that names it); throws ConfException to refuse it.</param>
    /// <param name="resolveMachine">Turns a machine value into a profile (default: a shipped name, or a machine file relative to the file that names it); throws ConfException to refuse it.</param>
    public static Scenario FromConf(IReadOnlyDictionary<string, ConfValue> conf, string source, string baseDirectory,
        Func<ConfValue, string>? resolvePfns = null, Func<ConfValue, MachineProfile>? resolveMachine = null)
    {
        foreach (var (key, v) in conf.OrderBy(kv => kv.Value.Line))
            if (!Keys.ContainsKey(key))
                throw new ConfException($"{v.Source ?? source}:{v.Line}: unknown key '{key}' (known keys: {string.Join(", ", Keys.Keys)})");

        var r = new Reader(conf, source);
        var backing = r.Choice("backing", Backing.Anon4K, new Dictionary<string, Backing>(BackingExtensions.Names));
        var device = r.Choice("device", DeviceKind.Rdma, new() { ["rdma"] = DeviceKind.Rdma, ["vfio"] = DeviceKind.Vfio, ["nvme"] = DeviceKind.Nvme });
        var region = device == DeviceKind.Nvme && !conf.ContainsKey("region")
            ? AlignUp(Math.Max(4096UL, (ulong)r.Int("nvme.queue-depth", 32, 1, 65536) * r.Bytes("nvme.io-size", 4096)), backing.FolioBytes())
            : r.Bytes("region", 1UL << 30);
        // A pfn file is relative to the file that names it (a scenario, or an experiment that sweeps it).
        var pfns = !conf.TryGetValue("layout.pfns", out var p) ? null
            : resolvePfns is not null ? resolvePfns(p)
            : Path.GetFullPath(Path.Combine(p.Source is { } from ? Path.GetDirectoryName(Path.GetFullPath(from)) ?? baseDirectory : baseDirectory, p.Text));
        if (pfns is not null && conf.ContainsKey("layout.fragmentation"))
            throw r.Error("layout.pfns", "cannot be combined with layout.fragmentation: give the frames one way");

        // NVMe O_DIRECT pins page arrays (bio_iov_iter_get_pages) and maps them through a scatterlist by default.
        var call = r.Choice("gup.call", device == DeviceKind.Nvme ? GupCallKind.PinUserPages : GupCallKind.GetUserPhyrs, new()
        {
            ["pin_user_pages"] = GupCallKind.PinUserPages, ["get_user_phyrs"] = GupCallKind.GetUserPhyrs,
        });
        var dma = r.Choice<DmaStrategy?>("dma.strategy", device == DeviceKind.Nvme ? DmaStrategy.Legacy : null, new()
        {
            ["none"] = null, ["legacy"] = DmaStrategy.Legacy, ["phyr-compat"] = DmaStrategy.PhyrCompat,
            ["phyr-native"] = DmaStrategy.PhyrNative, ["iova-link"] = DmaStrategy.IovaLink,
        });
        var nvmeKeys = conf.Keys.Where(k => k.StartsWith("nvme.", StringComparison.Ordinal)).Order().ToList();
        if (device != DeviceKind.Nvme && nvmeKeys.Count > 0)
            throw r.Error(nvmeKeys[0], "only applies with device = nvme");
        if (device == DeviceKind.Nvme && conf.ContainsKey("region")) throw r.Error("region", "is io-size x queue-depth with device = nvme: leave it out");

        var scenario = new Scenario
        {
            Name = conf.TryGetValue("name", out var n) ? n.Text : Path.GetFileNameWithoutExtension(source),
            Cpus = r.Int("cpus", 1, 0, int.MaxValue),
            SharedRegion = r.Bool("shared-region", false),
            CpusPerSocket = r.Int("cpus-per-socket", 64, 0, int.MaxValue),
            RegionBytes = region,
            Backing = backing,
            Fragmentation = r.Fraction("layout.fragmentation", 0.5),
            PfnFile = pfns,
            DescribeLayout = r.Bool("layout.describe", false),
            Call = call,
            Batch = Batch(conf, r),
            Prefault = r.Bool("prefault", true),
            PrefaultWrites = r.Bool("prefault.write", true),
            Gup = new GupOptions
            {
                Walk = r.Choice("gup.walk", GupWalk.Fast, new() { ["fast"] = GupWalk.Fast, ["locked"] = GupWalk.Locked }),
                Longterm = r.Bool("gup.longterm", true),
            },
            Dma = dma,
            IommuMode = r.Choice("iommu.mode", IommuMode.Strict, new()
            {
                ["none"] = IommuMode.None, ["passthrough"] = IommuMode.Passthrough, ["strict"] = IommuMode.Strict, ["lazy"] = IommuMode.Lazy,
            }),
            Device = device,
            Nvme = new NvmeWorkload
            {
                IoBytes = r.Bytes("nvme.io-size", 4096),
                QueueDepth = r.Int("nvme.queue-depth", 32, 1, 65536),
                Ios = r.Int("nvme.ios", 10_000, 1, 100_000_000),
                Sgl = r.Choice("nvme.descriptor", NvmeSglUse.Unsupported, new()
                {
                    ["prp"] = NvmeSglUse.Unsupported, ["sgl"] = NvmeSglUse.Forced, ["auto"] = NvmeSglUse.Supported,
                }),
                SglThreshold = r.Bytes("nvme.sgl-threshold", NvmeMapData.DefaultSglThreshold),
                FixedBuffers = r.Choice("nvme.buffers", false, new() { ["per-io"] = false, ["fixed"] = true }),
                LatencyNs = r.Int("nvme.latency", 10_000, 0, int.MaxValue),
                BytesPerSecond = r.Bytes("nvme.bandwidth", 7_000_000_000),
            },
            DeviceMaxSegment = r.Bytes("device.max-segment", 2UL << 30),
        };
        if (conf.TryGetValue("machine", out var machine) && resolveMachine is not null) scenario = scenario with { Machine = resolveMachine(machine) };
        else if (conf.TryGetValue("machine", out machine))
        {
            var relativeTo = machine.Source is { } named ? Path.GetDirectoryName(Path.GetFullPath(named)) ?? baseDirectory : baseDirectory;
            try
            {
                scenario = scenario with { Machine = MachineProfileFile.Resolve(machine.Text, relativeTo) };
            }
            catch (ConfException e)
            {
                throw r.Error("machine", e.Message);
            }
        }
        if (conf.TryGetValue("kernel", out var kernel))
        {
            if (KernelProfile.Problem(kernel.Text) is { } wrong) throw r.Error("kernel", wrong);
            scenario = KernelProfile.Apply(scenario, KernelVersion.TryParse(kernel.Text)!.Value);
        }
        foreach (var f in KernelFeature.All) scenario = f.Set(scenario, r.Bool(f.Key, f.Get(scenario)));
        if (scenario.Problems().FirstOrDefault() is ({ } bad, { } problem)) throw r.Error(bad, problem);
        return scenario;
    }

    /// <summary>gup.batch: a whole number of entries, or unlimited (the whole region in one call).</summary>
    private static int Batch(IReadOnlyDictionary<string, ConfValue> conf, Reader r)
    {
        if (!conf.TryGetValue("gup.batch", out var b)) return 512;
        if (b.Text == "unlimited") return Scenario.UnlimitedBatch;
        if (!int.TryParse(b.Text, NumberStyles.None, CultureInfo.InvariantCulture, out _))
            throw r.Error("gup.batch", $"'{b.Text}' is not a whole number or unlimited");
        return r.Int("gup.batch", 512, 1, 1 << 24);
    }

    private static ulong AlignUp(ulong x, ulong a) => (x + a - 1) / a * a;

    private sealed class Reader(IReadOnlyDictionary<string, ConfValue> conf, string source)
    {
        public ConfException Error(string key, string problem) => conf.TryGetValue(key, out var v)
            ? new($"{v.Source ?? source}:{v.Line}: {key}: {problem}")
            : new($"{source}: {key}: {problem}");

        public int Int(string key, int fallback, int min, int max)
        {
            if (!conf.TryGetValue(key, out var v)) return fallback;
            if (!int.TryParse(v.Text, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
                throw Error(key, $"'{v.Text}' is not a whole number");
            if (n < min || n > max) throw Error(key, $"{n} is not between {min} and {max}");
            return n;
        }

        public ulong Bytes(string key, ulong fallback)
        {
            if (!conf.TryGetValue(key, out var v)) return fallback;
            return ByteSize.TryParse(v.Text, out var b) ? b : throw Error(key, $"'{v.Text}' is not a byte count (e.g. 1G, 64M, 4096)");
        }

        public double Fraction(string key, double fallback)
        {
            if (!conf.TryGetValue(key, out var v)) return fallback;
            if (!double.TryParse(v.Text, NumberStyles.Float, CultureInfo.InvariantCulture, out var f) || double.IsNaN(f) || f < 0 || f > 1)
                throw Error(key, $"'{v.Text}' is not a number between 0 and 1");
            return f;
        }

        public bool Bool(string key, bool fallback)
        {
            if (!conf.TryGetValue(key, out var v)) return fallback;
            return v.Text switch
            {
                "true" or "on" or "yes" => true,
                "false" or "off" or "no" => false,
                _ => throw Error(key, $"'{v.Text}' is not true or false"),
            };
        }

        public T Choice<T>(string key, T fallback, Dictionary<string, T> choices)
        {
            if (!conf.TryGetValue(key, out var v)) return fallback;
            return choices.TryGetValue(v.Text, out var c) ? c : throw Error(key, $"'{v.Text}' is not one of {string.Join(", ", choices.Keys)}");
        }
    }
}
