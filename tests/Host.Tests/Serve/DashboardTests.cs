using System.Text.Json;
using Microsoft.Playwright;
using Phyr.Domain.Results;

namespace Phyr.Host.Tests.Serve;

/// <summary>A test that needs Debian's Chromium (/usr/bin/chromium, or PHYR_CHROMIUM): skipped, saying why, without it.</summary>
public sealed class ChromiumFactAttribute : FactAttribute
{
    public static string Path => Environment.GetEnvironmentVariable("PHYR_CHROMIUM") is { Length: > 0 } p ? p : "/usr/bin/chromium";

    public ChromiumFactAttribute()
    {
        if (!File.Exists(Path)) Skip = $"needs Chromium at {Path} (apt-get install chromium, or set PHYR_CHROMIUM)";
    }
}

/// <summary>The dashboard in a real headless Chromium, driven through Playwright: list with progress, submit, result view, compare.</summary>
[Collection(TestHost.Collection)]
public class DashboardTests() : TempDirectory("phyr-dash")
{
    [ChromiumFact]
    public async Task The_dashboard_lists_submits_shows_results_and_compares_in_a_browser()
    {
        await using var host = await TestHost.StartAsync(TestHost.Defaults(_dir) with { ApiToken = "dash-token" });
        var a = await host.Submit(TestExperiments.Small, seed: 1);
        var b = await host.Submit(TestExperiments.Small, seed: 2);
        await host.WaitFinished(a);
        await host.WaitFinished(b);
        var results = JsonDocument.Parse(await host.Http.GetStringAsync($"/api/experiments/{a}/results.json")).RootElement;

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = ChromiumFactAttribute.Path, Headless = true, Args = ["--no-sandbox", "--disable-gpu"],
        });
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1400, Height = 1000 } });
        var console = new List<string>();
        // Script errors (the 401s before the token is given are expected responses, not errors of the page).
        page.Console += (_, m) =>
        {
            if (m.Type == "error" && !m.Text.StartsWith("Failed to load resource", StringComparison.Ordinal)) console.Add(m.Text);
        };
        page.PageError += (_, e) => console.Add(e);
        await page.GotoAsync(host.Http.BaseAddress!.ToString());

        // Without the token the API refuses, and the page says so.
        await page.Locator("#experiments .error").WaitForAsync(new() { Timeout = 15_000 });
        Assert.Contains("API token", await page.Locator("#experiments .error").InnerTextAsync());
        await page.FillAsync("#token", "dash-token");
        await page.PressAsync("#token", "Enter");
        await page.DispatchEventAsync("#token", "change");

        // The list: both experiments, completed, with full progress.
        var rowA = page.Locator($"#experiments tr[data-id='{a}']");
        await rowA.Locator(".status-completed").WaitForAsync(new() { Timeout = 15_000 });
        Assert.Contains("4/4", await rowA.InnerTextAsync());
        Assert.Contains("100%", await rowA.InnerTextAsync());
        // The cluster panel: this host alone, running the registry.
        await page.Locator("#cluster table.members").WaitForAsync(new() { Timeout = 15_000 });
        Assert.Contains("single-node", await page.Locator("#cluster").InnerTextAsync());
        var members = await page.Locator("#cluster table.members").InnerTextAsync();
        Assert.Contains("local (this node)", members);
        Assert.Contains("experiments running here", members);

        // Submit a shipped experiment through the form.
        await page.Locator("#shipped option[value='batch-sweep-small']").WaitForAsync(new() { State = WaitForSelectorState.Attached });
        await page.SelectOptionAsync("#shipped", "batch-sweep-small");
        await page.ClickAsync("#submit");
        await page.Locator("#submitted a, #submitted .error").WaitForAsync(new() { Timeout = 15_000 });
        var c = (await page.Locator("#submitted").InnerTextAsync()).Trim();
        Assert.StartsWith("accepted as e000003", c);
        c = "e000003";
        await page.Locator($"#experiments tr[data-id='{c}']").WaitForAsync(new() { Timeout = 15_000 });
        // A bad submission shows the field and the problem.
        await page.SelectOptionAsync("#shipped", "");
        await page.FillAsync("#conf", "scenario = gup-phyrs-1g-4k-b16\naxes { gup.batch = \"0\" }");
        await page.ClickAsync("#submit");
        await page.Locator("#submitted .error").WaitForAsync(new() { Timeout = 15_000 });
        Assert.Contains("gup.batch: ", await page.Locator("#submitted .error").InnerTextAsync());

        // One experiment: its points and its plots (drawn from the stored results).
        await page.GotoAsync(host.Http.BaseAddress + $"#/e/{a}");
        await page.Locator("table.points tbody tr").Nth(3).WaitForAsync(new() { Timeout = 30_000 });
        Assert.Equal(4, await page.Locator("table.points tbody tr").CountAsync());
        var firstTime = results.GetProperty("points")[0].GetProperty("metrics").GetProperty(Metric.SimTimeNs.Name).GetDouble();
        Assert.Contains(firstTime.ToString("#,0", System.Globalization.CultureInfo.InvariantCulture),
            await page.Locator("table.points tbody tr").First.InnerTextAsync());
        var plot = page.Locator("#plots img[data-file='sim-time-vs-batch.png']");
        await plot.WaitForAsync(new() { Timeout = 30_000 });
        await page.WaitForFunctionAsync("() => [...document.querySelectorAll('#plots img')].every(i => i.complete && i.naturalWidth > 0)");
        Assert.True(await plot.EvaluateAsync<int>("i => i.naturalWidth") > 400, "the plot did not load as an image");
        await page.ScreenshotAsync(new() { Path = System.IO.Path.Combine(_dir, "experiment.png"), FullPage = true });

        // Compare: tick two, click, and the points are matched side by side with ratios.
        await page.GotoAsync(host.Http.BaseAddress + "#/");
        await page.Locator($"#experiments tr[data-id='{b}'] input.pick").WaitForAsync(new() { Timeout = 15_000 });
        await page.CheckAsync($"#experiments tr[data-id='{a}'] input.pick");
        await page.CheckAsync($"#experiments tr[data-id='{b}'] input.pick");
        await page.ClickAsync("#compare");
        await page.Locator("table.compare tbody tr").Nth(3).WaitForAsync(new() { Timeout = 30_000 });
        Assert.Equal(4, await page.Locator("table.compare tbody tr").CountAsync());
        Assert.Contains("4 points matched", await page.Locator("#cmp").InnerTextAsync());
        Assert.Equal(2, await page.Locator(".side img[alt$='sim-time-vs-batch.png']").CountAsync());
        Assert.Empty(console);
    }
}
