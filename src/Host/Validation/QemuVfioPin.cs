using Phyr.Domain.Mm;

namespace Phyr.Host.Validation;

/// <summary>
/// A qemu guest's start as Daniel Jordan timed it for 4d83de6da265: <c>qemu-vfio-pin GB (BACKING)</c> — VFIO pinning and
/// mapping GB of guest memory that nothing has touched yet, so every page is faulted (and cleared) by the pin; BACKING is
/// 4K or THP.
/// </summary>
public sealed record QemuVfioPin(ulong Bytes, Backing Backing, string? Problem = null)
{
    private static readonly Dictionary<string, Backing> Backings = new() { ["4K"] = Backing.Anon4K, ["THP"] = Backing.Thp };

    public static QemuVfioPin Parse(string workload)
    {
        var (args, section) = WorkloadText.Split(workload);
        if (section is null || args.Length != 2) return new(0, Backing.Anon4K, $"'{workload}' is not qemu-vfio-pin GB (4K|THP)");
        if (WorkloadText.Gigabytes(args[1]) is not { } bytes) return new(0, Backing.Anon4K, $"'{args[1]}' is not a size in GB between 1 and 1024");
        return Backings.TryGetValue(section, out var backing)
            ? new QemuVfioPin(bytes, backing)
            : new(0, Backing.Anon4K, $"backing '{section}' is not {string.Join(", ", Backings.Keys)}");
    }
}
