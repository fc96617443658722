using System.CommandLine;
using System.Globalization;
using Phyr.Domain.Memory;
using Phyr.Domain.Units;
using Phyr.Host.Capture;
using Phyr.Host.Output;

namespace Phyr.Host.Cli;

/// <summary>
/// <c>phyr capture</c>: a live process's physical layout — the frame behind each page of an address range, from
/// /proc/PID/pagemap — into the pfn file format <c>phyr layout --pfns</c> and <c>layout.pfns</c> read, with a header
/// saying what, where and when. Without --pid it captures a buffer of its own (allocated, touched page by page).
/// </summary>
public static class CaptureCommand
{
    private static readonly Option<string?> Pid = new("--pid") { Description = "The process to capture (default: a buffer this command allocates and touches itself).", HelpName = "PID" };
    private static readonly Option<string?> Size = new("--size") { Description = "Without --pid: the buffer's size. Default 64M.", HelpName = "BYTES" };
    private static readonly Option<bool> Thp = new("--thp") { Description = "Without --pid: madvise(MADV_HUGEPAGE) the buffer (else MADV_NOHUGEPAGE)." };
    private static readonly Option<string?> Range = new("--range") { Description = "With --pid: the virtual range, START-END in hex (0x7f00...-0x7f00...).", HelpName = "START-END" };
    private static readonly Option<string?> Address = new("--address") { Description = "With --pid: capture the whole mapping (VMA) holding this hex address.", HelpName = "ADDR" };
    private static readonly Option<string?> Out = new("--out") { Description = "The pfn file to write. Default capture.pfn.", HelpName = "FILE" };

    /// <summary>The most a capture reads: 1 TiB of 4 KiB pages.</summary>
    public const ulong MaxBytes = 1UL << 40;

    public static Command Create()
    {
        var command = new Command("capture",
            "Capture a live process's physical layout from /proc/PID/pagemap into a pfn file (what phyr layout --pfns and layout.pfns read). " +
            "Frame numbers are shown to root (CAP_SYS_ADMIN) only. Example: sudo phyr capture --size 64M --thp --out thp.pfn")
        {
            Pid, Size, Thp, Range, Address, Out,
        };
        command.SetAction(parse => Run(parse));
        return command;
    }

