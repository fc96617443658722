using Phyr.Domain.Scenarios;

namespace Phyr.Host.Config;

/// <summary>
/// The memory this process may use (the GC's view: the machine's, or a container's limit), against which work is
/// accepted or refused before it starts (<see cref="Footprint"/>). A host fact: it decides whether a run starts, never
/// what a run computes.
/// </summary>
public static class MachineMemory
{
    public static ulong AvailableBytes => (ulong)Math.Max(0, GC.GetGCMemoryInfo().TotalAvailableMemoryBytes);

    /// <summary>
    /// Why the largest of <paramref name="scenarios"/>, <paramref name="runsAtOnce"/> at a time, cannot fit in the machine's
    /// memory or under <paramref name="limit"/> (--max-memory); null when it can.
    /// </summary>
    public static string? Problem(IEnumerable<Scenario> scenarios, int runsAtOnce = 1, ulong? limit = null)
    {
        var largest = scenarios.MaxBy(Footprint.Bytes);
        return largest is null ? null : Footprint.Problem(largest, AvailableBytes, runsAtOnce, limit);
    }
}
