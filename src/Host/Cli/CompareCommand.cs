using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Phyr.Domain.Config;
using Phyr.Host.Cli;
using Phyr.Host.Output;

namespace Phyr.Host.Cli;

/// <summary>
/// `phyr compare DIR_A DIR_B`: the metric-by-metric difference of two result folders — two scenario runs, or two
/// experiments, whose points are matched by their axis values and repetition.
/// </summary>
public static class CompareCommand
{
    private static readonly Argument<string> A = new("DIR_A") { Description = "A folder with results.json (the baseline)." };
    private static readonly Argument<string> B = new("DIR_B") { Description = "A folder with results.json (compared with the baseline)." };
    private static readonly Option<bool> All = new("--all") { Description = "Also list the metrics that did not change." };
    private static readonly Option<string?> Format = new("--format") { Description = "table (default) or json.", HelpName = "table|json" };

    public sealed record Row(string Point, string Metric, double A, double B)
    {
        public double Delta => B - A;
        public double? Ratio => A == 0 ? null : B / A;
    }

    public static Command Create()
    {
        var command = new Command("compare", "The metric-by-metric difference of two result folders (phyr run outputs): scenarios, " +
                                             "or experiments matched point by point on their axes and repetition.");
        command.Arguments.Add(A);
        command.Arguments.Add(B);
        command.Options.Add(All);
        command.Options.Add(Format);
        command.SetAction(Execute);
        return command;
    }

    private static int Execute(ParseResult parse)
    {
        var json = parse.GetValue(Format) is { } f &&
                   OptionValues.OneOf("--format", f, new Dictionary<string, bool> { ["table"] = false, ["json"] = true });
        var a = Load("DIR_A", parse.GetValue(A)!);
        var b = Load("DIR_B", parse.GetValue(B)!);
        if (a.Count == 1 && a.ContainsKey("") != b.ContainsKey(""))
            throw new UsageException("DIR_B", "one folder holds a scenario's results and the other an experiment's: compare like with like");

        var rows = new List<Row>();
        var onlyA = a.Keys.Where(k => !b.ContainsKey(k)).Order(StringComparer.Ordinal).ToList();
        var onlyB = b.Keys.Where(k => !a.ContainsKey(k)).Order(StringComparer.Ordinal).ToList();
        var compared = 0;
        foreach (var point in a.Keys.Where(b.ContainsKey).Order(StringComparer.Ordinal))
        {
            var inB = b[point].ToDictionary(m => m.Key, m => m.Value, StringComparer.Ordinal);
            foreach (var (metric, va) in a[point])
            {
                if (!inB.TryGetValue(metric, out var vb)) continue;
                compared++;
                if (parse.GetValue(All) || va != vb) rows.Add(new Row(point, metric, va, vb));
            }
        }

        var output = parse.InvocationConfiguration.Output;
        if (json) WriteJson(output, rows, compared, onlyA, onlyB);
        else WriteTable(output, rows, compared, onlyA, onlyB);
        return ExitCodes.Ok;
    }

    /// <summary>The largest results.json compare reads.</summary>
    public const long MaxResultsBytes = 1L << 30;

    /// <summary>Metrics by point ("" for a scenario's single result), in file order.</summary>
    private static Dictionary<string, List<KeyValuePair<string, double>>> Load(string field, string dir)
    {
        var file = Path.Combine(dir, "results.json");
        if (!File.Exists(file)) throw new UsageException(field, $"{file}: no such file (give a folder phyr run wrote)");
        try
        {
            // Bounded like every file a user names: 100,000 points of results are well under it.
            using var doc = JsonDocument.Parse(InputFile.ReadText(file, "results", MaxResultsBytes, problem => new InputException(problem)));
            var root = doc.RootElement;
            var result = new Dictionary<string, List<KeyValuePair<string, double>>>(StringComparer.Ordinal);
            if (root.TryGetProperty("points", out var points))
            {
                foreach (var p in points.EnumerateArray())
                {
                    var label = string.Join(", ", p.GetProperty("axes").EnumerateObject().Select(x => $"{x.Name}={x.Value.GetString()}")) +
                                $", rep {p.GetProperty("repetition").GetInt32()}";
                    result[label] = Metrics(p.GetProperty("metrics"));
                }
            }
            else result[""] = Metrics(root.GetProperty("metrics"));
            return result;
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new UsageException(field, $"{file}: not a phyr results file ({e.Message.Split('\n')[0]})");
        }
        catch (InputException e)
        {
            throw new UsageException(field, e.Message);
        }
    }

    private static List<KeyValuePair<string, double>> Metrics(JsonElement metrics) =>
        metrics.EnumerateObject().Select(m => new KeyValuePair<string, double>(m.Name, m.Value.GetDouble())).ToList();

    private static string N(double v) => v.ToString("#,0.###", CultureInfo.InvariantCulture);

    private static void WriteTable(TextWriter o, List<Row> rows, int compared, List<string> onlyA, List<string> onlyB)
    {
        o.WriteLine($"{compared} metrics compared, {rows.Count(r => r.A != r.B)} differ");
        if (rows.Count > 0)
        {
            string[] header = ["point", "metric", "A", "B", "B - A", "B / A"];
            var cells = rows.Select(r => new[] { r.Point.Length == 0 ? "-" : r.Point, r.Metric, N(r.A), N(r.B), N(r.Delta), r.Ratio is { } x ? x.ToString("0.000", CultureInfo.InvariantCulture) : "-" }).ToList();
            var widths = Enumerable.Range(0, header.Length).Select(i => cells.Append(header).Max(c => c[i].Length)).ToArray();
            var sb = new StringBuilder();
            foreach (var c in cells.Prepend(header))
            {
                sb.Clear();
                for (var i = 0; i < c.Length; i++) sb.Append(i >= 2 ? c[i].PadLeft(widths[i]) : c[i].PadRight(widths[i])).Append("  ");
                o.WriteLine(sb.ToString().TrimEnd());
            }
        }
        foreach (var p in onlyA) o.WriteLine($"only in A: {p}");
        foreach (var p in onlyB) o.WriteLine($"only in B: {p}");
    }

    private static void WriteJson(TextWriter o, List<Row> rows, int compared, List<string> onlyA, List<string> onlyB)
    {
        var written = JsonText.Indented(w =>
        {
            w.WriteStartObject();
            w.WriteNumber("compared", compared);
            w.WriteStartArray("rows");
            foreach (var r in rows)
            {
                w.WriteStartObject();
                w.WriteString("point", r.Point);
                w.WriteString("metric", r.Metric);
                w.WriteNumber("a", r.A);
                w.WriteNumber("b", r.B);
                w.WriteNumber("delta", r.Delta);
                if (r.Ratio is { } x) w.WriteNumber("ratio", x);
                else w.WriteNull("ratio");
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteStartArray("only_in_a");
            foreach (var p in onlyA) w.WriteStringValue(p);
            w.WriteEndArray();
            w.WriteStartArray("only_in_b");
            foreach (var p in onlyB) w.WriteStringValue(p);
            w.WriteEndArray();
            w.WriteEndObject();
        });
        o.WriteLine(written);
    }
}
