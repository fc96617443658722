using System.Globalization;
using Phyr.Domain.Mm;

namespace Phyr.Host.Validation;

/// <summary>
/// Joao Martins' MR test as a workload: <c>rxe-mr-reg-dereg GB (BACKING)</c> — a loop of ibv_reg_mr and ibv_dereg_mr of a
/// GB-sized buffer on rxe (soft-RoCE: no IOMMU, the "device" is the kernel), "measures cost of both operations
/// together"; BACKING is THP, HUGETLBFS 2M or HUGETLBFS 1G. One round is ib_umem_get (pin_user_pages_fast, FOLL_LONGTERM,
/// 512 pages a call, into a scatterlist), the registration, and its teardown (ib_umem_release's unpin).
/// </summary>
public sealed record RxeMrRegDereg(ulong Bytes, Backing Backing, string? Problem = null)
{
    public static RxeMrRegDereg Parse(string workload)
    {
        static RxeMrRegDereg Bad(string problem) => new(0, Backing.Anon4K, problem);
        var open = workload.IndexOf('(');
        var close = workload.IndexOf(')');
        if (open < 0 || close < open) return Bad($"'{workload}' does not name its backing: rxe-mr-reg-dereg GB (THP|HUGETLBFS 2M|HUGETLBFS 1G)");
        var args = workload[..open].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (args.Length != 2 || !ulong.TryParse(args[1], NumberStyles.None, CultureInfo.InvariantCulture, out var gb) || gb is 0 or > 1024)
            return Bad($"'{workload}' is not rxe-mr-reg-dereg GB (BACKING) with GB between 1 and 1024");
        Backing? backing = workload[(open + 1)..close].Trim() switch
        {
            "THP" => Backing.Thp, "HUGETLBFS 2M" => Backing.Hugetlb2M, "HUGETLBFS 1G" => Backing.Hugetlb1G, "4K" => Backing.Anon4K, _ => null,
        };
        return backing is null ? Bad($"backing '{workload[(open + 1)..close]}' is not THP, HUGETLBFS 2M, HUGETLBFS 1G or 4K") : new RxeMrRegDereg(gb << 30, backing.Value);
    }
}
