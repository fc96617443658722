using System.Text;
using Phyr.Domain.Randomness;

namespace Phyr.Tests.Shared;

/// <summary>
/// Seeded mutation of a corpus of valid inputs, for fuzzing: bytes flipped, hostile strings inserted (NUL, escape
/// sequences, braces, quotes, huge and negative numbers, broken surrogates), spans deleted, duplicated or cut off.
/// The same mutants on every run.
/// </summary>
internal static class Mutants
{
    private static readonly string[] Hostile =
    [
        "\0", "\u001b[2J", "\r", "{", "}", "\"", "=", ":", "#", "//", "\n", ".", "-", "99999999999999999999999", "-1", "1e309", "NaN",
        "1T", "0", "unlimited", "axes {", "base {", "features.", "kernel = 2.4", "machine = ..", "\uFEFF", "\uD800", "𝄞", "\t", "[", "]",
        "null", "true", ",",
    ];

    /// <summary><paramref name="count"/> mutants of <paramref name="corpus"/> from <paramref name="seed"/>.</summary>
    public static IEnumerable<string> Of(IReadOnlyList<string> corpus, int count, ulong seed)
    {
        var random = new DeterministicRandom(seed);
        for (var i = 0; i < count; i++)
        {
            var text = new StringBuilder(corpus[(int)random.NextUInt64((ulong)corpus.Count)]);
            var edits = 1 + (int)random.NextUInt64(4);
            for (var e = 0; e < edits; e++)
            {
                var at = text.Length == 0 ? 0 : (int)random.NextUInt64((ulong)text.Length);
                switch (random.NextUInt64(5))
                {
                    case 0 when text.Length > 0:
                        text[at] = (char)(text[at] ^ (1 << (int)random.NextUInt64(7)));
                        break;
                    case 1:
                        text.Insert(at, Hostile[(int)random.NextUInt64((ulong)Hostile.Length)]);
                        break;
                    case 2 when text.Length > 0:
                        text.Remove(at, Math.Min(text.Length - at, 1 + (int)random.NextUInt64(40)));
                        break;
                    case 3 when text.Length > 0:
                        text.Insert(at, text.ToString(at, Math.Min(text.Length - at, 1 + (int)random.NextUInt64(80))));
                        break;
                    default:
                        text.Length = at;
                        break;
                }
            }
            yield return text.ToString();
        }
    }
}