    private static int Run(ParseResult parse)
    {
        if (!OperatingSystem.IsLinux() || !Directory.Exists("/proc/self"))
            throw new UsageException("capture", "reads /proc/PID/pagemap: it runs on Linux only");
        var outFile = parse.GetValue(Out) ?? "capture.pfn";
        var pidText = parse.GetValue(Pid);
        CapturedFrames frames;
        string what;
        if (pidText is null)
        {
            if (parse.GetValue(Range) is not null || parse.GetValue(Address) is not null)
                throw new UsageException("--range", "--range and --address name a range of another process: give --pid");
            var size = parse.GetValue(Size) is { } s ? OptionValues.Bytes("--size", s) : 64UL << 20;
            if (size == 0 || size % ProcessLayout.PageSize != 0 || size > 64UL << 30)
                throw new UsageException("--size", $"{size} is not a multiple of 4K from 4K to 64G (the buffer is allocated here)");
            var thp = parse.GetValue(Thp);
            using var buffer = new OwnBuffer(size, thp);
            frames = Read(Environment.ProcessId, buffer.Start, buffer.End, "--size");
            what = $"a {ByteSize.Format(size)} anonymous buffer of phyr capture (pid {Environment.ProcessId}), {(thp ? "MADV_HUGEPAGE" : "MADV_NOHUGEPAGE")}, " +
                   $"touched in address order: [0x{buffer.Start:x}, 0x{buffer.End:x})";
        }
        else
        {
            if (parse.GetValue(Size) is not null || parse.GetValue(Thp)) throw new UsageException("--size", "--size and --thp shape this command's own buffer: not with --pid");
            if (!int.TryParse(pidText, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) || pid < 1)
                throw new UsageException("--pid", $"'{pidText}' is not a process id");
            if (!Directory.Exists(ProcessLayout.ProcDir(pid))) throw new UsageException("--pid", $"no process {pid}");
            var (start, end, vma) = Target(parse, pid);
            frames = Read(pid, start, end, "--pid");
            what = $"[0x{start:x}, 0x{end:x}) of pid {pid}{(vma is null ? "" : $" ({vma})")}";
        }
        if (frames.Frames.Count == 0 && frames.Hidden > 0)
            throw new UsageException("capture", $"the kernel hides frame numbers from this user ({frames.Hidden} present pages read as 0): run as root (CAP_SYS_ADMIN)");
        if (frames.Frames.Count == 0) throw new UsageException("capture", "no page of the range is present (nothing has touched it): the layout would be empty");
        string[] header =
        [
            $"physical frame numbers (4 KiB pages) of {what}, in virtual-address order",
            $"read from /proc/PID/pagemap on {ProcessLayout.Kernel()}; transparent_hugepage: {ProcessLayout.Thp()}",
            $"captured {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC by phyr capture: {frames.Frames.Count} frames, {frames.NotPresent} pages not present (left out)",
        ];
        try
        {
            AtomicFile.Write(outFile, PfnFile.Format(header, frames.Frames));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException("--out", $"{outFile}: cannot be written: {e.Message}");
        }
        var runs = PhysLayout.ToRuns(frames.Frames).Count();
        parse.InvocationConfiguration.Output.WriteLine(
            $"captured {frames.Frames.Count} frames in {runs} runs ({frames.NotPresent} pages not present) into {outFile}");
        return ExitCodes.Ok;
    }

    private static CapturedFrames Read(int pid, ulong start, ulong end, string field)
    {
        try
        {
            return ProcessLayout.Read(pid, start, end);
        }
        catch (UnauthorizedAccessException)
        {
            throw new UsageException(field, $"cannot read /proc/{pid}/pagemap: permission denied (the same user, or root, may)");
        }
        catch (IOException e)
        {
            throw new UsageException(field, $"cannot read /proc/{pid}/pagemap: {e.Message}");
        }
    }

    /// <summary>The range to read: --range, or the VMA holding --address.</summary>
    private static (ulong Start, ulong End, ProcessVma? Vma) Target(ParseResult parse, int pid)
    {
        var range = parse.GetValue(Range);
        var address = parse.GetValue(Address);
        if ((range is null) == (address is null)) throw new UsageException("--range", "with --pid give one of --range START-END and --address ADDR");
        if (range is not null)
        {
            var parts = range.Split('-');
            if (parts.Length != 2 || Hex(parts[0]) is not { } start || Hex(parts[1]) is not { } end || end <= start)
                throw new UsageException("--range", $"'{range}' is not START-END in hex with END above START");
            if (start % ProcessLayout.PageSize != 0 || end % ProcessLayout.PageSize != 0) throw new UsageException("--range", "START and END must be 4 KiB aligned");
            if (end - start > MaxBytes) throw new UsageException("--range", $"{ByteSize.Format(end - start)} is more than 1 TiB");
            return (start, end, null);
        }
        if (Hex(address!) is not { } at) throw new UsageException("--address", $"'{address}' is not a hex address");
        var vma = ProcessLayout.Maps(pid).FirstOrDefault(v => v.Start <= at && at < v.End)
                  ?? throw new UsageException("--address", $"0x{at:x} is in no mapping of pid {pid} (see /proc/{pid}/maps)");
        if (vma.End - vma.Start > MaxBytes) throw new UsageException("--address", $"the mapping {vma} is more than 1 TiB");
        return (vma.Start, vma.End, vma);
    }

    private static ulong? Hex(string text) =>
        ulong.TryParse(text.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? text[2..] : text, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var v) ? v : null;
}
