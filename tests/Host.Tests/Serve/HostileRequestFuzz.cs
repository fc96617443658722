using System.Net;
using System.Text;
using System.Text.Json;
using Phyr.Tests.Shared;

namespace Phyr.Host.Tests.Serve;

/// <summary>
/// Seeded mutants of valid submissions (JSON and experiment text) and of valid command lines: the service answers each
/// with 202, a 4xx carrying {error, field} or 429 — never a 500 — and stays up; the command line exits 0 or 2 with one
/// line, never an internal error.
/// </summary>
[Collection(TestHost.Collection)]
public class HostileRequestFuzz() : TempDirectory("phyr-fuzz")
{
    private static readonly string[] Bodies =
    [
        """{"experiment": "features", "seed": 3}""",
        """{"conf": "name = f\nscenario = gup-phyrs-1g-4k-b16\nbase { region = 4M }\naxes { cpus = \"1, 2\" }\n"}""",
        TestExperiments.Small,
    ];

    [Fact]
    public async Task Mutated_submissions_get_an_answer_never_a_server_error()
    {
        await using var host = await TestHost.StartAsync(TestHost.Defaults(_dir) with { RunExperiments = false, QueueLimit = 10_000 });
        var n = 0;
        foreach (var body in Mutants.Of(Bodies, 2000, 7))
        {
            n++;
            var type = body.TrimStart().StartsWith('{') ? "application/json" : "text/plain";
            var response = await host.Http.PostAsync("/api/experiments", new ByteArrayContent(Encoding.UTF8.GetBytes(body))
            {
                Headers = { ContentType = new(type) },
            });
            var status = (int)response.StatusCode;
            Assert.True(status is 202 or 400 or 413 or 429, $"mutant {n}: {status} for {body}");
            if (status == 400)
            {
                var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
                Assert.False(string.IsNullOrEmpty(error.GetProperty("error").GetString()), $"mutant {n}: no error text");
                Assert.False(error.GetProperty("error").GetString()!.Contains('\n'), $"mutant {n}: a multi-line error");
            }
        }
        Assert.Equal(HttpStatusCode.OK, (await host.Http.GetAsync("/healthz")).StatusCode);
    }

    [Fact]
    public void Mutated_command_lines_exit_0_or_2_with_one_line()
    {
        string[][] lines =
        [
            ["layout", "--generate", "4096", "--fragmentation", "0.3", "--seed", "2"],
            ["layout", "--runs", "0-15,32-47", "--page-size", "4K", "--offset", "512"],
            ["gup-test", "--list-features"],
            ["run", "no-such-thing", "--parallelism", "2"],
        ];
        var corpus = lines.Select(a => string.Join('\u0001', a)).ToList();
        var n = 0;
        foreach (var mutant in Mutants.Of(corpus, 1000, 8))
        {
            n++;
            var args = mutant.Split('\u0001');
            var r = CliRunner.Run(args);
            Assert.True(r.ExitCode is 0 or 2, $"mutant {n} ({string.Join(' ', args)}): exit {r.ExitCode}: {r.Stderr}");
            Assert.DoesNotContain("internal error", r.Stderr);
            if (r.ExitCode == 2) Assert.True(r.StderrLines.Length == 1, $"mutant {n}: {r.Stderr}");
        }
    }
}
