namespace Phyr.Domain.Randomness;

/// <summary>
/// SplitMix64 (Steele, Lea, Flood 2014): seeds the generators and derives independent seeds.
/// Implemented here, not taken from System.Random, so results never change with the runtime.
/// </summary>
public static class SplitMix64
{
    public static ulong Next(ref ulong state)
    {
        var z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>A seed for the component called <paramref name="name"/> in a run seeded with <paramref name="runSeed"/>.</summary>
    public static ulong Derive(ulong runSeed, string name)
    {
        // FNV-1a over the UTF-16 code units: stable, and independent of string.GetHashCode's per-process salt.
        var h = 0xCBF29CE484222325UL;
        foreach (var c in name)
        {
            h ^= c;
            h *= 0x100000001B3UL;
        }
        var state = runSeed ^ h;
        return Next(ref state);
    }
}
