using System.Collections.Concurrent;
using System.Reflection;
using Phyr.Domain.Simulation;

namespace Phyr.Actors.Engine;

/// <summary>
/// A 64-bit digest of the events a component handled (time, sender, sequence, message kind), folded in
/// handling order; a run's digest folds the components' in id order. Equal digests mean the same events
/// in the same order. Each value is folded with one multiply and a shift (a 64-bit FNV-style mix);
/// only stable values go in (never string.GetHashCode, which is salted per process).
/// </summary>
internal static class EventDigest
{
    public const ulong Seed = 0xCBF29CE484222325UL;
    private const ulong Prime = 0x100000001B3UL;
    private static readonly ConcurrentDictionary<Type, ulong> TypeHashes = new();

    public static ulong Fold(ulong h, ulong value)
    {
        h = (h ^ value) * Prime;
        return h ^ (h >> 29);
    }

    /// <summary>The hash of a message type's kind: its <see cref="EventKindAttribute"/> name, else its full name.</summary>
    public static ulong OfType(Type t) => TypeHashes.GetOrAdd(t, static type =>
    {
        var h = Seed;
        var kind = type.GetCustomAttribute<EventKindAttribute>()?.Name ?? type.FullName ?? type.Name;
        foreach (var c in kind) h = Fold(h, c);
        return h;
    });
}
