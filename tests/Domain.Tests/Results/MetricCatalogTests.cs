using System.Text;
using Phyr.Domain.Descriptors;
using Phyr.Domain.Results;
using Phyr.Tests.Shared;

namespace Phyr.Domain.Tests.Results;

/// <summary>The metric catalogue: one name, unit and meaning per metric, the docs' table made from it.</summary>
public class MetricCatalogTests
{
    [Fact]
    public void Every_metric_has_one_snake_case_name_a_unit_and_a_meaning()
    {
        var all = Metric.All.Concat(Metric.Layout).ToList();
        Assert.Equal(all.Count, all.Select(m => m.Name).Distinct().Count());
        Assert.All(all, m =>
        {
            Assert.Matches("^[a-z][a-z0-9_]*$", m.Name);
            Assert.False(string.IsNullOrWhiteSpace(m.Unit), m.Name);
            Assert.False(string.IsNullOrWhiteSpace(m.Meaning), m.Name);
            Assert.Equal(m, Metric.Find(m.Name));
        });
        Assert.Null(Metric.Find("sim_time"));
    }

    [Fact]
    public void The_named_lists_and_the_labels_they_need_come_from_the_catalogue()
    {
        foreach (var m in Metric.ReportColumns.Concat(Metric.Effects).Concat(Metric.DashboardColumns).Concat(Metric.TimeBreakdown))
            Assert.Contains(m, Metric.All);
        Assert.All(Metric.Effects.Concat(Metric.TimeBreakdown), m => Assert.False(string.IsNullOrEmpty(m.Label), m.Name));
    }

    [Fact]
    public void Each_descriptor_format_has_a_bytes_metric_that_names_it_back()
    {
        Assert.Equal(DescriptorFormat.All.Count + 1, Metric.Layout.Count);
        foreach (var f in DescriptorFormat.All) Assert.Equal(f.Name, Metric.FormatOf(Metric.FormatBytes(f).Name));
        Assert.Equal("format_bytes_phyr_list_packed", Metric.FormatBytes(DescriptorFormat.Get("phyr-list-packed")).Name);
        Assert.Null(Metric.FormatOf(Metric.SimTimeNs.Name));
    }

    /// <summary>docs/scenarios.md's metric table is this catalogue, row for row (regenerate it from the message when it is not).</summary>
    [Fact]
    public void The_docs_metric_table_is_the_catalogue()
    {
        var docs = File.ReadAllText(Path.Combine(RepoPaths.Root, "docs", "scenarios.md"));
        var table = Table();
        Assert.True(docs.Contains(table, StringComparison.Ordinal), "docs/scenarios.md should hold this table under '## Metrics':\n" + table);
    }

    /// <summary>The table docs/scenarios.md shows: a row per metric, the layout metrics as one row for all formats.</summary>
    public static string Table()
    {
        var sb = new StringBuilder();
        sb.Append("| metric | unit | meaning |\n|---|---|---|\n");
        foreach (var m in Metric.All.Append(Metric.LayoutRanges)) sb.Append($"| `{m.Name}` | {m.Unit} | {m.Meaning} |\n");
        sb.Append($"| `{Metric.FormatBytesPrefix}<format>` | bytes | with layout.describe: bytes of CPU 0's region in each format " +
                  $"({string.Join(", ", DescriptorFormat.All.Select(f => f.Name.Replace('-', '_')))}) |\n");
        return sb.ToString();
    }
}
