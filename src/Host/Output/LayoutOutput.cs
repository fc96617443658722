using System.Globalization;
using System.Text;
using System.Text.Json;
using Phyr.Domain.Descriptors;
using Phyr.Domain.Units;

namespace Phyr.Host.Output;

/// <summary>Renders a <see cref="DensityReport"/> as a plain-text table (mail-friendly) or as JSON.</summary>
public static class LayoutOutput
{
    public static void WriteTable(TextWriter output, string source, DensityReport report)
    {
        var layout = report.Layout;
        var phyr = report.Representations.First(r => r.Name == PhyrArray.FormatName);
        output.WriteLine($"layout:  {source}");
        output.WriteLine($"         {layout.FrameCount} frames of {layout.FrameSize}, {layout.Ranges.Length} physically contiguous runs");
        output.WriteLine($"buffer:  offset {layout.Offset}, length {layout.Length} ({ByteSize.Format(layout.Length)}); " +
                         $"max_segment {report.Options.MaxSegment}");
        output.WriteLine();

        var rows = report.Representations.Select(r => new[]
        {
            r.Name,
            r.Entries.ToString(CultureInfo.InvariantCulture),
            r.Bytes.ToString(CultureInfo.InvariantCulture),
            ((double)r.Bytes / phyr.Bytes).ToString("0.00", CultureInfo.InvariantCulture),
            r.Accounting,
        }).ToList();
        string[] header = ["format", "entries", "bytes", "x phyr", "accounting"];
        var widths = Enumerable.Range(0, header.Length).Select(i => rows.Append(header).Max(r => r[i].Length)).ToArray();
        var sb = new StringBuilder();
        foreach (var row in rows.Prepend(header))
        {
            sb.Clear();
            for (var i = 0; i < row.Length; i++)
            {
                var cell = i is 1 or 2 or 3 ? row[i].PadLeft(widths[i]) : row[i].PadRight(widths[i]);
                sb.Append(cell).Append(i < row.Length - 1 ? "  " : "");
            }
            output.WriteLine(sb.ToString().TrimEnd());
        }
    }

    public static void WriteJson(TextWriter output, string source, DensityReport report)
    {
        var written = JsonText.Indented(w =>
        {
            var layout = report.Layout;
            w.WriteStartObject();
            w.WriteStartObject("layout");
            w.WriteString("source", source);
            w.WriteString("page_size", layout.FrameSize.ToString());
            w.WriteNumber("frames", layout.FrameCount);
            w.WriteNumber("runs", layout.Ranges.Length);
            w.WriteNumber("offset", layout.Offset);
            w.WriteNumber("length", layout.Length);
            w.WriteNumber("max_segment", report.Options.MaxSegment);
            w.WriteEndObject();
            w.WriteStartArray("representations");
            foreach (var r in report.Representations)
            {
                w.WriteStartObject();
                w.WriteString("name", r.Name);
                w.WriteNumber("entries", r.Entries);
                w.WriteNumber("bytes", r.Bytes);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        });
        output.WriteLine(written);
    }
}
