using System.Runtime.InteropServices;
using System.Text.Json;
using Phyr.Tests.Shared;

namespace Phyr.Host.Tests;

/// <summary>`phyr capture`: a live process's layout from /proc/PID/pagemap into a pfn file that `phyr layout` reads.</summary>
public sealed class CaptureCommandTests() : Serve.TempDirectory("phyr-capture")
{
    private static JsonElement Layout(string pfns)
    {
        var r = CliRunner.Run("layout", "--pfns", pfns, "--format", "json");
        Assert.Equal(0, r.ExitCode);
        return JsonDocument.Parse(r.Stdout).RootElement.GetProperty("layout").Clone();
    }

    [Serve.RootFact("the kernel shows frame numbers to CAP_SYS_ADMIN only")]
    public void Its_own_64_MiB_buffer_is_16384_frames_in_the_runs_pagemap_shows()
    {
        Directory.CreateDirectory(_dir);
        var file = Path.Combine(_dir, "own.pfn");
        var r = CliRunner.Run("capture", "--size", "64M", "--out", file);
        Assert.Equal(0, r.ExitCode);
        Assert.StartsWith("captured 16384 frames in ", r.Stdout);
        Assert.Equal(16384, Layout(file).GetProperty("frames").GetInt32());
        var header = File.ReadLines(file).TakeWhile(l => l.StartsWith('#')).ToList();
        Assert.Contains(header, l => l.Contains("64 MiB anonymous buffer of phyr capture"));
        Assert.Contains(header, l => l.Contains("read from /proc/PID/pagemap on Linux "));
        Assert.Contains(header, l => l.Contains("transparent_hugepage: "));
    }

    [Serve.RootFact("the kernel shows frame numbers to CAP_SYS_ADMIN only")]
    public void Another_process_range_gives_the_runs_an_independent_reading_of_pagemap_counts()
    {
        // This test process is the other process: a 64 MiB buffer of its own, touched page by page.
        const int size = 64 << 20;
        var raw = Marshal.AllocHGlobal(size + 4096);
        try
        {
            var start = ((ulong)raw + 4095) & ~4095UL;
            for (var off = 0; off < size; off += 4096) Marshal.WriteByte((nint)(start + (ulong)off), 1);
            var end = start + size;
            Directory.CreateDirectory(_dir);
            var file = Path.Combine(_dir, "range.pfn");
            var r = CliRunner.Run("capture", "--pid", Environment.ProcessId.ToString(), "--range", $"0x{start:x}-0x{end:x}", "--out", file);
            Assert.Equal(0, r.ExitCode);
            // Counted here, apart from phyr: each page's entry, and a new run wherever the frame is not the last + 1.
            using var pagemap = File.OpenRead("/proc/self/pagemap");
            pagemap.Seek((long)(start / 4096 * 8), SeekOrigin.Begin);
            var bytes = new byte[size / 4096 * 8];
            pagemap.ReadExactly(bytes);
            var pfns = Enumerable.Range(0, size / 4096).Select(i => BitConverter.ToUInt64(bytes, i * 8))
                .Where(e => e >> 63 != 0).Select(e => e & ((1UL << 55) - 1)).ToList();
            var runs = 1 + Enumerable.Range(1, pfns.Count - 1).Count(i => pfns[i] != pfns[i - 1] + 1);
            var layout = Layout(file);
            Assert.Equal(pfns.Count, layout.GetProperty("frames").GetInt32());
            Assert.Equal(16384, pfns.Count);
            Assert.Equal(runs, layout.GetProperty("runs").GetInt32());
            Assert.Equal(pfns, File.ReadLines(file).Where(l => !l.StartsWith('#')).Select(ulong.Parse));
        }
        finally
        {
            Marshal.FreeHGlobal(raw);
        }
    }

    [Fact]
    public void Bad_targets_are_one_line()
    {
        (string[] Args, string Expected)[] cases =
        [
            (["capture", "--pid", "abc"], "--pid: 'abc' is not a process id"),
            (["capture", "--pid", "999999999"], "--pid: no process 999999999"),
            (["capture", "--pid", "1"], "--range: with --pid give one of --range START-END and --address ADDR"),
            (["capture", "--pid", "1", "--range", "0x2000-0x1000"], "--range: '0x2000-0x1000' is not START-END in hex with END above START"),
            (["capture", "--range", "0x1000-0x2000"], "--range: --range and --address name a range of another process: give --pid"),
            (["capture", "--size", "3K"], "--size: 3072 is not a multiple of 4K"),
        ];
        foreach (var (args, expected) in cases)
        {
            var r = CliRunner.Run(args);
            Assert.Equal(2, r.ExitCode);
            Assert.Single(r.StderrLines);
            Assert.Contains(expected, r.Stderr);
        }
    }
}
