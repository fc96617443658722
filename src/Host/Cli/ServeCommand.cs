using System.CommandLine;
using Phyr.Host.Cli;
using Phyr.Host.Service;

namespace Phyr.Host.Cli;

/// <summary>`phyr serve`: the long-running host (HTTP API, dashboard, persistent history of experiments).</summary>
public static class ServeCommand
{
    private static readonly Option<string?> Data = new("--data") { Description = "Data directory: database, results, plots, logs. Default ./phyr-data.", HelpName = "DIR" };
    private static readonly Option<string?> Urls = new("--urls") { Description = "Addresses to listen on, ';'-separated. Default http://127.0.0.1:5088. Anything but loopback needs ApiToken.", HelpName = "URLS" };
    private static readonly Option<string?> Config = new("--config") { Description = "A JSON settings file (default DATA/serve.json when present): Urls, ApiToken, QueueLimit, Parallelism, RunExperiments, MaxRequestBytes, LogLevel, Persistence:Provider (sqlite|postgresql), Persistence:ConnectionString.", HelpName = "FILE" };
    private static readonly Option<string?> QueueLimit = new("--queue-limit") { Description = "Experiments waiting at most; more are refused with 429. Default 64.", HelpName = "N" };
    private static readonly Option<string?> Parallelism = new("--parallelism") { Description = "Points run at once. Default: the CPU count.", HelpName = "N" };
    private static readonly Option<string?> SeedNodes = new("--seed-nodes") { Description = "Join an Akka.Cluster: its seed nodes, comma-separated (akka.tcp://phyr-service@HOST:PORT). Needs PostgreSQL.", HelpName = "SEEDS" };
    private static readonly Option<string?> ClusterPort = new("--cluster-port") { Description = "This node's cluster (remoting) port. Default 4053.", HelpName = "PORT" };
    private static readonly Option<string?> LogLevel = new("--log-level") { Description = "Verbose, Debug, Information (default), Warning, Error, Fatal.", HelpName = "LEVEL" };

    public static Command Create()
    {
        var command = new Command("serve",
            "Run the long-running host: an HTTP API and dashboard to submit experiments, follow them and read their results, " +
            "kept in a database that survives restarts (SQLite in the data directory by default, or PostgreSQL). " +
            "Environment: PHYR_<Setting> (e.g. PHYR_ApiToken, PHYR_Persistence__ConnectionString).")
        {
            Data, Urls, Config, QueueLimit, Parallelism, SeedNodes, ClusterPort, LogLevel,
        };
        command.SetAction(parse =>
        {
            ServiceOptions options;
            try
            {
                options = ServiceOptions.Load(parse.GetValue(Data) ?? "phyr-data", parse.GetValue(Config), new Dictionary<string, string?>
                {
                    ["Urls"] = parse.GetValue(Urls),
                    ["QueueLimit"] = parse.GetValue(QueueLimit),
                    ["Parallelism"] = parse.GetValue(Parallelism),
                    ["LogLevel"] = parse.GetValue(LogLevel),
                    ["Cluster:SeedNodes"] = parse.GetValue(SeedNodes),
                    ["Cluster:Port"] = parse.GetValue(ClusterPort),
                });
            }
            catch (SettingsException e)
            {
                throw new UsageException(e.Setting, e.Problem);
            }
            if (ServeAddresses.InUse(options.Urls) is { } taken) throw new UsageException("--urls", $"{taken} is in use by another program");
            if (options.Provider == PersistenceProvider.Sqlite && SqliteLock.Problem(options.EffectiveConnectionString, TimeSpan.FromSeconds(2)) is { } locked)
                throw new UsageException("Persistence", locked);
            var app = ServiceHost.Build(options);
            try
            {
                app.Run();
            }
            catch (IOException e) when (e.InnerException is Microsoft.AspNetCore.Connections.AddressInUseException)
            {
                // Taken between the check and the start.
                throw new UsageException("--urls", e.Message);
            }
            return ExitCodes.Ok;
        });
        return command;
    }
}
