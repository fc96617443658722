using System.CommandLine;
using Phyr.Domain.Descriptors;
using Phyr.Domain.Descriptors.Scatterlist;
using Phyr.Domain.Memory;
using Phyr.Host.Cli;
using Phyr.Host.Output;

namespace Phyr.Host.Cli;

/// <summary>
/// <c>phyr layout</c>: describes one physical layout in every descriptor format and reports entries and
/// bytes for each: the density argument of the Phyr Starter thread, settled per layout.
/// </summary>
public static class LayoutCommand
{
    private static readonly Option<string?> Pfns = new("--pfns")
    {
        Description = "File of frame numbers, one decimal per line in virtual-address order, '#' starts a comment " +
                      "(a /proc/<pid>/pagemap dump, e.g. from phyr capture); a bare name also finds a shipped layout (pagemap-anon-64m-seq.pfn).",
        HelpName = "FILE",
    };

    private static readonly Option<string?> Runs = new("--runs")
    {
        Description = "Frame numbers and inclusive ranges in virtual-address order, e.g. 3-10, 0,2,1 or 0-1,3-4.",
        HelpName = "LIST",
    };

    /// <summary>The most frames --generate makes: 1 TiB of 4 KiB pages.</summary>
    public const ulong MaxGenerated = 1UL << 28;

    private static readonly Option<string?> Generate = new("--generate")
    {
        Description = "Generate N frames (at most 268435456: 1 TiB of 4 KiB frames) with the seeded fragmentation model (see --fragmentation, --seed).",
        HelpName = "N",
    };

    private static readonly Option<string?> Fragmentation = new("--fragmentation")
    {
        Description = "With --generate: chance that a run breaks after each frame, 0..1 or 0%..100% " +
                      "(0 = one contiguous run, 1 = no two frames contiguous). Default 0.35, like a real anonymous mapping.",
        HelpName = "F",
    };

    private static readonly Option<string?> Seed = new("--seed")
    {
        Description = "With --generate: the seed of the fragmentation model. Default 1.",
        HelpName = "N",
    };

    private static readonly Option<string?> PageSize = new("--page-size")
    {
        Description = "Size of the frames the numbers count: 4K, 2M or 1G. Default 4K.",
        HelpName = "4K|2M|1G",
    };

    private static readonly Option<string?> Offset = new("--offset")
    {
        Description = "Byte offset of the buffer into the first frame's start. Default 0. Accepts 4096, 0x1000, 4K.",
        HelpName = "BYTES",
    };

    private static readonly Option<string?> Length = new("--length")
    {
        Description = "Buffer length in bytes. Default: all frames after --offset.",
        HelpName = "BYTES",
    };

    private static readonly Option<string?> MaxSegment = new("--max-segment")
    {
        Description = "The device's maximum segment size (scatterlist, phys-vec, nvme-sgl), rounded down to 4 KiB " +
                      "as sg_alloc_table_from_pages_segment does; below 4 KiB is an error. Default UINT_MAX rounded down: 4294963200.",
        HelpName = "BYTES",
    };

    private static readonly Option<string?> Format = new("--format")
    {
        Description = "Output: table (default) or json.",
        HelpName = "table|json",
    };

    public static Command Create()
    {
        var command = new Command("layout",
            "Describe one physical layout in every descriptor format (page-array, scatterlist, bio-vec, phyr, phys-vec, " +
            "pfn-batch, phyr-list-packed, power-of-two, nvme-prp, nvme-sgl) and report entries and allocated bytes. " +
            "Example: phyr layout --runs 3-10 --page-size 1G");
        foreach (var o in new[] { Pfns, Runs, Generate, Fragmentation, Seed, PageSize, Offset, Length, MaxSegment, Format })
            command.Options.Add(o);
        command.SetAction(Execute);
        return command;
    }

