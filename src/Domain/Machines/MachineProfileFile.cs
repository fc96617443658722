using System.Globalization;
using Phyr.Domain.Config;

namespace Phyr.Domain.Machines;

/// <summary>
/// A machine file (.conf): <c>base = NAME</c> (a shipped profile, default the default machine) and any of the keys below
/// changing it, e.g. a user's own server measured with Intel MLC. Unknown keys and bad values are refused with file,
/// line and key. A name that is not a file is looked up among the shipped profiles (<see cref="Resolve"/>).
/// </summary>
public static class MachineProfileFile
{
    private static readonly Dictionary<string, Func<MachineProfile, string, MachineProfile>> Setters = new()
    {
        ["name"] = (m, v) => m with { Name = v },
        ["description"] = (m, v) => m with { Description = v },
        ["sources"] = (m, v) => m with { Sources = v },
        ["sockets"] = (m, v) => m with { Sockets = Whole(v) },
        ["cores-per-socket"] = (m, v) => m with { CoresPerSocket = Whole(v) },
        ["threads-per-core"] = (m, v) => m with { ThreadsPerCore = Whole(v) },
        ["ghz"] = (m, v) => m with { Ghz = Number(v) },
        ["l1-ns"] = (m, v) => m with { L1Ns = Number(v) },
        ["l2-ns"] = (m, v) => m with { L2Ns = Number(v) },
        ["llc-ns"] = (m, v) => m with { LlcNs = Number(v) },
        ["llc-stream-line-ns"] = (m, v) => m with { LlcStreamLineNs = Number(v) },
        ["llc-bytes"] = (m, v) => m with { LlcBytes = Units.ByteSize.TryParse(v, out var b) ? b : throw new FormatException("is not a byte count (e.g. 32M)") },
        ["dram-ns"] = (m, v) => m with { DramNs = Number(v) },
        ["stream-line-ns"] = (m, v) => m with { StreamLineNs = Number(v) },
        ["clear-line-ns"] = (m, v) => m with { ClearLineNs = Number(v) },
        ["atomic-ns"] = (m, v) => m with { AtomicNs = Number(v) },
        ["smt-transfer-ns"] = (m, v) => m with { SmtTransferNs = Number(v) },
        ["socket-transfer-ns"] = (m, v) => m with { SocketTransferNs = Number(v) },
        ["cross-socket-transfer-ns"] = (m, v) => m with { CrossSocketTransferNs = Number(v) },
        ["iotlb-invalidation-ns"] = (m, v) => m with { IotlbInvalidationNs = Number(v) },
        ["iommu"] = (m, v) => m with
        {
            Iommu = v switch
            {
                "intel-vt-d" => IommuKind.IntelVtd, "amd-v1" => IommuKind.AmdV1, "arm-smmu-v3" => IommuKind.ArmSmmuV3,
                _ => throw new FormatException("is not one of intel-vt-d, amd-v1, arm-smmu-v3"),
            },
        },
    };

    public static IEnumerable<string> Keys => Setters.Keys.Prepend("base");

    /// <summary>
    /// A shipped profile by name, or a machine file by path, relative to <paramref name="relativeTo"/> when given (the folder
    /// of the file that names it); the caller names its option or key in front of the message.
    /// </summary>
    public static MachineProfile Resolve(string nameOrPath, string? relativeTo = null)
    {
        if (MachineProfiles.Find(nameOrPath) is { } shipped) return shipped;
        if (nameOrPath.EndsWith(".conf", StringComparison.Ordinal) || nameOrPath.Contains('/'))
            return Load(relativeTo is null ? nameOrPath : Path.GetFullPath(Path.Combine(relativeTo, nameOrPath)));
        throw new ConfException($"unknown machine '{nameOrPath}' (shipped: {string.Join(", ", MachineProfiles.All.Select(m => m.Name))}; or a machine file)");
    }

    public static MachineProfile Load(string path)
    {
        var conf = ConfFile.Parse(ConfFile.ReadFile(path, "machine", 64 * 1024), path);
        var machine = MachineProfiles.Default;
        if (conf.TryGetValue("base", out var b))
            machine = MachineProfiles.Find(b.Text)
                ?? throw new ConfException($"{path}:{b.Line}: base: unknown machine '{b.Text}' (shipped: {string.Join(", ", MachineProfiles.All.Select(m => m.Name))})");
        machine = machine with { Name = Path.GetFileNameWithoutExtension(path) };
        foreach (var (key, v) in conf.OrderBy(kv => kv.Value.Line))
        {
            if (key == "base") continue;
            if (!Setters.TryGetValue(key, out var set))
                throw new ConfException($"{path}:{v.Line}: unknown key '{key}' (known keys: {string.Join(", ", Keys)})");
            try
            {
                machine = set(machine, v.Text);
            }
            catch (FormatException e)
            {
                throw new ConfException($"{path}:{v.Line}: {key}: '{v.Text}' {e.Message}");
            }
        }
        if (machine.Problems().FirstOrDefault() is ({ } bad, { } problem))
            throw new ConfException(conf.TryGetValue(bad, out var at) ? $"{path}:{at.Line}: {bad}: {problem}" : $"{path}: {bad}: {problem}");
        return machine;
    }

    private static int Whole(string v) =>
        int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : throw new FormatException("is not a whole number");

    private static double Number(string v) =>
        double.TryParse(v, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d)
            ? d
            : throw new FormatException("is not a number");
}
