using System.Globalization;
using System.Runtime.InteropServices;
using Phyr.Domain.Config;
using Phyr.Domain.Memory;

namespace Phyr.Host.Capture;

/// <summary>A mapping of a process, as a line of /proc/PID/maps: [Start, End), permissions, what backs it.</summary>
public sealed record ProcessVma(ulong Start, ulong End, string Perms, string Path)
{
    public override string ToString() => $"[0x{Start:x}, 0x{End:x}) {Perms} {(Path.Length > 0 ? Path : "[anon]")}";
}

/// <summary>What a capture read: the frames of the present pages in virtual-address order, and the pages left out.</summary>
public sealed record CapturedFrames(IReadOnlyList<ulong> Frames, long NotPresent, long Hidden);

/// <summary>
/// A live process's physical layout, read from /proc: its mappings (/proc/PID/maps) and the frame of each virtual
/// page (/proc/PID/pagemap, 8 bytes a page: <see cref="PagemapEntry"/>). Linux only; frame numbers are shown to
/// readers with CAP_SYS_ADMIN, zero to others.
/// </summary>
public static class ProcessLayout
{
    public const ulong PageSize = 4096;

    public static string ProcDir(int pid) => Path.Combine("/proc", pid.ToString(CultureInfo.InvariantCulture));

    /// <summary>The mappings of process <paramref name="pid"/>, in address order.</summary>
    public static IReadOnlyList<ProcessVma> Maps(int pid)
    {
        var maps = Path.Combine(ProcDir(pid), "maps");
        var vmas = new List<ProcessVma>();
        foreach (var (_, line) in InputFile.ReadLines(maps, "maps", 64L << 20, 8192, p => new InputException(p)))
        {
            // 7f2c8a000000-7f2c8e000000 rw-p 00000000 00:00 0    [path]
            var parts = line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length < 5) continue;
            var range = parts[0].Split('-');
            if (range.Length != 2 || !ulong.TryParse(range[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var start) ||
                !ulong.TryParse(range[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var end)) continue;
            vmas.Add(new ProcessVma(start, end, parts[1], parts.Length == 6 ? parts[5].Trim() : ""));
        }
        return vmas;
    }

    /// <summary>The frames behind [<paramref name="start"/>, <paramref name="end"/>) of process <paramref name="pid"/> (page-aligned).</summary>
    public static CapturedFrames Read(int pid, ulong start, ulong end)
    {
        var frames = new List<ulong>();
        long notPresent = 0, hidden = 0;
        using var pagemap = new FileStream(Path.Combine(ProcDir(pid), "pagemap"), FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1);
        pagemap.Seek(checked((long)(start / PageSize * PagemapEntry.Bytes)), SeekOrigin.Begin);
        var buffer = new byte[PagemapEntry.Bytes * 4096];
        for (var va = start; va < end;)
        {
            var pages = (int)Math.Min(4096, (end - va) / PageSize);
            var want = pages * PagemapEntry.Bytes;
            var got = 0;
            while (got < want)
            {
                var n = pagemap.Read(buffer, got, want - got);
                if (n == 0) throw new IOException($"pagemap ended at 0x{va + (ulong)(got / PagemapEntry.Bytes) * PageSize:x}");
                got += n;
            }
            for (var i = 0; i < pages; i++)
            {
                var e = new PagemapEntry(BitConverter.ToUInt64(buffer, i * PagemapEntry.Bytes));
                if (!e.Present) notPresent++;
                else if (e.Pfn == 0) hidden++;
                else frames.Add(e.Pfn);
            }
            va += (ulong)pages * PageSize;
        }
        return new CapturedFrames(frames, notPresent, hidden);
    }

    /// <summary>/proc/sys/kernel/osrelease and the machine, for the header.</summary>
    public static string Kernel() =>
        $"Linux {Text("/proc/sys/kernel/osrelease")} {RuntimeInformation.OSArchitecture.ToString().ToLowerInvariant()}";

    /// <summary>The THP mode line ("always [madvise] never"), or "unknown".</summary>
    public static string Thp() => Text("/sys/kernel/mm/transparent_hugepage/enabled");

    private static string Text(string path)
    {
        try
        {
            return File.ReadAllText(path).Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "unknown";
        }
    }
}
