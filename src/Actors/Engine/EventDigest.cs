using System.Collections.Concurrent;

namespace Phyr.Actors.Engine;

/// <summary>
/// A 64-bit digest of the events a component handled (time, sender, sequence, message type), folded in
/// handling order; a run's digest folds the components' in id order. Equal digests mean the same events
/// in the same order. Uses FNV-1a over stable values only (never string.GetHashCode).
/// </summary>
internal static class EventDigest
{
    public const ulong Seed = 0xCBF29CE484222325UL;
    private const ulong Prime = 0x100000001B3UL;
    private static readonly ConcurrentDictionary<Type, ulong> TypeHashes = new();

    public static ulong Fold(ulong h, ulong value)
    {
        for (var i = 0; i < 8; i++)
        {
            h ^= (byte)(value >> (8 * i));
            h *= Prime;
        }
        return h;
    }

    public static ulong OfType(Type t) => TypeHashes.GetOrAdd(t, static type =>
    {
        var h = Seed;
        foreach (var c in type.FullName ?? type.Name) h = Fold(h, c);
        return h;
    });
}
