using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Phyr.Host.Output;

namespace Phyr.Host.Cli;

/// <summary>
/// `phyr run EXPERIMENT --cluster URL`: submits the experiment to a running `phyr serve` (a single node, or any node
/// of a cluster), follows its progress, and writes the same files a local run writes (results.json, results.csv,
/// report.md, plots) when it ends. Ctrl-C stops following, not the experiment: it goes on in the cluster.
/// </summary>
public static class RemoteRun
{
    public static int Run(Uri url, string? token, string experiment, bool shippedName, ulong seed, string? outDir, bool json,
        TextWriter output, TextWriter error)
    {
        using var http = new HttpClient { BaseAddress = url, Timeout = TimeSpan.FromSeconds(60) };
        if (!string.IsNullOrEmpty(token)) http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        object body = shippedName
            ? new { experiment, seed = seed.ToString(CultureInfo.InvariantCulture) }
            : new { conf = experiment, seed = seed.ToString(CultureInfo.InvariantCulture) };
        HttpResponseMessage submitted;
        try
        {
            submitted = http.PostAsJsonAsync("/api/experiments", body).GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            throw new UsageException("--cluster", $"no phyr serve answers at {url}: {e.Message}");
        }
        var text = submitted.Content.ReadAsStringAsync().GetAwaiter().GetResult();
        if (submitted.StatusCode != HttpStatusCode.Accepted)
        {
            var message = TryError(text) ?? text.Trim();
            throw new UsageException(submitted.StatusCode == HttpStatusCode.BadRequest ? "EXPERIMENT" : "--cluster",
                $"{url} refused it ({(int)submitted.StatusCode}): {message}");
        }
        using var accepted = JsonDocument.Parse(text);
        var id = accepted.RootElement.GetProperty("id").GetString()!;
        var name = accepted.RootElement.GetProperty("name").GetString()!;
        var total = accepted.RootElement.GetProperty("points_total").GetInt32();
        outDir ??= Path.Combine("out", name);
        error.WriteLine($"phyr run: {name}: accepted by {url} as {id} ({total} points); following it (Ctrl-C stops following, not the run)");

        using var stop = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            e.Cancel = true;
            stop.Cancel();
        };
        Console.CancelKeyPress += onCancel;
        try
        {
            var shown = "";
            while (true)
            {
                string state;
                try
                {
                    state = http.GetStringAsync($"/api/experiments/{id}").GetAwaiter().GetResult();
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
                {
                    // The registry moving to another node (503), or this node restarting: keep asking.
                    error.WriteLine($"phyr run: {url} does not answer for now ({ex.Message}); asking again");
                    if (stop.Token.WaitHandle.WaitOne(2000))
                    {
                        error.WriteLine($"phyr run: stopped following {id}");
                        return 130;
                    }
                    continue;
                }
                using var doc = JsonDocument.Parse(state);
                var e = doc.RootElement;
                var status = e.GetProperty("status").GetString();
                var done = e.GetProperty("points_done").GetInt32();
                // A line when the count or the status changes (the last point may land before the status says completed).
                if ($"{done} {status}" != shown)
                {
                    shown = $"{done} {status}";
                    var eta = e.GetProperty("eta_s").ValueKind == JsonValueKind.Number ? $", ETA {e.GetProperty("eta_s").GetDouble():0} s" : "";
                    error.WriteLine($"[{done}/{total}] {id} {status}{eta}");
                }
                if (status is "completed" or "failed" or "cancelled")
                {
                    if (status != "completed")
                    {
                        error.WriteLine($"phyr run: {id} {status}" + (e.GetProperty("error").GetString() is { } err ? $": {err}" : ""));
                        return ExitCodes.InternalError;
                    }
                    break;
                }
                if (stop.Token.WaitHandle.WaitOne(500))
                {
                    error.WriteLine($"phyr run: stopped following {id}; it goes on at {url} (GET /api/experiments/{id})");
                    return 130;
                }
            }
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }

        Directory.CreateDirectory(outDir);
        void Save(string file, byte[] bytes) => AtomicFile.Write(Path.Combine(outDir, file), bytes);
        foreach (var file in new[] { "results.json", "results.csv", "report.md" })
            Save(file, http.GetByteArrayAsync($"/api/experiments/{id}/{file}").GetAwaiter().GetResult());
        using (var plots = JsonDocument.Parse(http.GetStringAsync($"/api/experiments/{id}/plots").GetAwaiter().GetResult()))
            foreach (var p in plots.RootElement.EnumerateArray())
                Save(p.GetProperty("file").GetString()!, http.GetByteArrayAsync(p.GetProperty("url").GetString()).GetAwaiter().GetResult());
        output.Write(json ? File.ReadAllText(Path.Combine(outDir, "results.json")) + Environment.NewLine : File.ReadAllText(Path.Combine(outDir, "report.md")));
        error.WriteLine($"phyr run: {id} completed; results in {outDir}");
        return ExitCodes.Ok;
    }

    private static string? TryError(string text)
    {
        try
        {
            using var doc = JsonDocument.Parse(text);
            return doc.RootElement.TryGetProperty("error", out var e) ? e.GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
