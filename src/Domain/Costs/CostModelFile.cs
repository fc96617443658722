using System.Globalization;
using Phyr.Domain.Config;

namespace Phyr.Domain.Costs;

/// <summary>
/// A cost-model file (.conf): any of the keys below, in ns, overriding what the scenario's machine gives (the derived
/// GUP costs, <see cref="CostModel.Derive"/>; the DMA costs with their sources in <see cref="Dma.DmaCosts"/>). For what-if
/// runs; unknown keys and bad values are refused with file, line and key.
/// </summary>
public static class CostModelFile
{
    private static readonly Dictionary<string, Func<CostModel, long, CostModel>> Setters = new()
    {
        ["gup.walk-ns"] = (m, v) => m with { Gup = m.Gup with { WalkNs = v } },
        ["gup.lookup-ns"] = (m, v) => m with { Gup = m.Gup with { LookupNs = v } },
        ["gup.fast-entry-ns"] = (m, v) => m with { Gup = m.Gup with { FastEntryNs = v } },
        ["gup.pte-ns"] = (m, v) => m with { Gup = m.Gup with { PteNs = v } },
        ["gup.pin-atomic-ns"] = (m, v) => m with { Gup = m.Gup with { PinAtomicNs = v } },
        ["gup.line-hot-ns"] = (m, v) => m with { Gup = m.Gup with { LineHotNs = v } },
        ["gup.line-streamed-ns"] = (m, v) => m with { Gup = m.Gup with { LineStreamedNs = v } },
        ["gup.line-miss-ns"] = (m, v) => m with { Gup = m.Gup with { LineMissNs = v } },
        ["gup.entry-ns"] = (m, v) => m with { Gup = m.Gup with { EntryNs = v } },
        ["gup.local-lock-ns"] = (m, v) => m with { Gup = m.Gup with { LocalLockNs = v } },
        ["gup.line-transfer-ns"] = (m, v) => m with { Gup = m.Gup with { LineTransferNs = v } },
        ["gup.line-cross-transfer-ns"] = (m, v) => m with { Gup = m.Gup with { LineCrossTransferNs = v } },
        ["dma.iova-cache-ns"] = (m, v) => m with { Dma = m.Dma with { IovaCacheNs = v } },
        ["dma.iova-tree-ns"] = (m, v) => m with { Dma = m.Dma with { IovaTreeNs = v } },
        ["dma.iova-tree-step-ns"] = (m, v) => m with { Dma = m.Dma with { IovaTreeStepNs = v } },
        ["dma.map-call-ns"] = (m, v) => m with { Dma = m.Dma with { MapCallNs = v } },
        ["dma.map-pte-ns"] = (m, v) => m with { Dma = m.Dma with { MapPteNs = v } },
        ["dma.unmap-call-ns"] = (m, v) => m with { Dma = m.Dma with { UnmapCallNs = v } },
        ["dma.unmap-pte-ns"] = (m, v) => m with { Dma = m.Dma with { UnmapPteNs = v } },
        ["dma.iova-to-phys-ns"] = (m, v) => m with { Dma = m.Dma with { IovaToPhysNs = v } },
        ["dma.iotlb-invalidation-ns"] = (m, v) => m with { Dma = m.Dma with { IotlbInvalidationNs = v } },
        ["dma.sg-entry-ns"] = (m, v) => m with { Dma = m.Dma with { SgEntryNs = v } },
        ["dma.device-entry-ns"] = (m, v) => m with { Dma = m.Dma with { DeviceEntryNs = v } },
        ["dma.device-command-ns"] = (m, v) => m with { Dma = m.Dma with { DeviceCommandNs = v } },
        ["cacheline.same-socket-ns"] = (m, v) => m with { CacheLineSameSocketNs = v },
        ["cacheline.cross-socket-ns"] = (m, v) => m with { CacheLineCrossSocketNs = v },
    };

    public static IEnumerable<string> Keys => Setters.Keys;

    /// <summary>Sets one key's value (a key of <see cref="Keys"/>).</summary>
    public static CostModel Set(CostModel model, string key, long value) => Setters[key](model, value);

    public static CostOverrides Load(string path)
    {
        var conf = ConfFile.Parse(ConfFile.ReadFile(path, "cost-model", 64 * 1024), path);
        var settings = new List<(string, long)>();
        foreach (var (key, v) in conf.OrderBy(kv => kv.Value.Line))
        {
            if (!Setters.ContainsKey(key))
                throw new ConfException($"{path}:{v.Line}: unknown key '{key}' (known keys: {string.Join(", ", Setters.Keys)})");
            if (!long.TryParse(v.Text, NumberStyles.None, CultureInfo.InvariantCulture, out var ns) || ns > 1_000_000_000)
                throw new ConfException($"{path}:{v.Line}: {key}: '{v.Text}' is not a whole number of ns (at most 1000000000)");
            settings.Add((key, ns));
        }
        var overrides = new CostOverrides(settings);
        if (overrides.Apply(CostModel.Default).Problems().FirstOrDefault() is ({ } bad, { } problem))
            throw new ConfException(conf.TryGetValue(bad, out var at) ? $"{path}:{at.Line}: {bad}: {problem}" : $"{path}: {bad}: {problem}");
        return overrides;
    }
}
