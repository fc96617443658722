using Phyr.Domain.Memory;

namespace Phyr.Domain.Descriptors;

/// <summary>One format's description of a buffer, reduced to what a density comparison needs.</summary>
public sealed record Representation(string Name, long Entries, long Bytes, string Accounting);

/// <summary>A buffer described in every format: the answer to "is X actually denser than Y".</summary>
public sealed record DensityReport(PhysLayout Layout, DescriptorOptions Options, IReadOnlyList<Representation> Representations)
{
    public static DensityReport Of(PhysLayout layout, DescriptorOptions options) =>
        new(layout, options, DescriptorFormat.All
            .Select(f => f.Build(layout.Ranges, options))
            .Select(d => new Representation(d.Name, d.Entries, d.Bytes, d.Accounting))
            .ToList());
}
