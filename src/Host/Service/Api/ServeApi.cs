using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Akka.Actor;
using Akka.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Phyr.Domain.Results;
using Phyr.Domain.Service;
using Phyr.Host.Config;
using Phyr.Host.Service.Actors;

namespace Phyr.Host.Service.Api;

/// <summary>
/// The HTTP API. Experiments: submit (202 + id; 400 naming the field; 429 when the queue is full), list, get
/// (status, progress, ETA), results (JSON, CSV, report.md), plots (PNG), cancel. Plus /healthz and
/// /openapi.json. Every response body is JSON except the result files themselves.
/// </summary>
public static partial class ServeApi
{
    [GeneratedRegex("^e[0-9]{6}$")]
    private static partial Regex IdPattern();

    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(30);

    public static void Map(WebApplication app)
    {
        var api = app.MapGroup("/api");
        api.MapPost("/experiments", Submit).WithSummary("Submit an experiment: its text (text/plain, the config/experiments format), " +
                                                        "or JSON {\"experiment\": NAME} / {\"conf\": TEXT}, with an optional seed");
        api.MapGet("/experiments", List).WithSummary("A page of experiments, oldest first: the newest ?limit=N (default 100, at most 1000), " +
                                                     "or those submitted just before ?before=ID; X-Total-Count, and a Link to the older page");
        api.MapGet("/experiments/{id}", Get).WithSummary("One experiment: status, progress, ETA");
        api.MapGet("/experiments/{id}/results.json", (string id, HttpContext c) => File(id, c, "results.json"));
        api.MapGet("/experiments/{id}/results.csv", (string id, HttpContext c) => File(id, c, "results.csv"));
        api.MapGet("/experiments/{id}/report.md", (string id, HttpContext c) => File(id, c, "report.md"));
        api.MapGet("/experiments/{id}/plots", Plots).WithSummary("The plots drawn from the points stored so far");
        api.MapGet("/experiments/{id}/plots/{file}", Plot).WithSummary("One plot (PNG)");
        api.MapPost("/experiments/{id}/cancel", Cancel).WithSummary("Cancel a queued or running experiment (its finished points are kept)");
        api.MapGet("/shipped", (ExperimentCatalog catalog) => Results.Ok(new { experiments = catalog.ShippedExperiments }))
            .WithSummary("The shipped experiments, by name");
        api.MapGet("/metrics", () => Results.Ok(new
        {
            metrics = Metric.All.Concat(Metric.Layout).Select(m => new { name = m.Name, unit = m.Unit, meaning = m.Meaning }),
            dashboard = Metric.DashboardColumns.Select(m => m.Name),
        })).WithSummary("The metric catalogue: every metric's name, unit and meaning, and the ones the dashboard tabulates");
        app.MapGet("/healthz", Health).WithSummary("200 when the registry (and so the database) answers");
    }

    private static IResult Problem(int status, string error, string? field = null) =>
        Results.Json(field is null ? new { error } : (object)new { error, field }, statusCode: status);

