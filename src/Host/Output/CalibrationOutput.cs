using System.Globalization;
using Phyr.Actors.Calibration;

namespace Phyr.Host.Output;

/// <summary>`phyr run calibration`'s output: each published figure against what the simulation gives, as a table or JSON.</summary>
public static class CalibrationOutput
{
    public static string Json(IReadOnlyList<CalibrationPoint> points, double tolerance) => JsonText.Indented(w =>
    {
        w.WriteStartObject();
        w.WriteNumber("tolerance", tolerance);
        w.WriteStartArray("figures");
        foreach (var p in points)
        {
            w.WriteStartObject();
            w.WriteString("figure", p.Figure);
            w.WriteString("unit", p.Unit);
            w.WriteNumber("published", p.Published);
            w.WriteNumber("simulated", Math.Round(p.Simulated, 3));
            w.WriteNumber("ratio", Math.Round(p.Ratio, 4));
            w.WriteBoolean("within_tolerance", p.Within(tolerance));
            w.WriteString("source", p.Source);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    });

    public static string Table(IReadOnlyList<CalibrationPoint> points, double tolerance)
    {
        using var o = new StringWriter(CultureInfo.InvariantCulture);
        var width = points.Max(p => p.Figure.Length);
        o.WriteLine($"{"figure".PadRight(width)}  {"published",12}  {"simulated",12}  {"ratio",6}  within ±{tolerance:P0}");
        foreach (var p in points)
            o.WriteLine($"{p.Figure.PadRight(width)}  {p.Published.ToString("0.##", CultureInfo.InvariantCulture) + " " + p.Unit,12}  " +
                        $"{p.Simulated.ToString("0.##", CultureInfo.InvariantCulture) + " " + p.Unit,12}  " +
                        $"{p.Ratio.ToString("0.000", CultureInfo.InvariantCulture),6}  {(p.Within(tolerance) ? "yes" : "NO")}");
        o.WriteLine("sources: " + string.Join("; ", points.Select(p => p.Source).Distinct()));
        return o.ToString();
    }
}
