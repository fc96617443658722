using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Phyr.Host.Service;

namespace Phyr.Host.Tests.Serve;

/// <summary>A `phyr serve` host in this process on a free loopback port, with an HttpClient on it.</summary>
internal sealed class TestHost : IAsyncDisposable
{
    /// <summary>
    /// The test classes that start hosts in this process run one after another: Akka.Logger.Serilog writes through
    /// the process-wide Serilog logger, so hosts running side by side would write into each other's log files.
    /// </summary>
    public const string Collection = "service hosts in this process";

    private readonly WebApplication _app;
    public HttpClient Http { get; }
    public ServiceOptions Options { get; }

    private TestHost(WebApplication app, ServiceOptions options, string url)
    {
        _app = app;
        Options = options;
        Http = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(60) };
        if (options.ApiToken is not null) Http.DefaultRequestHeaders.Authorization = new("Bearer", options.ApiToken);
    }

    public static async Task<TestHost> StartAsync(ServiceOptions options)
    {
        var app = ServiceHost.Build(options with { Urls = "http://127.0.0.1:0" });
        await app.StartAsync();
        return new TestHost(app, options, app.Urls.First());
    }

    public static ServiceOptions Defaults(string dataDir) => new() { DataDir = dataDir, Parallelism = 2, LogLevel = "Warning" };

    public async Task<JsonElement> GetJson(string path)
    {
        var response = await Http.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET {path}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>Submits the text of an experiment; returns the id.</summary>
    public async Task<string> Submit(string conf, ulong seed = 1)
    {
        var response = await Http.PostAsync($"/api/experiments?seed={seed}", new StringContent(conf));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == 202, $"submit: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.GetProperty("id").GetString()!;
    }

    public async Task<HttpResponseMessage> SubmitJson(object body) => await Http.PostAsJsonAsync("/api/experiments", body);

    /// <summary>Polls GET <paramref name="path"/> until <paramref name="until"/> holds; fails, saying <paramref name="what"/>, after <paramref name="timeoutSeconds"/>.</summary>
    public async Task<JsonElement> WaitFor(string path, Func<JsonElement, bool> until, string what, int timeoutSeconds = 60)
    {
        var deadline = DateTime.UtcNow.AddSeconds(timeoutSeconds);
        while (true)
        {
            var e = await GetJson(path);
            if (until(e)) return e;
            Assert.True(DateTime.UtcNow < deadline, $"{what} within {timeoutSeconds} s: {e}");
            await Task.Delay(50);
        }
    }

    /// <summary>Polls until the experiment's status is final.</summary>
    public Task<JsonElement> WaitFinished(string id, int timeoutSeconds = 120) =>
        WaitFor($"/api/experiments/{id}", e => e.GetProperty("status").GetString() is "completed" or "failed" or "cancelled",
            $"{id} did not finish", timeoutSeconds);

    /// <summary>Polls until the experiment has at least <paramref name="points"/> points done.</summary>
    public Task<JsonElement> WaitPoints(string id, int points, int timeoutSeconds = 60) =>
        WaitFor($"/api/experiments/{id}", e => e.GetProperty("points_done").GetInt32() >= points, $"{id} did not reach {points} points", timeoutSeconds);

    /// <summary>Polls until the experiment's points ran on <paramref name="count"/> nodes (and at least <paramref name="points"/> are done).</summary>
    public Task<JsonElement> WaitNodes(string id, int count, int points = 0, int timeoutSeconds = 120) =>
        WaitFor($"/api/experiments/{id}", e => e.GetProperty("nodes") is { ValueKind: JsonValueKind.Object } n && n.EnumerateObject().Count() == count &&
                                              e.GetProperty("points_done").GetInt32() >= points, $"points did not run on {count} nodes", timeoutSeconds);

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
