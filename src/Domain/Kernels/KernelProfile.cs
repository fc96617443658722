using Phyr.Domain.Scenarios;

namespace Phyr.Domain.Kernels;

/// <summary>
/// A kernel version's pin path: every feature switch as <see cref="KernelChange.All"/> leaves it at that version. The
/// switches no commit changes keep their defaults (folio-batched-pin: gup_fast has grabbed a huge entry's folio once
/// since before these versions; per-vma-lock: GUP takes mmap_lock in every version — the switch is a what-if). Scenario
/// files say <c>kernel = 6.15</c>, gup-test <c>--kernel 6.15</c>; <c>features.NAME</c> overrides one switch after it.
/// </summary>
public static class KernelProfile
{
    /// <summary>The oldest version the changes are known back to.</summary>
    public static readonly KernelVersion Oldest = new(3, 13);

    /// <summary>The kernel of today: the switches' defaults are this profile (a test checks it).</summary>
    public static readonly KernelVersion Latest = new(6, 19);

    /// <summary>The switches of <paramref name="version"/> applied to <paramref name="s"/>.</summary>
    public static Scenario Apply(Scenario s, KernelVersion version)
    {
        if (version < Oldest || version > Latest)
            throw new ArgumentOutOfRangeException(nameof(version), version, $"kernel profiles cover {Oldest} to {Latest}");
        // Start from the oldest state: each change's feature before it was made.
        foreach (var f in KernelFeature.All)
            if (KernelChange.All.FirstOrDefault(c => c.Feature == f.Name) is { } first) s = f.Set(s, !first.On);
        foreach (var c in KernelChange.All.Where(c => c.Since <= version))
            s = KernelFeature.Find(c.Feature)!.Set(s, c.On);
        return s with { Kernel = version };
    }

    /// <summary>What is wrong with <paramref name="text"/> as a kernel version, or null.</summary>
    public static string? Problem(string text) => KernelVersion.TryParse(text) is not { } v
        ? $"'{text}' is not a kernel version (major.minor, e.g. 6.15)"
        : v < Oldest || v > Latest ? $"{v} is outside the kernel profiles ({Oldest} to {Latest})" : null;
}
