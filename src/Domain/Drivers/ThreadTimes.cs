namespace Phyr.Domain.Drivers;

/// <summary>One pinning thread's virtual times (ns): when it started, when it had pinned everything and began to unpin, when it had released it all (-1: not yet).</summary>
public readonly record struct ThreadTimes(long Start, long Pinned, long Finished)
{
    public static readonly ThreadTimes NotStarted = new(-1, -1, -1);

    /// <summary>gup_test's "get" time: pinning the region.</summary>
    public long GetNs => Pinned - Start;

    /// <summary>gup_test's "put" time: unpinning it.</summary>
    public long PutNs => Finished - Pinned;
}
