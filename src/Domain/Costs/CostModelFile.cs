using System.Globalization;
using Phyr.Domain.Config;

namespace Phyr.Domain.Costs;

/// <summary>
/// A cost-model file (.conf): any of the keys below, in ns, overriding the defaults (which carry their
/// sources in <see cref="Mm.GupCosts"/>, <see cref="Dma.DmaCosts"/>, <see cref="CostModel"/> and docs). Unknown keys
/// and bad values are refused with file, line and key.
/// </summary>
public static class CostModelFile
{
    private static readonly Dictionary<string, Func<CostModel, long, CostModel>> Setters = new()
    {
        ["gup.walk-ns"] = (m, v) => m with { Gup = m.Gup with { WalkNs = v } },
        ["gup.pte-ns"] = (m, v) => m with { Gup = m.Gup with { PteNs = v } },
        ["gup.pin-atomic-ns"] = (m, v) => m with { Gup = m.Gup with { PinAtomicNs = v } },
        ["gup.longterm-check-ns"] = (m, v) => m with { Gup = m.Gup with { LongtermCheckNs = v } },
        ["gup.entry-store-ns"] = (m, v) => m with { Gup = m.Gup with { EntryStoreNs = v } },
        ["gup.local-lock-ns"] = (m, v) => m with { Gup = m.Gup with { LocalLockNs = v } },
        ["gup.unpin-ns"] = (m, v) => m with { Gup = m.Gup with { UnpinNs = v } },
        ["dma.iova-cache-ns"] = (m, v) => m with { Dma = m.Dma with { IovaCacheNs = v } },
        ["dma.iova-tree-ns"] = (m, v) => m with { Dma = m.Dma with { IovaTreeNs = v } },
        ["dma.iova-tree-step-ns"] = (m, v) => m with { Dma = m.Dma with { IovaTreeStepNs = v } },
        ["dma.map-call-ns"] = (m, v) => m with { Dma = m.Dma with { MapCallNs = v } },
        ["dma.map-pte-ns"] = (m, v) => m with { Dma = m.Dma with { MapPteNs = v } },
        ["dma.unmap-call-ns"] = (m, v) => m with { Dma = m.Dma with { UnmapCallNs = v } },
        ["dma.unmap-pte-ns"] = (m, v) => m with { Dma = m.Dma with { UnmapPteNs = v } },
        ["dma.iotlb-invalidation-ns"] = (m, v) => m with { Dma = m.Dma with { IotlbInvalidationNs = v } },
        ["dma.sg-entry-ns"] = (m, v) => m with { Dma = m.Dma with { SgEntryNs = v } },
        ["dma.device-entry-ns"] = (m, v) => m with { Dma = m.Dma with { DeviceEntryNs = v } },
        ["dma.device-command-ns"] = (m, v) => m with { Dma = m.Dma with { DeviceCommandNs = v } },
        ["cacheline.same-socket-ns"] = (m, v) => m with { CacheLineSameSocketNs = v },
        ["cacheline.cross-socket-ns"] = (m, v) => m with { CacheLineCrossSocketNs = v },
    };

    public static IEnumerable<string> Keys => Setters.Keys;

    public static CostModel Load(string path)
    {
        if (!File.Exists(path)) throw new ConfException($"{path}: no such cost-model file");
        var conf = ConfFile.Parse(File.ReadAllText(path), path);
        var costs = CostModel.Default;
        foreach (var (key, v) in conf.OrderBy(kv => kv.Value.Line))
        {
            if (!Setters.TryGetValue(key, out var set))
                throw new ConfException($"{path}:{v.Line}: unknown key '{key}' (known keys: {string.Join(", ", Setters.Keys)})");
            if (!long.TryParse(v.Text, NumberStyles.None, CultureInfo.InvariantCulture, out var ns))
                throw new ConfException($"{path}:{v.Line}: {key}: '{v.Text}' is not a whole number of ns");
            costs = set(costs, ns);
        }
        if (costs.Problems().FirstOrDefault() is ({ } bad, { } problem))
            throw new ConfException(conf.TryGetValue(bad, out var at) ? $"{path}:{at.Line}: {bad}: {problem}" : $"{path}: {bad}: {problem}");
        return costs;
    }
}
