using System.Text.Json;

namespace Phyr.Host.Tests;

public class CalibrationTests
{
    [Fact]
    public void The_default_cost_model_lands_every_figure_within_25_percent()
    {
        var r = CliRunner.Run("run", "calibration", "--format", "json");
        Assert.Equal(0, r.ExitCode);
        using var doc = JsonDocument.Parse(r.Stdout);
        var figures = doc.RootElement.GetProperty("figures").EnumerateArray().ToList();
        Assert.Equal(5, figures.Count);
        Assert.All(figures, f =>
        {
            Assert.True(f.GetProperty("within_tolerance").GetBoolean(), f.GetProperty("figure").GetString());
            Assert.InRange(f.GetProperty("ratio").GetDouble(), 0.75, 1.25);
            Assert.False(string.IsNullOrWhiteSpace(f.GetProperty("source").GetString()));
        });
    }

    [Fact]
    public void A_cost_model_off_the_published_figures_fails_with_exit_3()
    {
        var file = Path.Combine(Path.GetTempPath(), $"phyr-cal-{Guid.NewGuid():N}.conf");
        try
        {
            File.WriteAllText(file, "gup.pin-atomic-ns = 80\ndma.map-pte-ns = 100\n");
            var r = CliRunner.Run("run", "calibration", "--cost-model", file);
            Assert.Equal(3, r.ExitCode);
            Assert.Contains("NO", r.Stdout);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
