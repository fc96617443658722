using Phyr.Domain.Mm;

namespace Phyr.Host.Validation;

/// <summary>
/// Joao Martins' MR test as a workload: <c>rxe-mr-reg-dereg GB (BACKING)</c> — a loop of ibv_reg_mr and ibv_dereg_mr of a
/// GB-sized buffer on rxe (soft-RoCE: no IOMMU, the "device" is the kernel), "measures cost of both operations
/// together"; BACKING is THP, HUGETLBFS 2M, HUGETLBFS 1G or 4K. One round is ib_umem_get (pin_user_pages_fast,
/// FOLL_LONGTERM, 512 pages a call, into a scatterlist), the registration, and its teardown (ib_umem_release's unpin).
/// </summary>
public sealed record RxeMrRegDereg(ulong Bytes, Backing Backing, string? Problem = null)
{
    private static readonly Dictionary<string, Backing> Backings = new()
    {
        ["THP"] = Backing.Thp, ["HUGETLBFS 2M"] = Backing.Hugetlb2M, ["HUGETLBFS 1G"] = Backing.Hugetlb1G, ["4K"] = Backing.Anon4K,
    };

    public static RxeMrRegDereg Parse(string workload)
    {
        var (args, section) = WorkloadText.Split(workload);
        if (section is null || args.Length != 2) return new(0, Backing.Anon4K, $"'{workload}' is not rxe-mr-reg-dereg GB (BACKING)");
        if (WorkloadText.Gigabytes(args[1]) is not { } bytes) return new(0, Backing.Anon4K, $"'{args[1]}' is not a size in GB between 1 and 1024");
        return Backings.TryGetValue(section, out var backing)
            ? new RxeMrRegDereg(bytes, backing)
            : new(0, Backing.Anon4K, $"backing '{section}' is not {string.Join(", ", Backings.Keys)}");
    }
}
