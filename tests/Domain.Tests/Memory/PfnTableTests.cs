using FsCheck.Xunit;
using Phyr.Domain.Memory;

namespace Phyr.Domain.Tests.Memory;

public class PfnTableTests
{
    /// <summary>Any sequence of writes reads back as from an array of 64-bit entries, in any of the three forms.</summary>
    [Property(MaxTest = 500)]
    public void Reads_back_what_was_written(ushort[] slots, ulong[] frames, byte[] flags, byte spread)
    {
        var table = new PfnTable();
        var reference = new ulong[PfnTable.Entries];
        // Frames near one another (a real table's), within 2^38 (the extended form) or anywhere below 2^52 (the wide one).
        var range = (spread % 3) switch { 0 => 5000UL, 1 => 1UL << 38, _ => 1UL << 52 };
        for (var i = 0; i < slots.Length; i++)
        {
            var frame = frames.Length == 0 ? 0 : frames[i % frames.Length] % range;
            var value = frame == 0 ? 0 : (frame + 1) | ((ulong)(flags.Length == 0 ? 0 : flags[i % flags.Length] & 3) << 62);
            var slot = slots[i] % PfnTable.Entries;
            table[slot] = value;
            reference[slot] = value;
        }
        for (var i = 0; i < PfnTable.Entries; i++) Assert.Equal(reference[i], table[i]);
    }

    [Fact]
    public void A_table_grows_only_when_a_frame_needs_more_bits()
    {
        var table = new PfnTable();
        table[0] = 1UL << 36;
        table[1] = (1UL << 36) + (1UL << 29) - 1; // the farthest a 4-byte entry reaches above the first
        table[2] = ((1UL << 36) - (1UL << 29) + 1) | PfnTable.FlagBits; // and below, with both flags
        Assert.Equal(4, table.EntryBytes);
        table[3] = (1UL << 36) + (1UL << 29);
        Assert.Equal(5, table.EntryBytes);
        table[4] = ((1UL << 38) - 1) | (1UL << 63); // the largest a 5-byte entry holds
        Assert.Equal(5, table.EntryBytes);
        table[5] = 1UL << 38;
        Assert.Equal(8, table.EntryBytes);
        Assert.Equal([1UL << 36, (1UL << 36) + (1UL << 29) - 1, ((1UL << 36) - (1UL << 29) + 1) | PfnTable.FlagBits, (1UL << 36) + (1UL << 29),
            ((1UL << 38) - 1) | (1UL << 63), 1UL << 38, 0UL], Enumerable.Range(0, 7).Select(i => table[i]));
        // A first frame beyond the 5-byte form's reach goes straight to 8 when the next does not fit 4.
        var high = new PfnTable();
        high[0] = (1UL << 40) + 5;
        high[1] = 7;
        Assert.Equal(8, high.EntryBytes);
        Assert.Equal(((1UL << 40) + 5, 7UL), (high[0], high[1]));
    }
}
