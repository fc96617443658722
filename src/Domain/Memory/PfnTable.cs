namespace Phyr.Domain.Memory;

/// <summary>
/// A page table's 512 entries — a PTE table of an mm, a level-1 table of an IO page table — each a frame number + 1 (0:
/// empty) with two flag bits (62 and 63), held in as few bytes as the table's frames allow:
/// <list type="bullet">
/// <item>4 bytes an entry while every frame is within 2^29 of the table's first (30 bits of distance, the two flags);</item>
/// <item>then 5: the frame + 1 in 38 bits (a physical address space of 1 PiB) and the flags, in a 32-bit and an 8-bit part;</item>
/// <item>then 8, for a frame beyond that.</item>
/// </list>
/// A table changes form once each way up, never down. Against an array of 64-bit entries: half or five eighths of the
/// bytes for the same values (a table covers 2 MiB: at a terabyte of 4 KiB pages, 0.8 to 1 GB less per structure).
/// </summary>
public sealed class PfnTable
{
    public const int Entries = 512;

    /// <summary>The entry's flag bits (the rest is the frame number + 1).</summary>
    public const ulong FlagBits = 3UL << 62;

    private const int DeltaBits = 30;
    private const long Bias = 1L << (DeltaBits - 1);
    private const uint DeltaMask = (1U << DeltaBits) - 1;
    private const int HighFrameBits = 6; // of the high byte: frame bits 32..37, then the two flags
    private const ulong ExtendedLimit = 1UL << (32 + HighFrameBits);

    private uint[]? _low = new uint[Entries];
    private byte[]? _high;   // with _low: the extended form
    private ulong[]? _wide;
    private ulong _base;     // the narrow form's origin: the frame number + 1 of the first entry written

    /// <summary>Bytes an entry takes now: 4, 5 or 8.</summary>
    public int EntryBytes => _wide is not null ? 8 : _high is not null ? 5 : 4;

    public ulong this[int i]
    {
        get
        {
            if (_low is not { } low) return _wide![i];
            var c = low[i];
            if (_high is { } high)
            {
                var h = high[i];
                return c == 0 && h == 0 ? 0 : c | (ulong)(h & ((1 << HighFrameBits) - 1)) << 32 | (ulong)(h >> HighFrameBits) << 62;
            }
            return c == 0 ? 0 : (ulong)((long)_base + (c & DeltaMask) - Bias) | ((ulong)(c >> DeltaBits) << 62);
        }
        set
        {
            var frame = value & ~FlagBits;
            if (_low is not { } low)
            {
                _wide![i] = value;
            }
            else if (_high is { } high)
            {
                if (frame >= ExtendedLimit)
                {
                    Widen();
                    _wide![i] = value;
                    return;
                }
                low[i] = (uint)frame;
                high[i] = (byte)((frame >> 32) | (value >> 62) << HighFrameBits);
            }
            else if (value == 0)
            {
                low[i] = 0;
            }
            else
            {
                if (_base == 0) _base = frame;
                var delta = (long)frame - (long)_base;
                if (delta > -Bias && delta < Bias)
                {
                    low[i] = (uint)(delta + Bias) | (uint)(value >> 62) << DeltaBits;
                    return;
                }
                Grow(frame);
                this[i] = value;
            }
        }
    }

    /// <summary>From the narrow form to the extended one, or to the wide one when a frame (or the new one) needs it.</summary>
    private void Grow(ulong frame)
    {
        var values = Values();
        if (frame >= ExtendedLimit || values.Any(v => (v & ~FlagBits) >= ExtendedLimit))
        {
            Widen();
            return;
        }
        _high = new byte[Entries];
        for (var i = 0; i < Entries; i++) this[i] = values[i];
    }

    private void Widen()
    {
        _wide = Values();
        _low = null;
        _high = null;
    }

    private ulong[] Values()
    {
        var values = new ulong[Entries];
        for (var i = 0; i < Entries; i++) values[i] = this[i];
        return values;
    }
}
