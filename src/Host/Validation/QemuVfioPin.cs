using Phyr.Domain.Mm;

namespace Phyr.Host.Validation;

/// <summary>
/// A qemu guest's start as Daniel Jordan timed it (4d83de6da265; the padata RFC's base kernel): <c>qemu-vfio-pin GB
/// (BACKING [prealloc])</c> — VFIO_IOMMU_MAP_DMA of GB of guest memory. Without <c>prealloc</c> nothing has touched the
/// memory, so every page is faulted (and cleared) by the pin; with it qemu's preallocation threads (<c>qthr</c> in the
/// RFC's tables) wrote every page first, so the pin finds them present. BACKING is 4K, THP or HUGETLB (2 MiB pages).
/// </summary>
public sealed record QemuVfioPin(ulong Bytes, Backing Backing, string? Problem = null, bool Prealloc = false)
{
    private static readonly Dictionary<string, Backing> Backings = new()
    {
        ["4K"] = Backing.Anon4K, ["THP"] = Backing.Thp, ["HUGETLB"] = Backing.Hugetlb2M,
    };

    public static QemuVfioPin Parse(string workload)
    {
        var (args, section) = WorkloadText.Split(workload);
        if (section is null || args.Length != 2) return new(0, Backing.Anon4K, $"'{workload}' is not qemu-vfio-pin GB (4K|THP|HUGETLB [prealloc])");
        if (WorkloadText.Gigabytes(args[1]) is not { } bytes) return new(0, Backing.Anon4K, $"'{args[1]}' is not a size in GB between 1 and 1024");
        var words = section.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (words.Length is 0 or > 2 || (words.Length == 2 && words[1] != "prealloc"))
            return new(0, Backing.Anon4K, $"'({section})' is not (BACKING) or (BACKING prealloc)");
        return Backings.TryGetValue(words[0], out var backing)
            ? new QemuVfioPin(bytes, backing, Prealloc: words.Length == 2)
            : new(0, Backing.Anon4K, $"backing '{words[0]}' is not {string.Join(", ", Backings.Keys)}");
    }
}