    private static int Execute(ParseResult parse)
    {
        var output = parse.InvocationConfiguration.Output;
        var pageSize = parse.GetValue(PageSize) is { } ps ? OptionValues.PageSize("--page-size", ps) : FrameSize.Base;
        var offset = parse.GetValue(Offset) is { } o ? OptionValues.Bytes("--offset", o) : 0UL;
        ulong? length = parse.GetValue(Length) is { } l ? OptionValues.Bytes("--length", l) : null;
        var maxSegment = ParseMaxSegment(parse.GetValue(MaxSegment));
        var json = parse.GetValue(Format) is { } f &&
                   OptionValues.OneOf("--format", f, new Dictionary<string, bool> { ["table"] = false, ["json"] = true });

        var (source, sourceOption, frames) = ReadFrames(parse);
        PhysLayout layout;
        try
        {
            layout = PhysLayout.Create(pageSize, frames, offset, length);
        }
        catch (LayoutException e)
        {
            throw new UsageException(e.Field switch
            {
                "offset" => "--offset",
                "length" => "--length",
                _ => sourceOption,
            }, e.Problem);
        }

        var report = DensityReport.Of(layout, new DescriptorOptions(maxSegment));
        if (json) LayoutOutput.WriteJson(output, source, report);
        else LayoutOutput.WriteTable(output, source, report);
        return ExitCodes.Ok;
    }

    private static ulong ParseMaxSegment(string? text)
    {
        if (text is null) return SgTable.DefaultMaxSegment;
        var bytes = OptionValues.Bytes("--max-segment", text);
        if (bytes > uint.MaxValue)
            throw new UsageException("--max-segment", $"{bytes} does not fit the kernel's unsigned int (at most {uint.MaxValue})");
        var aligned = Page.AlignDown(bytes);
        if (aligned < Page.Size)
            throw new UsageException("--max-segment", $"{bytes} is below one page ({Page.Size} bytes): the kernel returns -EINVAL");
        return aligned;
    }

    private static (string Source, string Option, IReadOnlyList<FrameRun> Frames) ReadFrames(ParseResult parse)
    {
        var pfns = parse.GetValue(Pfns);
        var runs = parse.GetValue(Runs);
        var generate = parse.GetValue(Generate);
        var given = new[] { ("--pfns", pfns), ("--runs", runs), ("--generate", generate) }.Where(s => s.Item2 is not null).ToList();
        if (given.Count == 0)
            throw new UsageException("layout", "give the frames with one of --pfns FILE, --runs LIST or --generate N");
        if (given.Count > 1)
            throw new UsageException(given[1].Item1, $"cannot be combined with {given[0].Item1}: give the frames one way");
        if (generate is null && (parse.GetValue(Fragmentation) is not null || parse.GetValue(Seed) is not null))
            throw new UsageException(parse.GetValue(Fragmentation) is not null ? "--fragmentation" : "--seed",
                "only applies with --generate");

        try
        {
            if (pfns is not null)
            {
                // A path as given; a bare name not found here is looked for among the shipped layouts (data/layouts/).
                var file = !File.Exists(pfns) && !Directory.Exists(pfns) && Config.ConfigLibrary.FindLayout(pfns, Path.Combine("data", "layouts")) is { } shipped
                    ? shipped : pfns;
                return (Path.GetFileName(pfns), "--pfns", [.. PhysLayout.ToRuns(PfnFile.Read(file))]);
            }
            if (runs is not null)
                return ($"--runs {runs}", "--runs", RunList.Parse(runs));

            var n = OptionValues.Count("--generate", generate!);
            if (n == 0) throw new UsageException("--generate", "must be at least 1 frame (the layout would be empty)");
            if (n > MaxGenerated) throw new UsageException("--generate", $"{n} frames is more than {MaxGenerated} (1 TiB of 4 KiB frames), the most a layout is made of");
            var fragmentation = parse.GetValue(Fragmentation) is { } fr ? OptionValues.Fraction("--fragmentation", fr) : 0.35;
            var seed = parse.GetValue(Seed) is { } s ? OptionValues.Count("--seed", s) : 1UL;
            var model = new FragmentationModel(fragmentation, seed);
            return ($"generated: {n} frames, fragmentation {fragmentation:0.###}, seed {seed}", "--generate", model.Generate(n));
        }
        catch (LayoutException e)
        {
            var option = given[0].Item1;
            // A pfn file's errors name the file (and line) themselves.
            throw new UsageException(option, e.Field is "runs" or "frames" ? e.Problem : e.Message);
        }
    }
}
