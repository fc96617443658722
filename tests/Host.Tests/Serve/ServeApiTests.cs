using System.Net;
using System.Text.Json;
using Phyr.Domain.Results;
using Phyr.Tests.Shared;

namespace Phyr.Host.Tests.Serve;

[Collection(TestHost.Collection)]
public class ServeApiTests() : TempDirectory("phyr-serve")
{
    [Fact]
    public async Task A_submitted_experiment_runs_and_its_results_equal_the_command_lines()
    {
        await using var host = await TestHost.StartAsync(TestHost.Defaults(_dir) with { LogLevel = "Information" });
        var id = await host.Submit(TestExperiments.Small, seed: 7);
        Assert.Equal("e000001", id);
        var done = await host.WaitFinished(id);
        Assert.Equal("completed", done.GetProperty("status").GetString());
        Assert.Equal(4, done.GetProperty("points_done").GetInt32());

        var served = await host.Http.GetStringAsync($"/api/experiments/{id}/results.json");
        var conf = Path.Combine(_dir, "small.conf");
        File.WriteAllText(conf, TestExperiments.Small);
        var cli = CliRunner.Run("run", conf, "--seed", "7", "--out", Path.Combine(_dir, "cli"));
        Assert.Equal(0, cli.ExitCode);
        Assert.Equal(TestResults.WithoutHost(File.ReadAllText(Path.Combine(_dir, "cli", "results.json"))), TestResults.WithoutHost(served));
        Assert.Equal(File.ReadAllText(Path.Combine(_dir, "cli", "results.csv")), await host.Http.GetStringAsync($"/api/experiments/{id}/results.csv"));

        var plots = await host.GetJson($"/api/experiments/{id}/plots");
        Assert.Contains(plots.EnumerateArray(), p => p.GetProperty("file").GetString() == "sim-time-vs-batch.png");
        var png = await host.Http.GetByteArrayAsync($"/api/experiments/{id}/plots/sim-time-vs-batch.png");
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], png[..4]);
        Assert.Contains("](sim-time-vs-batch.png)", await host.Http.GetStringAsync($"/api/experiments/{id}/report.md"));
        // Plots are written inside the data directory, nowhere else.
        Assert.True(File.Exists(Path.Combine(_dir, "experiments", id, "plots-4", "sim-time-vs-batch.png")));

        // One structured log event per change of state, in the rolling file.
        // Akka logs through its logging actor: the last event may reach the file a moment after the status changed.
        var log = Directory.GetFiles(Path.Combine(_dir, "logs"), "phyr-*.log").Single();
        List<string> changes;
        var deadline = DateTime.UtcNow.AddSeconds(15);
        do
        {
            string text;
            using (var reader = new StreamReader(new FileStream(log, FileMode.Open, FileAccess.Read, FileShare.ReadWrite))) text = reader.ReadToEnd();
            changes = [.. text.Split('\n').Where(l => l.Contains("\"Experiment {0} ({1}) {2}", StringComparison.Ordinal) && l.Contains(id, StringComparison.Ordinal))];
            if (changes.Count >= 3) break;
            await Task.Delay(100);
        } while (DateTime.UtcNow < deadline);
        Assert.Equal(3, changes.Count);
        Assert.Contains("queued", changes[0]);
        Assert.Contains("running", changes[1]);
        Assert.Contains("\"completed\"", changes[2]);
    }

    [Fact]
    public async Task The_metric_catalogue_is_served_with_the_columns_the_dashboard_shows()
    {
        await using var host = await TestHost.StartAsync(TestHost.Defaults(_dir));
        var catalogue = await host.GetJson("/api/metrics");
        var names = catalogue.GetProperty("metrics").EnumerateArray().Select(m => m.GetProperty("name").GetString()).ToList();
        Assert.Equal(Metric.All.Concat(Metric.Layout).Select(m => m.Name), names);
        Assert.Equal("ns", catalogue.GetProperty("metrics")[0].GetProperty("unit").GetString());
        Assert.Equal(Metric.DashboardColumns.Select(m => m.Name), catalogue.GetProperty("dashboard").EnumerateArray().Select(m => m.GetString()));
    }

    [Fact]
    public async Task A_shipped_experiment_is_submitted_by_name_as_json()
    {
        await using var host = await TestHost.StartAsync(TestHost.Defaults(_dir));
        var response = await host.SubmitJson(new { experiment = "batch-sweep-small", seed = 2 });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(6, body.GetProperty("points_total").GetInt32());
        Assert.Equal($"/api/experiments/{body.GetProperty("id").GetString()}", response.Headers.Location!.OriginalString);
        var done = await host.WaitFinished(body.GetProperty("id").GetString()!);
        Assert.Equal("batch-sweep-small", done.GetProperty("shipped").GetString());
        Assert.Equal(2UL, done.GetProperty("seed").GetUInt64());
    }

    public static TheoryData<string, string, string, string> BadSubmissions => new()
    {
        { "text/plain", "scenario = gup-phyrs-1g-4k-b16\naxes { cpus = \"1\" }\nsweep = 2\n", "experiment", "unknown key 'sweep'" },
        { "text/plain", "scenario = gup-phyrs-1g-4k-b16\naxes { gup.batch = \"16, 0\" }\n", "gup.batch", "0 is not between 1 and 16777216" },
        { "text/plain", "scenario = ../../etc/passwd\naxes { cpus = \"1\" }\n", "scenario", "is not a shipped scenario; the service reads no other files" },
        { "text/plain", "scenario = gup-phyrs-1g-4k-b16\nbase { layout.fragmentation = default }\naxes { layout.pfns = \"/etc/passwd\" }\n", "layout.pfns", "paths are not accepted" },
        { "text/plain", "scenario = gup-phyrs-1g-4k-b16\naxes { machine = \"/etc/passwd.conf\" }\n", "machine", "the service reads no machine files" },
        { "text/plain", "scenario = gup-phyrs-1g-4k-b16\naxes { kernel = \"6.15, 2.4\" }\n", "kernel", "2.4 is outside the kernel profiles" },
        { "text/plain", "   ", "conf", "the experiment is empty" },
        { "application/json", "{\"experiment\": \"nope\"}", "experiment", "'nope' is not a shipped experiment" },
        { "application/json", "{\"experiment\": \"../x\"}", "experiment", "is not a shipped experiment" },
        { "application/json", "{\"experiment\": \"features\", \"conf\": \"x\"}", "experiment", "give exactly one of" },
        { "application/json", "{\"experiment\": \"features\", \"seeds\": 3}", "seeds", "unknown field 'seeds'" },
        { "application/json", "{\"experiment\": \"features\", \"seed\": -3}", "seed", "'-3' is not a whole number" },
        { "application/json", "{\"experiment\": ", "body", "not valid JSON" },
        { "application/json", "[1]", "body", "must be a JSON object" },
        // Eight axes of 256 values: 2^64 points, which must not wrap round to a small number.
        { "text/plain", "scenario = gup-phyrs-1g-4k-b16\naxes {\n" + string.Concat(new[] { "cpus", "gup.batch", "region", "layout.fragmentation", "nvme.ios", "nvme.queue-depth", "cpus-per-socket", "device.max-segment" }
            .Select(k => $"{k} = \"{string.Join(", ", Enumerable.Range(1, 256))}\"\n")) + "}\n", "experiment", "points is more than 100000" },
        { "text/plain", string.Concat(Enumerable.Repeat("a {", 5000)), "experiment", "objects nest more than 16 deep" },
        { "application/json", "{\"experiment\": \"features\", \"experiment\": \"strategies\"}", "experiment", "'experiment' is given twice" },
        { "text/plain", "scenario = gup-phyrs-1g-4k-b16\nbase { cpus = 4096 }\naxes { region = \"1T\" }\n", "region", "the run needs about" },
        { "text/plain", "scenario = gup-phyrs-1g-4k-b16\naxes {\n cpus = \"" + string.Join(", ", Enumerable.Range(1, 1000)) + "\"\n gup.batch = \"" +
            string.Join(", ", Enumerable.Range(1, 1000)) + "\"\n}\n", "experiment", "1000000 points is more than 100000" },
    };

    [Fact]
    public async Task A_body_that_is_not_utf8_is_refused_whatever_its_byte_order_mark_says()
    {
        await using var host = await TestHost.StartAsync(TestHost.Defaults(_dir));
        var utf16 = new ByteArrayContent(System.Text.Encoding.Unicode.GetPreamble().Concat(System.Text.Encoding.Unicode.GetBytes(TestExperiments.Small)).ToArray());
        utf16.Headers.ContentType = new("text/plain");
        var response = await host.Http.PostAsync("/api/experiments", utf16);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(0, (await host.GetJson("/api/experiments")).GetArrayLength());
        // A UTF-8 byte-order mark is only a mark.
        var utf8 = new ByteArrayContent(System.Text.Encoding.UTF8.GetPreamble().Concat(System.Text.Encoding.UTF8.GetBytes(TestExperiments.Small)).ToArray());
        utf8.Headers.ContentType = new("text/plain");
        Assert.Equal(HttpStatusCode.Accepted, (await host.Http.PostAsync("/api/experiments", utf8)).StatusCode);
    }

    [Fact]
    public async Task Every_response_refuses_framing_and_sniffing_and_a_cross_site_fetch_without_origin_cannot_submit()
    {
        await using var host = await TestHost.StartAsync(TestHost.Defaults(_dir) with { RunExperiments = false, ApiToken = "s3cret" });
        foreach (var path in new[] { "/", "/healthz", "/api/experiments", "/nope" })
        {
            var r = await host.Http.GetAsync(path);
            Assert.Equal("DENY", r.Headers.GetValues("X-Frame-Options").Single());
            Assert.Equal("frame-ancestors 'none'", r.Headers.GetValues("Content-Security-Policy").Single());
            Assert.Equal("nosniff", r.Headers.GetValues("X-Content-Type-Options").Single());
        }
        var fetch = new HttpRequestMessage(HttpMethod.Post, "/api/experiments") { Content = new StringContent(TestExperiments.Small) };
        fetch.Headers.Add("Sec-Fetch-Site", "cross-site");
        Assert.Equal(HttpStatusCode.Forbidden, (await host.Http.SendAsync(fetch)).StatusCode);
        // The scheme is case-insensitive (RFC 9110 11.1).
        using var lower = new HttpClient { BaseAddress = host.Http.BaseAddress };
        lower.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", "bearer s3cret");
        Assert.Equal(HttpStatusCode.OK, (await lower.GetAsync("/api/experiments")).StatusCode);
    }

    [Theory]
    [MemberData(nameof(BadSubmissions))]
    public async Task Bad_submissions_are_400_naming_the_field_and_nothing_is_stored(string type, string body, string field, string message)
    {
        await using var host = await TestHost.StartAsync(TestHost.Defaults(_dir));
        var response = await host.Http.PostAsync("/api/experiments", new StringContent(body, System.Text.Encoding.UTF8, type));
        var text = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = JsonDocument.Parse(text).RootElement;
        Assert.Equal(field, error.GetProperty("field").GetString());
        Assert.Contains(message, error.GetProperty("error").GetString());
        Assert.Equal(0, (await host.GetJson("/api/experiments")).GetArrayLength());
    }

    [Fact]
    public async Task Unknown_ids_are_404_and_a_body_over_the_limit_is_413()
    {
        await using var host = await TestHost.StartAsync(TestHost.Defaults(_dir) with { MaxRequestBytes = 1024 });
        foreach (var path in new[] { "/api/experiments/e999999", "/api/experiments/../../etc", "/api/experiments/e999999/results.json", "/api/experiments/x/plots" })
            Assert.Equal(HttpStatusCode.NotFound, (await host.Http.GetAsync(path)).StatusCode);
        var big = await host.Http.PostAsync("/api/experiments", new StringContent("# " + new string('x', 4000) + "\n" + TestExperiments.Small));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, big.StatusCode);
    }

    [Fact]
    public async Task A_burst_of_200_submissions_is_accepted_up_to_the_queue_limit_and_the_rest_refused_with_429()
    {
        // Not running: every accepted experiment stays queued, so the limit is exact.
        await using var host = await TestHost.StartAsync(TestHost.Defaults(_dir) with { RunExperiments = false, QueueLimit = 64 });
        var responses = await Task.WhenAll(Enumerable.Range(0, 200).Select(_ => host.SubmitJson(new { experiment = "batch-sweep-small" })));
        var accepted = responses.Where(r => r.StatusCode == HttpStatusCode.Accepted).ToList();
        Assert.Equal(64, accepted.Count);
        Assert.Equal(136, responses.Count(r => r.StatusCode == HttpStatusCode.TooManyRequests));
        Assert.All(responses.Where(r => r.StatusCode == HttpStatusCode.TooManyRequests), r => Assert.NotNull(r.Headers.RetryAfter));
        var ids = await Task.WhenAll(accepted.Select(async r => JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()));
        var listed = (await host.GetJson("/api/experiments")).EnumerateArray().Select(e => e.GetProperty("id").GetString()).ToList();
        Assert.Equal(ids.Order(StringComparer.Ordinal), listed);              // every accepted one is there, none twice
        Assert.Equal(64, ids.Distinct().Count());
    }

    [Fact]
    public async Task Cancelling_a_queued_experiment_keeps_it_listed_as_cancelled()
    {
        await using var host = await TestHost.StartAsync(TestHost.Defaults(_dir) with { RunExperiments = false });
        var id = await host.Submit(TestExperiments.Small);
        Assert.Equal(HttpStatusCode.Accepted, (await host.Http.PostAsync($"/api/experiments/{id}/cancel", null)).StatusCode);
        Assert.Equal("cancelled", (await host.GetJson($"/api/experiments/{id}")).GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.Conflict, (await host.Http.PostAsync($"/api/experiments/{id}/cancel", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await host.Http.PostAsync("/api/experiments/e000042/cancel", null)).StatusCode);
    }

    [Fact]
    public async Task Cancelling_a_running_experiment_stops_it_and_keeps_its_finished_points()
    {
        await using var host = await TestHost.StartAsync(TestHost.Defaults(_dir));
        var id = await host.Submit(TestExperiments.Long);
        await host.WaitPoints(id, 2);
        Assert.Equal(HttpStatusCode.Accepted, (await host.Http.PostAsync($"/api/experiments/{id}/cancel", null)).StatusCode);
        var done = await host.WaitFinished(id);
        Assert.Equal("cancelled", done.GetProperty("status").GetString());
        var kept = done.GetProperty("points_done").GetInt32();
        Assert.InRange(kept, 2, 39);
        var results = JsonDocument.Parse(await host.Http.GetStringAsync($"/api/experiments/{id}/results.json")).RootElement;
        Assert.Equal(kept, results.GetProperty("points").GetArrayLength());
        // The next experiment runs.
        var next = await host.Submit(TestExperiments.Small);
        Assert.Equal("completed", (await host.WaitFinished(next)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task The_history_keeps_the_newest_ended_experiments_summaries_only_and_lists_by_page()
    {
        await using var host = await TestHost.StartAsync(TestHost.Defaults(_dir) with { RetentionKeep = 2 });
        var ids = new List<string>();
        for (var i = 0; i < 4; i++) ids.Add(await host.Submit(TestExperiments.Small, seed: (ulong)i + 1));
        // They run oldest first: when the last has ended, all have (and an older one may be forgotten already: not polled).
        await host.WaitFinished(ids[3]);
        // The two oldest are forgotten (as the last end is persisted, just after it is seen): not listed, not found, their results gone.
        var list = await host.WaitFor("/api/experiments", l => l.GetArrayLength() == 2, "the two oldest forgotten");
        Assert.Equal(ids[2..], list.EnumerateArray().Select(e => e.GetProperty("id").GetString()));
        Assert.Equal(HttpStatusCode.NotFound, (await host.Http.GetAsync($"/api/experiments/{ids[0]}")).StatusCode);
        Assert.False(Directory.Exists(Path.Combine(_dir, "experiments", ids[0])));
        // The list carries summaries; one experiment carries its text, from its entity now that it ended.
        Assert.All(list.EnumerateArray(), e => Assert.Equal(JsonValueKind.Null, e.GetProperty("source").ValueKind));
        var one = await host.GetJson($"/api/experiments/{ids[3]}");
        Assert.Equal(TestExperiments.Small, one.GetProperty("source").GetString());
        Assert.Equal(TestExperiments.Small.Length, one.GetProperty("source_bytes").GetInt32());
        Assert.Equal(4, (await host.GetJson($"/api/experiments/{ids[3]}/results.json")).GetProperty("points").GetArrayLength());
        // Pages: the newest one, a link to the older, and the total.
        var page = await host.Http.GetAsync("/api/experiments?limit=1");
        Assert.Equal("2", page.Headers.GetValues("X-Total-Count").Single());
        Assert.Equal($"</api/experiments?limit=1&before={ids[3]}>; rel=\"next\"", page.Headers.GetValues("Link").Single());
        var older = JsonDocument.Parse(await host.Http.GetStringAsync($"/api/experiments?limit=1&before={ids[3]}")).RootElement;
        Assert.Equal(ids[2], older[0].GetProperty("id").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, (await host.Http.GetAsync("/api/experiments?limit=0")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await host.Http.GetAsync("/api/experiments?before=../x")).StatusCode);
    }

    [Fact]
    public async Task An_experiment_cancelled_before_it_ran_has_no_results_and_says_so()
    {
        await using var host = await TestHost.StartAsync(TestHost.Defaults(_dir) with { RunExperiments = false });
        var id = await host.Submit(TestExperiments.Small);
        Assert.Equal(HttpStatusCode.Accepted, (await host.Http.PostAsync($"/api/experiments/{id}/cancel", null)).StatusCode);
        var response = await host.Http.GetAsync($"/api/experiments/{id}/results.json");
        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Contains("was cancelled before it ran", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task With_a_token_the_api_wants_it_and_health_does_not()
    {
        await using var host = await TestHost.StartAsync(TestHost.Defaults(_dir) with { ApiToken = "s3cret" });
        using var anonymous = new HttpClient { BaseAddress = host.Http.BaseAddress };
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/experiments")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsync("/api/experiments", new StringContent(TestExperiments.Small))).StatusCode);
        anonymous.DefaultRequestHeaders.Authorization = new("Bearer", "wrong");
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/experiments")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/healthz")).StatusCode);
        Assert.Equal(0, (await host.GetJson("/api/experiments")).GetArrayLength());
        Assert.Equal("sqlite", (await host.GetJson("/healthz")).GetProperty("persistence").GetString());
    }

    [Fact]
    public async Task Other_origins_cannot_submit_and_other_host_names_are_refused()
    {
        await using var host = await TestHost.StartAsync(TestHost.Defaults(_dir) with { RunExperiments = false });
        var crossSite = new HttpRequestMessage(HttpMethod.Post, "/api/experiments") { Content = new StringContent(TestExperiments.Small) };
        crossSite.Headers.Add("Origin", "http://evil.example");
        Assert.Equal(HttpStatusCode.Forbidden, (await host.Http.SendAsync(crossSite)).StatusCode);
        var sameSite = new HttpRequestMessage(HttpMethod.Post, "/api/experiments") { Content = new StringContent(TestExperiments.Small) };
        sameSite.Headers.Add("Origin", host.Http.BaseAddress!.GetLeftPart(UriPartial.Authority));
        Assert.Equal(HttpStatusCode.Accepted, (await host.Http.SendAsync(sameSite)).StatusCode);
        // A DNS name rebound to 127.0.0.1 still sends its own Host header.
        var rebound = new HttpRequestMessage(HttpMethod.Get, "/api/experiments");
        rebound.Headers.Host = "evil.example";
        Assert.Equal(HttpStatusCode.BadRequest, (await host.Http.SendAsync(rebound)).StatusCode);
        Assert.Equal(1, (await host.GetJson("/api/experiments")).GetArrayLength());
    }

    [Fact]
    public async Task A_single_node_is_a_cluster_of_itself_and_cluster_status_prints_it()
    {
        await using var host = await TestHost.StartAsync(TestHost.Defaults(_dir));
        var view = await host.GetJson("/api/cluster");
        Assert.Equal("single-node", view.GetProperty("mode").GetString());
        Assert.True(view.GetProperty("members")[0].GetProperty("hosts_registry").GetBoolean());
        var r = CliRunner.Run("cluster", "status", "--url", host.Http.BaseAddress!.ToString());
        Assert.Equal(0, r.ExitCode);
        Assert.StartsWith("single-node, seen from local", r.Stdout);
        Assert.Contains("local (self)", r.Stdout);
        Assert.Contains("experiments", r.Stdout.Split('\n')[1]);
        Assert.Equal(0, view.GetProperty("members")[0].GetProperty("experiments_hosted").GetInt32());
        var down = CliRunner.Run("cluster", "status", "--url", "http://127.0.0.1:9");
        Assert.Equal(2, down.ExitCode);
        Assert.Contains("--url: no phyr serve answers at http://127.0.0.1:9", down.Stderr);
    }

    [Fact]
    public async Task Run_with_cluster_submits_follows_and_writes_what_a_local_run_writes()
    {
        await using var host = await TestHost.StartAsync(TestHost.Defaults(_dir));
        var conf = Path.Combine(_dir, "small.conf");
        File.WriteAllText(conf, TestExperiments.Small);
        var url = host.Http.BaseAddress!.ToString();
        // CliRunner runs in this process: the host's thread pool answers while the command waits.
        var remote = await Task.Run(() => CliRunner.Run("run", conf, "--cluster", url, "--seed", "9", "--out", Path.Combine(_dir, "remote")));
        Assert.Equal(0, remote.ExitCode);
        Assert.Contains("accepted by", remote.Stderr);
        Assert.Contains("[4/4] e000001 completed", remote.Stderr);
        var local = CliRunner.Run("run", conf, "--seed", "9", "--out", Path.Combine(_dir, "local"));
        Assert.Equal(0, local.ExitCode);
        Assert.Equal(TestResults.WithoutHost(File.ReadAllText(Path.Combine(_dir, "local", "results.json"))),
            TestResults.WithoutHost(File.ReadAllText(Path.Combine(_dir, "remote", "results.json"))));
        Assert.True(File.Exists(Path.Combine(_dir, "remote", "sim-time-vs-batch.png")));
        // A shipped experiment goes by name; a bad one is refused with the host's message.
        var bad = await Task.Run(() => CliRunner.Run("run", Write("bad.conf", "scenario = gup-phyrs-1g-4k-b16\naxes { gup.batch = \"0\" }\n"), "--cluster", url));
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("refused it (400): experiment:2: gup.batch: 0 is not between 1 and 16777216", bad.Stderr);
        var down = CliRunner.Run("run", conf, "--cluster", "http://127.0.0.1:9");
        Assert.Equal(2, down.ExitCode);
        Assert.Contains("--cluster: no phyr serve answers at http://127.0.0.1:9", down.Stderr);
        var notSeeds = CliRunner.Run("run", conf, "--cluster", "akka.tcp://other@127.0.0.1:4053");
        Assert.Equal(2, notSeeds.ExitCode);
        Assert.Contains("--cluster: 'akka.tcp://other@127.0.0.1:4053' is not akka.tcp://phyr-service@HOST:PORT", notSeeds.Stderr);
        var neither = CliRunner.Run("run", conf, "--cluster", "127.0.0.1:5088");
        Assert.Equal(2, neither.ExitCode);
        Assert.Contains("is neither the http:// address of a phyr serve node nor seed nodes", neither.Stderr);
    }

    private string Write(string name, string text)
    {
        Directory.CreateDirectory(_dir);
        File.WriteAllText(Path.Combine(_dir, name), text);
        return Path.Combine(_dir, name);
    }

    [Fact]
    public async Task The_openapi_document_lists_the_endpoints()
    {
        await using var host = await TestHost.StartAsync(TestHost.Defaults(_dir));
        var doc = await host.GetJson("/openapi.json");
        var paths = doc.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        Assert.Contains("/api/experiments", paths);
        Assert.Contains("/api/experiments/{id}/cancel", paths);
        Assert.Contains("/healthz", paths);
    }

    [Fact]
    public void Binding_beyond_loopback_without_a_token_is_refused_before_starting()
    {
        var r = CliRunner.Run("serve", "--data", _dir, "--urls", "http://0.0.0.0:5999");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("phyr serve: ApiToken: binding to http://0.0.0.0:5999 (not only loopback) needs an API token", r.Stderr);
        Assert.False(File.Exists(Path.Combine(_dir, "phyr.db")));
    }

    [Fact]
    public void Start_up_failures_are_one_line_naming_the_option()
    {
        var https = CliRunner.Run("serve", "--data", _dir, "--urls", "https://127.0.0.1:5999");
        Assert.Equal(2, https.ExitCode);
        Assert.Contains("phyr serve: --urls: 'https://127.0.0.1:5999': phyr serve speaks plain HTTP", https.Stderr);
        using var taken = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        taken.Start();
        var port = ((System.Net.IPEndPoint)taken.LocalEndpoint).Port;
        var inUse = CliRunner.Run("serve", "--data", _dir, "--urls", $"http://127.0.0.1:{port}");
        Assert.Equal(2, inUse.ExitCode);
        Assert.Equal($"phyr serve: --urls: 127.0.0.1:{port} is in use by another program", inUse.Stderr.Trim());
        var file = Path.Combine(Path.GetTempPath(), $"phyr-not-a-dir-{Guid.NewGuid():N}");
        File.WriteAllText(file, "x");
        try
        {
            var data = CliRunner.Run("serve", "--data", file);
            Assert.Equal(2, data.ExitCode);
            Assert.Contains("--data: ", data.Stderr);
            Assert.Contains("is a file", data.Stderr);
            Assert.Equal("x", File.ReadAllText(file));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Theory]
    [InlineData("{\"ApiToken\": \"   \"}", "ApiToken: is only blanks")]
    [InlineData("{\"QueueLimt\": 3}", "unknown setting 'QueueLimt'")]
    [InlineData("{\"QueueLimit\": 0}", "QueueLimit: '0' is not a whole number between 1 and 100000")]
    [InlineData("{\"Persistence\": {\"Provider\": \"oracle\"}}", "Persistence:Provider: 'oracle' is not sqlite or postgresql")]
    [InlineData("{\"Persistence\": {\"Provider\": \"postgresql\"}}", "Persistence:ConnectionString: PostgreSQL needs a connection string")]
    [InlineData("{\"LogLevel\": \"Loud\"}", "LogLevel: 'Loud' is not Verbose")]
    [InlineData("{ not json", "not valid JSON")]
    public void Bad_settings_are_refused_naming_the_setting(string json, string message)
    {
        Directory.CreateDirectory(_dir);
        var file = Path.Combine(_dir, "settings.json");
        File.WriteAllText(file, json);
        var r = CliRunner.Run("serve", "--data", _dir, "--config", file);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains(message, r.Stderr);
    }
}