    private static async Task<IResult> Submit(HttpContext c, ActorRegistry actors, ExperimentCatalog catalog, ServiceOptions options)
    {
        string body;
        try
        {
            // UTF-8 only: a byte-order mark does not switch the decoding (a UTF-16 body is refused as invalid text below).
            using var reader = new StreamReader(c.Request.Body, new UTF8Encoding(false, throwOnInvalidBytes: true), detectEncodingFromByteOrderMarks: false);
            body = await reader.ReadToEndAsync(c.RequestAborted);
        }
        catch (Microsoft.AspNetCore.Http.BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return Problem(413, "the request body is larger than the limit (MaxRequestBytes)");
        }
        catch (DecoderFallbackException)
        {
            return Problem(400, "the body is not UTF-8 text", "body");
        }
        if (body.Length > 0 && body[0] == '\uFEFF') body = body[1..]; // a UTF-8 byte-order mark
        string source;
        var shipped = false;
        var seedText = c.Request.Query["seed"].ToString();
        if (c.Request.ContentType?.StartsWith("application/json", StringComparison.OrdinalIgnoreCase) == true)
        {
            try
            {
                using var doc = JsonDocument.Parse(body);
                var root = doc.RootElement;
                if (root.ValueKind != JsonValueKind.Object) return Problem(400, "the body must be a JSON object", "body");
                var seen = new HashSet<string>(StringComparer.Ordinal);
                foreach (var p in root.EnumerateObject())
                {
                    if (p.Name is not ("experiment" or "conf" or "seed"))
                        return Problem(400, $"unknown field '{p.Name}' (known: experiment, conf, seed)", p.Name);
                    if (!seen.Add(p.Name)) return Problem(400, $"'{p.Name}' is given twice", p.Name);
                }
                var hasName = root.TryGetProperty("experiment", out var name);
                var hasConf = root.TryGetProperty("conf", out var conf);
                if (hasName == hasConf) return Problem(400, "give exactly one of 'experiment' (a shipped experiment's name) and 'conf' (an experiment's text)", "experiment");
                if ((hasName ? name : conf).ValueKind != JsonValueKind.String)
                    return Problem(400, "must be a string", hasName ? "experiment" : "conf");
                source = (hasName ? name : conf).GetString()!;
                shipped = hasName;
                if (root.TryGetProperty("seed", out var seed))
                    seedText = seed.ValueKind == JsonValueKind.Number ? seed.GetRawText() : seed.ValueKind == JsonValueKind.String ? seed.GetString()! : "?";
            }
            catch (JsonException e)
            {
                return Problem(400, $"not valid JSON: {e.Message}", "body");
            }
        }
        else source = body;
        if (string.IsNullOrWhiteSpace(source)) return Problem(400, "the experiment is empty", shipped ? "experiment" : "conf");
        var seedValue = 1UL;
        if (seedText.Length > 0 && !ulong.TryParse(seedText, NumberStyles.None, CultureInfo.InvariantCulture, out seedValue))
            return Problem(400, $"'{seedText}' is not a whole number from 0 to {ulong.MaxValue}", "seed");

        Phyr.Domain.Experiments.Experiment experiment;
        try
        {
            experiment = catalog.Build(source, shipped, seedValue);
        }
        catch (SubmissionException e)
        {
            return Problem(400, e.Problem, e.Field);
        }
        // Work the machine cannot hold is refused now, not accepted and lost to the kernel's OOM killer mid-run.
        if (MachineMemory.Problem(experiment.Points.Select(p => p.Scenario), Math.Min(options.Parallelism, experiment.Points.Count)) is { } tooBig)
            return Problem(400, tooBig, "region");
        var registry = await actors.GetAsync<ExperimentRegistry>();
        var reply = await registry.Ask<object>(new ExperimentRegistry.Submit(experiment.Name, seedValue, source, shipped, experiment.Points.Count), AskTimeout);
        switch (reply)
        {
            case ExperimentRegistry.Accepted a:
                return Results.Accepted($"/api/experiments/{a.Id}",
                    new { id = a.Id, name = experiment.Name, status = "queued", points_total = experiment.Points.Count, skipped = experiment.Skipped.Count });
            case ExperimentRegistry.QueueFull q:
                c.Response.Headers.RetryAfter = "30";
                return Problem(429, $"the queue is full ({q.Limit} experiments waiting); try again later");
            default:
                return Problem(500, $"unexpected reply {reply.GetType().Name}");
        }
    }

    private static object Json(ExperimentRegistry.View v, bool withSource = true, string? source = null) => new
    {
        id = v.Record.Id,
        name = v.Record.Name,
        status = v.Record.Status.Name(),
        seed = v.Record.Seed,
        points_done = v.PointsDone,
        points_total = v.Record.PointsTotal,
        eta_s = v.EtaSeconds,
        submitted_at = v.Record.SubmittedAt,
        started_at = v.Record.StartedAt,
        finished_at = v.Record.FinishedAt,
        starts = v.Record.Starts,
        nodes = v.Nodes,
        runs_on = v.RunsOn,
        error = v.Record.Error,
        source = v.Record.ShippedName || !withSource ? null : source ?? (v.Record.HasSource ? v.Record.Source : null),
        source_bytes = v.Record.ShippedName ? 0 : v.Record.HasSource ? v.Record.Source.Length : v.Record.SourceBytes,
        shipped = v.Record.ShippedName ? v.Record.Source : null,
    };

    public const int DefaultPage = 100, MaxPage = 1000;

