namespace Phyr.Domain.Mm;

/// <summary>What backs a VMA: how a fault fills it and what a page-table walk finds there.</summary>
public enum Backing
{
    /// <summary>Anonymous memory in 4 KiB pages: one PTE per page, faulted one page at a time.</summary>
    Anon4K,

    /// <summary>Anonymous memory with transparent huge pages: a 2 MiB folio mapped by one PMD.</summary>
    Thp,

    /// <summary>hugetlbfs 2 MiB pages (PMD-mapped).</summary>
    Hugetlb2M,

    /// <summary>hugetlbfs 1 GiB pages (PUD-mapped).</summary>
    Hugetlb1G,

    /// <summary>Device memory without struct page (a P2P / GPU BAR, VM_PFNMAP): no page to pin.</summary>
    DeviceMemory,
}

public static class BackingExtensions
{
    /// <summary>Each backing by its name in scenario files (backing = NAME).</summary>
    public static IReadOnlyDictionary<string, Backing> Names { get; } = new Dictionary<string, Backing>
    {
        ["anon-4k"] = Backing.Anon4K, ["thp"] = Backing.Thp, ["hugetlb-2m"] = Backing.Hugetlb2M, ["hugetlb-1g"] = Backing.Hugetlb1G,
        ["device"] = Backing.DeviceMemory,
    };

    public static string Name(this Backing b) => Names.First(n => n.Value == b).Key;

    /// <summary>Bytes one fault maps (and one folio holds).</summary>
    public static ulong FolioBytes(this Backing b) => b switch
    {
        Backing.Anon4K or Backing.DeviceMemory => 1UL << 12,
        Backing.Thp or Backing.Hugetlb2M => 1UL << 21,
        Backing.Hugetlb1G => 1UL << 30,
        _ => throw new ArgumentOutOfRangeException(nameof(b)),
    };

    /// <summary>The page-table level whose entry maps one folio: 0 = PTE, 1 = PMD, 2 = PUD.</summary>
    public static int MapLevel(this Backing b) => b switch
    {
        Backing.Anon4K or Backing.DeviceMemory => 0,
        Backing.Thp or Backing.Hugetlb2M => 1,
        _ => 2,
    };

    public static bool HasStructPage(this Backing b) => b != Backing.DeviceMemory;
}
