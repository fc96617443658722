using Phyr.Domain.Memory;

namespace Phyr.Domain.Descriptors;

/// <summary>
/// A buffer described in one of the kernel's (or the thread's) descriptor formats.
/// <see cref="Entries"/> counts data entries; <see cref="Bytes"/> is what is allocated to hold the
/// description, chain slots and headers included (docs/descriptor-formats.md gives each format's
/// accounting). <see cref="Decode"/> gives back the bytes described, so any format converts to any
/// other through it.
/// </summary>
public abstract record Descriptor
{
    /// <summary>The format's name in the CLI and JSON (e.g. <c>scatterlist</c>).</summary>
    public abstract string Name { get; }

    public abstract long Entries { get; }

    public abstract long Bytes { get; }

    /// <summary>How <see cref="Bytes"/> is made up, for a person: e.g. "sg_table 16 + 130 x 32 (1 chain)".</summary>
    public abstract string Accounting { get; }

    /// <summary>The byte ranges described, in buffer order (not necessarily canonical).</summary>
    public abstract IEnumerable<PhysRange> Decode();
}

/// <summary>A format cannot describe the given buffer (e.g. a page array and a sub-page gap).</summary>
public sealed class UnrepresentableException(string format, string reason)
    : Exception($"{format} cannot describe this buffer: {reason}")
{
    public string Format { get; } = format;
}