    private static async Task<IResult> List(HttpContext c, ActorRegistry actors)
    {
        var limitText = c.Request.Query["limit"].ToString();
        var limit = DefaultPage;
        if (limitText.Length > 0 && (!int.TryParse(limitText, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > MaxPage))
            return Problem(400, $"'{limitText}' is not a whole number from 1 to {MaxPage}", "limit");
        var before = c.Request.Query["before"].ToString() is { Length: > 0 } b ? b : null;
        if (before is not null && !IdPattern().IsMatch(before)) return Problem(400, $"'{before}' is not an experiment id (e000123)", "before");
        var registry = await actors.GetAsync<ExperimentRegistry>();
        var views = await registry.Ask<ExperimentRegistry.Views>(new ExperimentRegistry.List(limit, before), AskTimeout);
        c.Response.Headers["X-Total-Count"] = views.Total.ToString(CultureInfo.InvariantCulture);
        // Older ones than this page: where they are.
        if (views.Older) c.Response.Headers.Link = $"</api/experiments?limit={limit}&before={views.All[0].Record.Id}>; rel=\"next\"";
        return Results.Ok(views.All.Select(v => Json(v, withSource: false)));
    }

    private static async Task<(ExperimentRegistry.View? View, IResult? Error)> Find(ActorRegistry actors, string id)
    {
        if (!IdPattern().IsMatch(id)) return (null, Problem(404, $"no experiment '{id}'", "id"));
        var registry = await actors.GetAsync<ExperimentRegistry>();
        var reply = await registry.Ask<object>(new ExperimentRegistry.Get(id), AskTimeout);
        return reply is ExperimentRegistry.View v ? (v, null) : (null, Problem(404, $"no experiment '{id}'", "id"));
    }

    private static async Task<IResult> Get(string id, ActorRegistry actors)
    {
        var (view, error) = await Find(actors, id);
        if (error is not null) return error;
        // An ended experiment's text is with its entity (the registry keeps the summary).
        var source = view!.Record.HasSource ? null : await ResultFiles.SourceAsync(await actors.GetAsync<ExperimentRegistry>(), view.Record);
        return Results.Ok(Json(view, source: source));
    }

    private static async Task<IResult> File(string id, HttpContext c, string file)
    {
        var actors = c.RequestServices.GetRequiredService<ActorRegistry>();
        var files = c.RequestServices.GetRequiredService<ResultFiles>();
        var (view, error) = await Find(actors, id);
        if (error is not null) return error;
        var set = await files.LoadAsync(await actors.GetAsync<ExperimentRegistry>(), view!.Record);
        return file switch
        {
            "results.json" => Results.Text(files.Json(set), "application/json", Encoding.UTF8),
            "results.csv" => Results.Text(files.Csv(set), "text/csv", Encoding.UTF8),
            _ => Results.Text(files.Report(id, set), "text/markdown", Encoding.UTF8),
        };
    }

    private static async Task<IResult> Plots(string id, ActorRegistry actors, ResultFiles files)
    {
        var (view, error) = await Find(actors, id);
        if (error is not null) return error;
        var set = await files.LoadAsync(await actors.GetAsync<ExperimentRegistry>(), view!.Record);
        return Results.Ok(files.Plots(id, set).Select(p => new { file = p.File, title = p.Title, url = $"/api/experiments/{id}/plots/{p.File}" }));
    }

    private static async Task<IResult> Plot(string id, string file, ActorRegistry actors, ResultFiles files)
    {
        var (view, error) = await Find(actors, id);
        if (error is not null) return error;
        var set = await files.LoadAsync(await actors.GetAsync<ExperimentRegistry>(), view!.Record);
        var bytes = files.PlotBytes(id, set, file);
        return bytes is null ? Problem(404, $"no plot '{file}' (see /api/experiments/{id}/plots)", "file") : Results.Bytes(bytes, "image/png");
    }

    private static async Task<IResult> Cancel(string id, ActorRegistry actors)
    {
        if (!IdPattern().IsMatch(id)) return Problem(404, $"no experiment '{id}'", "id");
        var registry = await actors.GetAsync<ExperimentRegistry>();
        return await registry.Ask<object>(new ExperimentRegistry.Cancel(id), AskTimeout) switch
        {
            ExperimentRegistry.CancelRequested => Results.Accepted($"/api/experiments/{id}", new { id, status = "cancelling" }),
            ExperimentRegistry.AlreadyFinished f => Problem(409, $"{id} has already {f.Status.Name()}", "id"),
            _ => Problem(404, $"no experiment '{id}'", "id"),
        };
    }

    private static async Task<IResult> Health(ActorRegistry actors, ServiceOptions options)
    {
        try
        {
            var registry = await actors.GetAsync<ExperimentRegistry>();
            var all = await registry.Ask<ExperimentRegistry.Views>(new ExperimentRegistry.List(1), TimeSpan.FromSeconds(5));
            return Results.Ok(new { status = "ok", persistence = options.Provider.ToString().ToLowerInvariant(), experiments = all.Total });
        }
        catch (Exception e) when (e is AskTimeoutException or TaskCanceledException)
        {
            return Problem(503, "the registry does not answer (is the database reachable?)");
        }
    }
}
