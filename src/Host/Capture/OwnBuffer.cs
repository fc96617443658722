using System.Runtime.InteropServices;

namespace Phyr.Host.Capture;

/// <summary>
/// A buffer `phyr capture` makes in its own process when given no --pid: an anonymous private mmap, madvise'd
/// MADV_HUGEPAGE when asked (THP), every page touched in address order so that each is faulted in — the layout a
/// freshly started process gets on this machine now.
/// </summary>
public sealed class OwnBuffer : IDisposable
{
    private const int ProtRead = 1, ProtWrite = 2, MapPrivate = 2, MapAnonymous = 0x20, MadvHugepage = 14, MadvNohugepage = 15;

    [DllImport("libc", SetLastError = true)]
    private static extern nint mmap(nint addr, nuint length, int prot, int flags, int fd, nint offset);

    [DllImport("libc", SetLastError = true)]
    private static extern int munmap(nint addr, nuint length);

    [DllImport("libc", SetLastError = true)]
    private static extern int madvise(nint addr, nuint length, int advice);

    public ulong Start { get; }
    public ulong Length { get; }
    public ulong End => Start + Length;

    public OwnBuffer(ulong length, bool thp)
    {
        // 2 MiB more, so that a THP buffer can start on a 2 MiB boundary.
        var reserve = length + (2UL << 20);
        var p = mmap(0, (nuint)reserve, ProtRead | ProtWrite, MapPrivate | MapAnonymous, -1, 0);
        if (p == -1) throw new IOException($"mmap of {reserve} bytes failed (errno {Marshal.GetLastPInvokeError()})");
        _base = p;
        _reserved = reserve;
        var start = ((ulong)p + (2UL << 20) - 1) & ~((2UL << 20) - 1);
        Start = start;
        Length = length;
        madvise((nint)start, (nuint)length, thp ? MadvHugepage : MadvNohugepage);
        for (ulong off = 0; off < length; off += ProcessLayout.PageSize) Marshal.WriteByte((nint)(start + off), 1);
    }

    private readonly nint _base;
    private readonly ulong _reserved;

    public void Dispose() => munmap(_base, (nuint)_reserved);
}
