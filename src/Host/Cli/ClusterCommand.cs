using System.CommandLine;
using System.Net.Http.Headers;
using System.Text.Json;
using Phyr.Host.Cli;

namespace Phyr.Host.Cli;

/// <summary>`phyr cluster status`: the members of a running host's cluster, from its API.</summary>
public static class ClusterCommand
{
    private static readonly Option<string?> Url = new("--url") { Description = "A node's HTTP address. Default http://127.0.0.1:5088.", HelpName = "URL" };
    private static readonly Option<string?> Token = new("--token") { Description = "The API token, if the host has one (or PHYR_ApiToken).", HelpName = "TOKEN" };
    private static readonly Option<string?> Format = new("--format") { Description = "table (default) or json.", HelpName = "table|json" };

    public static Command Create()
    {
        var status = new Command("status", "The cluster's members as a running `phyr serve` node sees them: address, status, roles, " +
                                           "which one runs the registry.") { Url, Token, Format };
        status.SetAction(parse =>
        {
            var url = parse.GetValue(Url) ?? "http://127.0.0.1:5088";
            if (!Uri.TryCreate(url, UriKind.Absolute, out var baseUri) || baseUri.Scheme is not ("http" or "https"))
                throw new UsageException("--url", $"'{url}' is not an http:// or https:// address");
            var format = parse.GetValue(Format) ?? "table";
            if (format is not ("table" or "json")) throw new UsageException("--format", $"'{format}' is not table or json");
            using var http = new HttpClient { BaseAddress = baseUri, Timeout = TimeSpan.FromSeconds(15) };
            var token = parse.GetValue(Token) ?? Environment.GetEnvironmentVariable("PHYR_ApiToken");
            if (!string.IsNullOrEmpty(token)) http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            string body;
            try
            {
                var response = http.GetAsync("/api/cluster").GetAwaiter().GetResult();
                body = response.Content.ReadAsStringAsync().GetAwaiter().GetResult();
                if (!response.IsSuccessStatusCode) throw new UsageException("--url", $"{url} answered {(int)response.StatusCode}: {body.Trim()}");
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                throw new UsageException("--url", $"no phyr serve answers at {url}: {e.Message}");
            }
            var output = parse.InvocationConfiguration.Output;
            if (format == "json")
            {
                output.WriteLine(body);
                return ExitCodes.Ok;
            }
            using var doc = JsonDocument.Parse(body);
            var root = doc.RootElement;
            output.WriteLine($"{root.GetProperty("mode").GetString()}, seen from {root.GetProperty("self").GetString()}");
            output.WriteLine($"{"address",-44} {"status",-9} {"roles",-12} {"registry",-8} {"experiments",-11} points run");
            foreach (var m in root.GetProperty("members").EnumerateArray())
                output.WriteLine($"{m.GetProperty("address").GetString() + (m.GetProperty("self").GetBoolean() ? " (self)" : ""),-44} " +
                                 $"{m.GetProperty("status").GetString(),-9} {string.Join(",", m.GetProperty("roles").EnumerateArray().Select(r => r.GetString())),-12} " +
                                 $"{(m.GetProperty("hosts_registry").GetBoolean() ? "yes" : ""),-8} " +
                                 $"{(m.TryGetProperty("experiments_hosted", out var hosted) ? hosted.GetInt32().ToString(System.Globalization.CultureInfo.InvariantCulture) : ""),-11} " +
                                 $"{(m.TryGetProperty("points_run", out var load) ? load.GetInt32().ToString(System.Globalization.CultureInfo.InvariantCulture) : "")}");
            return ExitCodes.Ok;
        });
        return new Command("cluster", "Look at a running cluster of `phyr serve` nodes.") { status };
    }
}
