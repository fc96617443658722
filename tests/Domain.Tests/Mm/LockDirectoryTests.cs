using Phyr.Domain.Mm;

namespace Phyr.Domain.Tests.Mm;

/// <summary>pte_lockptr / pmd_lockptr of the simulated mm: which component holds the lock of a hold, or none (private).</summary>
public class LockDirectoryTests
{
    private static readonly LockDirectory Split = new()
    {
        MmapLock = 1, VmaLocks = [2, 3],
        PteLocks = new Dictionary<ulong, int> { [0x8000_0] = 10 },
        PmdLocks = new Dictionary<ulong, int> { [0x400] = 20 },
    };

    [Fact]
    public void Shared_tables_have_lock_components_and_a_cpus_own_tables_are_private()
    {
        Assert.Equal(10, Split.PteLockptr(0x8000_0));
        Assert.Equal(LockDirectory.Private, Split.PteLockptr(0x8000_1));
        // A huge entry's key is va >> PMD_SHIFT; its PMD table is va >> PUD_SHIFT: 512 entries to a table.
        Assert.Equal(20, Split.PmdLockptr(0x400 * 512 + 17));
        Assert.Equal(LockDirectory.Private, Split.PmdLockptr(0x401 * 512));
        Assert.Equal(3, Split.Of(new LockHold(GupLock.Vma, 1, 0)));
        Assert.Equal(1, Split.Of(new LockHold(GupLock.Mmap, 0, 0)));
    }

    [Fact]
    public void In_a_shared_region_a_table_without_a_lock_component_is_a_builder_bug_not_a_private_lock()
    {
        var shared = Split with { SharedTables = true };
        Assert.Equal(10, shared.PteLockptr(0x8000_0));
        Assert.Throws<InvalidOperationException>(() => shared.PteLockptr(0x8000_1));
        Assert.Throws<InvalidOperationException>(() => shared.PmdLockptr(0x401 * 512));
    }

    [Fact]
    public void Without_split_pmd_locks_every_huge_entry_takes_the_mms_page_table_lock()
    {
        var unsplit = Split with { PageTableLock = 30 };
        Assert.Equal(30, unsplit.PmdLockptr(0x400 * 512));
        Assert.Equal(30, unsplit.Of(new LockHold(GupLock.Huge, 0x999 * 512, 1)));
        Assert.Equal(10, unsplit.PteLockptr(0x8000_0)); // PTE tables keep their split locks
    }
}
