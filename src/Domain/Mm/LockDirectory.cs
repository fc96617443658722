namespace Phyr.Domain.Mm;

/// <summary>
/// Where the locks a GUP call takes live, as component ids — this mm's pte_lockptr() and pmd_lockptr()
/// (include/linux/mm.h), its mmap_lock, its VMAs' locks and the mm's flag line. A page-table lock that only one
/// CPU ever takes (the tables of that CPU's own region) is <see cref="Private"/>: no component, the CPU takes it
/// inline as an uncontended local atomic.
/// </summary>
public sealed record LockDirectory
{
    /// <summary>A lock only the caller's CPU uses.</summary>
    public const int Private = -1;

    public required int MmapLock { get; init; }

    /// <summary>Each VMA's lock (per-VMA locks), by VMA id.</summary>
    public IReadOnlyList<int> VmaLocks { get; init; } = [];

    /// <summary>Split PTE locks of shared PTE tables, by table (va &gt;&gt; PMD_SHIFT); a table not here is private.</summary>
    public IReadOnlyDictionary<ulong, int> PteLocks { get; init; } = new Dictionary<ulong, int>();

    /// <summary>Split PMD locks of shared PMD tables, by table (va &gt;&gt; PUD_SHIFT); a table not here is private.</summary>
    public IReadOnlyDictionary<ulong, int> PmdLocks { get; init; } = new Dictionary<ulong, int>();

    /// <summary>mm->page_table_lock, which takes the huge entries' locks without split PMD locks; <see cref="Private"/> with them.</summary>
    public int PageTableLock { get; init; } = Private;

    /// <summary>The line of the mm's flags word that has_pinned writes go to, or -1 when pin calls do not write it.</summary>
    public int MmFlagsLine { get; init; } = -1;

    /// <summary>The CPUs share their page tables (one region): every table's lock is a component, none is private.</summary>
    public bool SharedTables { get; init; }

    /// <summary>pte_lockptr: the lock of the PTE table mapping va (<paramref name="pteTable"/> = va &gt;&gt; PMD_SHIFT).</summary>
    public int PteLockptr(ulong pteTable) => Lookup(PteLocks, pteTable, "PTE");

    /// <summary>pmd_lockptr: the lock of a huge entry's PMD table (<paramref name="hugeEntry"/> = va &gt;&gt; PMD_SHIFT), or page_table_lock.</summary>
    public int PmdLockptr(ulong hugeEntry) =>
        PageTableLock != Private ? PageTableLock : Lookup(PmdLocks, hugeEntry >> (AddressSpace.PudShift - AddressSpace.PmdShift), "PMD");

    private int Lookup(IReadOnlyDictionary<ulong, int> locks, ulong table, string level) =>
        locks.TryGetValue(table, out var id) ? id
        : SharedTables ? throw new InvalidOperationException($"no lock component for the shared {level} table 0x{table:x}")
        : Private;

    /// <summary>The component that holds the lock of <paramref name="hold"/>, or <see cref="Private"/>.</summary>
    public int Of(LockHold hold) => hold.Lock switch
    {
        GupLock.Mmap => MmapLock,
        GupLock.Vma => VmaLocks[(int)hold.Key],
        GupLock.Pte => PteLockptr(hold.Key),
        _ => PmdLockptr(hold.Key),
    };
}
