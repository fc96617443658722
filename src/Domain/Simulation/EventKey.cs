namespace Phyr.Domain.Simulation;

/// <summary>
/// The total order of simulation events: virtual time in nanoseconds, then the sending component,
/// then that component's send sequence number. The key depends only on what components did, never
/// on which host thread or partition ran them, so ties are broken the same way on every run.
/// </summary>
public readonly record struct EventKey(long Time, int Source, long Seq) : IComparable<EventKey>
{
    public int CompareTo(EventKey other)
    {
        var c = Time.CompareTo(other.Time);
        if (c != 0) return c;
        c = Source.CompareTo(other.Source);
        return c != 0 ? c : Seq.CompareTo(other.Seq);
    }

    public static bool operator <(EventKey a, EventKey b) => a.CompareTo(b) < 0;
    public static bool operator >(EventKey a, EventKey b) => a.CompareTo(b) > 0;
    public static bool operator <=(EventKey a, EventKey b) => a.CompareTo(b) <= 0;
    public static bool operator >=(EventKey a, EventKey b) => a.CompareTo(b) >= 0;
}
