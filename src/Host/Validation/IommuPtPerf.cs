using System.Globalization;
using Phyr.Domain.Machines;

namespace Phyr.Host.Validation;

/// <summary>
/// The iommupt series' page-table micro-benchmark as a workload: <c>iommupt_perf FORMAT map|unmap SIZE</c>, SIZE as its
/// table writes it — <c>2^12</c> (one 4 KiB page) or <c>256*2^12</c> (one call of 256 4 KiB leaves). FORMAT is the page
/// table format it ran (in software, on the CPU): <c>amdv1</c> or <c>vtd-ss</c> (VT-d second stage).
/// </summary>
public sealed record IommuPtPerf(IommuKind Format, bool Map, int Count, int PageShift, string? Problem = null)
{
    public ulong PageSize => 1UL << PageShift;

    public static IommuPtPerf Parse(string workload)
    {
        var parts = workload.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        static IommuPtPerf Bad(string problem) => new(IommuKind.IntelVtd, true, 0, 12, problem);
        if (parts.Length != 4) return Bad($"'{workload}' is not iommupt_perf FORMAT map|unmap SIZE");
        IommuKind? format = parts[1] switch { "amdv1" => IommuKind.AmdV1, "vtd-ss" => IommuKind.IntelVtd, _ => null };
        if (format is null) return Bad($"format '{parts[1]}' is not amdv1 or vtd-ss");
        if (parts[2] is not ("map" or "unmap")) return Bad($"'{parts[2]}' is not map or unmap");
        var size = parts[3];
        var star = size.IndexOf('*');
        var count = 1;
        if (star >= 0 && (!int.TryParse(size[..star], NumberStyles.None, CultureInfo.InvariantCulture, out count) || count is < 1 or > 4096))
            return Bad($"size '{size}': the count is not between 1 and 4096");
        var pow = star >= 0 ? size[(star + 1)..] : size;
        if (!pow.StartsWith("2^", StringComparison.Ordinal) || !int.TryParse(pow[2..], NumberStyles.None, CultureInfo.InvariantCulture, out var shift)
            || shift is not (12 or 21 or 30))
            return Bad($"size '{size}' is not N*2^K with K = 12, 21 or 30 (a 4 KiB, 2 MiB or 1 GiB leaf)");
        return new IommuPtPerf(format.Value, parts[2] == "map", count, shift);
    }
}
