using System.Text;

namespace Phyr.Domain.Config;

/// <summary>A value read from a .conf file, with where it was written (the file, when it differs from the one being read).</summary>
public readonly record struct ConfValue(string Text, int Line, string? Source = null);

/// <summary>Bad input in a .conf file: one line naming the file, line and problem.</summary>
public sealed class ConfException(string message) : InputException(message);

/// <summary>
/// A strict reader for the HOCON subset Phyr's scenario and experiment files use: <c>key = value</c> or
/// <c>key: value</c>, dotted keys (<c>gup.batch = 16</c>), nested objects (<c>gup { batch = 16 }</c>),
/// quoted or bare values, commas or newlines between fields, <c>#</c> and <c>//</c> comments. Anything else
/// — an unclosed brace, a key without a value, a key given twice — is an error naming the line, where a
/// lenient parser would guess.
/// </summary>
public static class ConfFile
{
    /// <summary>The most a scenario, experiment, machine, case or cost-model file may hold.</summary>
    public const long MaxFileBytes = 256 * 1024;

    /// <summary>
    /// The text of the <paramref name="what"/> file at <paramref name="path"/> (e.g. "scenario"), refused with one line when it
    /// is missing, not a text file of at most <paramref name="maxBytes"/> (<see cref="InputFile.ReadText"/>) or unreadable.
    /// </summary>
    public static string ReadFile(string path, string what, long maxBytes = MaxFileBytes) =>
        InputFile.ReadText(path, what, maxBytes, problem => new ConfException(problem));

    public static IReadOnlyDictionary<string, ConfValue> Parse(string text, string source)
    {
        var result = new Dictionary<string, ConfValue>(StringComparer.Ordinal);
        var tokens = Tokenize(text, source);
        var pos = 0;
        ParseObject(tokens, ref pos, "", result, source, topLevel: true, depth: 0);
        return result;
    }

    private enum Kind { Word, String, Equals, Open, Close, Separator }

    private readonly record struct Token(Kind Kind, string Text, int Line);

    /// <summary>Objects nest at most this deep (a deeper file is refused rather than allowed to exhaust the stack).</summary>
    public const int MaxDepth = 16;

    private static void ParseObject(List<Token> t, ref int pos, string prefix, Dictionary<string, ConfValue> into, string source, bool topLevel, int depth)
    {
        if (depth > MaxDepth) throw Error(source, t[Math.Min(pos, t.Count - 1)].Line, $"objects nest more than {MaxDepth} deep");
        while (pos < t.Count)
        {
            var tok = t[pos];
            if (tok.Kind == Kind.Separator) { pos++; continue; }
            if (tok.Kind == Kind.Close)
            {
                if (topLevel) throw Error(source, tok.Line, "'}' without a matching '{'");
                pos++;
                return;
            }
            if (tok.Kind is not (Kind.Word or Kind.String))
                throw Error(source, tok.Line, $"expected a key, found '{tok.Text}'");
            var key = prefix.Length == 0 ? tok.Text : $"{prefix}.{tok.Text}";
            pos++;
            if (pos >= t.Count) throw Error(source, tok.Line, $"'{key}' has no value");
            var next = t[pos];
            if (next.Kind == Kind.Open)
            {
                pos++;
                ParseObject(t, ref pos, key, into, source, topLevel: false, depth: depth + 1);
                continue;
            }
            if (next.Kind != Kind.Equals) throw Error(source, next.Line, $"expected '=' or ':' after '{key}', found '{next.Text}'");
            pos++;
            if (pos >= t.Count || t[pos].Kind is Kind.Separator or Kind.Close)
                throw Error(source, next.Line, $"'{key}' has no value");
            if (t[pos].Kind == Kind.Open)
            {
                pos++;
                ParseObject(t, ref pos, key, into, source, topLevel: false, depth: depth + 1);
                continue;
            }
            var value = t[pos];
            if (value.Kind is not (Kind.Word or Kind.String)) throw Error(source, value.Line, $"'{key}' has no value");
            if (into.ContainsKey(key)) throw Error(source, value.Line, $"'{key}' is given twice");
            into[key] = new ConfValue(value.Text, value.Line, source);
            pos++;
        }
        if (!topLevel) throw Error(source, t.Count > 0 ? t[^1].Line : 1, $"'{prefix}' is missing its closing '}}'");
    }

    private static List<Token> Tokenize(string text, string source)
    {
        var tokens = new List<Token>();
        var line = 1;
        for (var i = 0; i < text.Length; i++)
        {
            // Text only: no control character but tab and line ends, no half of a surrogate pair (not a character).
            var ch = text[i];
            if (ch == '\n') line++;
            else if ((char.IsControl(ch) && ch is not ('\t' or '\r')) || ch == '\uFEFF')
                throw Error(source, line, $"holds the control character U+{(int)ch:X4}: not text");
            else if (char.IsHighSurrogate(ch) ? i + 1 >= text.Length || !char.IsLowSurrogate(text[++i]) : char.IsLowSurrogate(ch))
                throw Error(source, line, "holds a broken UTF-16 surrogate: not text");
        }
        line = 1;
        for (var i = 0; i < text.Length;)
        {
            var c = text[i];
            if (c == '\n') { tokens.Add(new Token(Kind.Separator, "\\n", line)); line++; i++; continue; }
            if (char.IsWhiteSpace(c)) { i++; continue; }
            if (c == '#' || (c == '/' && i + 1 < text.Length && text[i + 1] == '/'))
            {
                while (i < text.Length && text[i] != '\n') i++;
                continue;
            }
            switch (c)
            {
                case '{': tokens.Add(new Token(Kind.Open, "{", line)); i++; continue;
                case '}': tokens.Add(new Token(Kind.Close, "}", line)); i++; continue;
                case '=' or ':': tokens.Add(new Token(Kind.Equals, c.ToString(), line)); i++; continue;
                case ',': tokens.Add(new Token(Kind.Separator, ",", line)); i++; continue;
                case '"':
                {
                    var sb = new StringBuilder();
                    i++;
                    while (i < text.Length && text[i] != '"')
                    {
                        if (text[i] == '\n') throw Error(source, line, "a quoted value is not closed on its line");
                        if (text[i] == '\\' && i + 1 < text.Length) i++;
                        sb.Append(text[i++]);
                    }
                    if (i >= text.Length) throw Error(source, line, "a quoted value is not closed");
                    i++;
                    tokens.Add(new Token(Kind.String, sb.ToString(), line));
                    continue;
                }
            }
            var start = i;
            while (i < text.Length && !char.IsWhiteSpace(text[i]) && text[i] is not ('{' or '}' or '=' or ':' or ',' or '"' or '#')
                   && !(text[i] == '/' && i + 1 < text.Length && text[i + 1] == '/'))
                i++;
            if (i == start) throw Error(source, line, $"unexpected character '{c}'");
            tokens.Add(new Token(Kind.Word, text[start..i], line));
        }
        return tokens;
    }

    private static ConfException Error(string source, int line, string problem) => new($"{source}:{line}: {problem}");
}
