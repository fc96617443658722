using System.Globalization;
using System.Net;
using Microsoft.Extensions.Configuration;

namespace Phyr.Host.Service;

/// <summary>Which database the journal and snapshots go to.</summary>
public enum PersistenceProvider
{
    Sqlite,
    PostgreSql,
}

/// <summary>
/// `phyr serve`'s settings, from (later wins) defaults, a JSON config file (<c>--config</c>, or
/// <c>DATA_DIR/serve.json</c> when present), environment variables (<c>PHYR_</c> + the key with <c>__</c> for
/// nesting, e.g. <c>PHYR_Persistence__ConnectionString</c>) and the command line. Every value is checked:
/// a bad one is an error naming the key.
/// </summary>
public sealed record ServiceOptions
{
    /// <summary>Everything the service writes: the SQLite database, experiment files, plots, logs.</summary>
    public required string DataDir { get; init; }

    public string Urls { get; init; } = "http://127.0.0.1:5088";

    /// <summary>Required when binding to anything but loopback; sent as <c>Authorization: Bearer TOKEN</c>.</summary>
    public string? ApiToken { get; init; }

    /// <summary>Experiments waiting to run at most; a submission beyond it is refused with 429.</summary>
    public int QueueLimit { get; init; } = 64;

    /// <summary>Ended experiments kept (the newest; older ones are forgotten, their results deleted). Queued and running ones always are.</summary>
    public int RetentionKeep { get; init; } = 1000;

    /// <summary>Ended experiments older than this many days are forgotten too (0: no age limit).</summary>
    public int RetentionDays { get; init; }

    /// <summary>Points run at once.</summary>
    public int Parallelism { get; init; } = Math.Max(1, Environment.ProcessorCount);

    /// <summary>Whether this host runs experiments (off: it only accepts, stores and serves them).</summary>
    public bool RunExperiments { get; init; } = true;

    public long MaxRequestBytes { get; init; } = 256 * 1024;

    public PersistenceProvider Provider { get; init; } = PersistenceProvider.Sqlite;

    /// <summary>Default: a SQLite file in the data directory.</summary>
    public string? ConnectionString { get; init; }

    public string LogLevel { get; init; } = "Information";

    /// <summary>Akka.Cluster seed nodes (akka.tcp://phyr-service@host:port); none: a single node, no remoting.</summary>
    public IReadOnlyList<string> SeedNodes { get; init; } = [];

    /// <summary>The address other nodes reach this one at (remoting), in a cluster.</summary>
    public string ClusterHostname { get; init; } = "127.0.0.1";

    public int ClusterPort { get; init; } = 4053;

    /// <summary>worker: runs experiments (hosts the registry singleton); api: takes HTTP requests. Default both.</summary>
    public IReadOnlyList<string> Roles { get; init; } = ["worker", "api"];

    public bool Clustered => SeedNodes.Count > 0;

    /// <summary>How long a member must stay unreachable before the split-brain resolver downs it (and its points run elsewhere).</summary>
    public int DowningAfterSeconds { get; init; } = 10;

    public const string SystemName = "phyr-service";

    public string EffectiveConnectionString => ConnectionString ?? $"Data Source={Path.Combine(DataDir, "phyr.db")}";

    /// <summary>Whether <paramref name="address"/> is a node's cluster address: akka.tcp://phyr-service@HOST:PORT.</summary>
    public static bool IsNodeAddress(string address) =>
        Uri.TryCreate(address, UriKind.Absolute, out var u) && u.Scheme == "akka.tcp" && u.UserInfo == SystemName && u.Port > 0 &&
        u.AbsolutePath is "" or "/";

    /// <summary>Whether every address in <see cref="Urls"/> is loopback (127.0.0.0/8, ::1, localhost).</summary>
    public bool LoopbackOnly => Urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).All(IsLoopback);

    public static bool IsLoopback(string url)
    {
        if (!Uri.TryCreate(url.Replace("://*", "://0.0.0.0", StringComparison.Ordinal).Replace("://+", "://0.0.0.0", StringComparison.Ordinal),
                UriKind.Absolute, out var uri)) return false;
        return uri.Host == "localhost" || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));
    }

    /// <summary>Reads and checks the settings. <paramref name="overrides"/> are the command line's (null: not given).</summary>
    public static ServiceOptions Load(string dataDir, string? configFile, IReadOnlyDictionary<string, string?> overrides)
    {
        var full = Path.GetFullPath(dataDir);
        if (File.Exists(full)) throw new SettingsException("--data", $"{full} is a file: the data directory must be a directory (or not exist yet)");
        try
        {
            Directory.CreateDirectory(full);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SettingsException("--data", $"{full}: cannot be created: {e.Message}");
        }
        var known = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
        {
            "Urls", "ApiToken", "QueueLimit", "Parallelism", "RunExperiments", "MaxRequestBytes", "LogLevel", "Retention:Keep", "Retention:Days",
            "Persistence:Provider", "Persistence:ConnectionString", "Cluster:SeedNodes", "Cluster:Hostname", "Cluster:Port", "Cluster:Roles", "Cluster:DowningAfterSeconds",
        };
        var builder = new ConfigurationBuilder();
        var defaultFile = Path.Combine(full, "serve.json");
        if (configFile is not null && !File.Exists(configFile)) throw new SettingsException("--config", $"{configFile}: no such file");
        var file = configFile is not null ? Path.GetFullPath(configFile) : File.Exists(defaultFile) ? defaultFile : null;
        if (file is not null)
        {
            IConfiguration fromFile;
            string json;
            try
            {
                json = Phyr.Domain.Config.InputFile.ReadText(file, "settings", 64 * 1024, problem => new Phyr.Domain.Config.InputException(problem));
            }
            catch (Phyr.Domain.Config.InputException e)
            {
                throw new SettingsException("--config", e.Message);
            }
            try
            {
                fromFile = new ConfigurationBuilder().AddJsonStream(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(json))).Build();
            }
            catch (Exception e) when (e is InvalidDataException or FormatException or System.Text.Json.JsonException)
            {
                throw new SettingsException("--config", $"{file}: not valid JSON: {e.InnerException?.Message ?? e.Message}");
            }
            // The file is strict (a misspelt key is an error); environment variables of other programs may start with PHYR_ too.
            // Arrays (Cluster:SeedNodes, Cluster:Roles) come as KEY:0, KEY:1, ...
            var unknown = fromFile.AsEnumerable().Where(kv => kv.Value is not null)
                .Select(kv => System.Text.RegularExpressions.Regex.Replace(kv.Key, @":\d+$", "")).Where(k => !known.Contains(k))
                .Order(StringComparer.Ordinal).FirstOrDefault();
            if (unknown is not null)
                throw new SettingsException("--config", $"{file}: unknown setting '{unknown}' (known: {string.Join(", ", known)})");
            builder.AddJsonStream(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(json)));
        }
        builder.AddEnvironmentVariables("PHYR_");
        builder.AddInMemoryCollection(overrides.Where(kv => kv.Value is not null));
        var c = builder.Build();

        var options = new ServiceOptions
        {
            DataDir = full,
            Urls = c["Urls"] ?? "http://127.0.0.1:5088",
            ApiToken = string.IsNullOrEmpty(c["ApiToken"]) ? null
                : string.IsNullOrWhiteSpace(c["ApiToken"]) ? throw new SettingsException("ApiToken", "is only blanks: give a token, or leave the setting out")
                : c["ApiToken"],
            QueueLimit = Int(c, "QueueLimit", 64, 1, 100_000),
            RetentionKeep = Int(c, "Retention:Keep", 1000, 1, 1_000_000),
            RetentionDays = Int(c, "Retention:Days", 0, 0, 36_500),
            Parallelism = Int(c, "Parallelism", Math.Max(1, Environment.ProcessorCount), 1, 256),
            RunExperiments = Bool(c, "RunExperiments", true),
            MaxRequestBytes = Int(c, "MaxRequestBytes", 256 * 1024, 1024, 64 * 1024 * 1024),
            LogLevel = c["LogLevel"] ?? "Information",
            Provider = (c["Persistence:Provider"] ?? "sqlite").ToLowerInvariant() switch
            {
                "sqlite" => PersistenceProvider.Sqlite,
                "postgresql" or "postgres" => PersistenceProvider.PostgreSql,
                var other => throw new SettingsException("Persistence:Provider", $"'{other}' is not sqlite or postgresql"),
            },
            ConnectionString = string.IsNullOrEmpty(c["Persistence:ConnectionString"]) ? null : c["Persistence:ConnectionString"],
            SeedNodes = List(c, "Cluster:SeedNodes"),
            ClusterHostname = c["Cluster:Hostname"] ?? "127.0.0.1",
            ClusterPort = Int(c, "Cluster:Port", 4053, 1, 65535),
            Roles = List(c, "Cluster:Roles") is { Count: > 0 } roles ? roles : ["worker", "api"],
            DowningAfterSeconds = Int(c, "Cluster:DowningAfterSeconds", 10, 1, 3600),
        };
        foreach (var seed in options.SeedNodes)
            if (!IsNodeAddress(seed)) throw new SettingsException("Cluster:SeedNodes", $"'{seed}' is not akka.tcp://{SystemName}@HOST:PORT");
        if (options.Roles.Count == 0 || options.Roles.Any(r => r is not ("worker" or "api")))
            throw new SettingsException("Cluster:Roles", $"'{string.Join(",", options.Roles)}' is not a list of worker and api");
        if (options.Clustered && options.Provider != PersistenceProvider.PostgreSql)
            throw new SettingsException("Persistence:Provider", "a cluster's nodes share one journal: give postgresql and its connection string");
        if (options.LogLevel is not ("Verbose" or "Debug" or "Information" or "Warning" or "Error" or "Fatal"))
            throw new SettingsException("LogLevel", $"'{options.LogLevel}' is not Verbose, Debug, Information, Warning, Error or Fatal");
        if (options.Provider == PersistenceProvider.PostgreSql && options.ConnectionString is null)
            throw new SettingsException("Persistence:ConnectionString", "PostgreSQL needs a connection string (e.g. Host=127.0.0.1;Username=phyr;Database=phyr)");
        foreach (var url in options.Urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            if (!Uri.TryCreate(url.Replace("://*", "://0.0.0.0", StringComparison.Ordinal).Replace("://+", "://0.0.0.0", StringComparison.Ordinal),
                    UriKind.Absolute, out var u) || u.Scheme is not ("http" or "https") || u.AbsolutePath != "/")
                throw new SettingsException("--urls", $"'{url}' is not an http://HOST:PORT address");
            else if (u.Scheme == "https")
                throw new SettingsException("--urls", $"'{url}': phyr serve speaks plain HTTP; put a TLS-terminating proxy in front of it for https (docs/serve.md)");
        if (!options.LoopbackOnly && options.ApiToken is null)
            throw new SettingsException("ApiToken",
                $"binding to {options.Urls} (not only loopback) needs an API token: set ApiToken in the config file or PHYR_ApiToken");
        return options;
    }

    private static int Int(IConfiguration c, string key, int fallback, int min, int max)
    {
        var text = c[key];
        if (text is null) return fallback;
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n < min || n > max)
            throw new SettingsException(key, $"'{text}' is not a whole number between {min} and {max}");
        return n;
    }

    /// <summary>A list setting: a comma-separated string (command line, environment) or a JSON array.</summary>
    private static List<string> List(IConfiguration c, string key) => c[key] is { } text
        ? [.. text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)]
        : [.. c.GetSection(key).GetChildren().Select(x => x.Value).OfType<string>().Select(x => x.Trim()).Where(x => x.Length > 0)];

    private static bool Bool(IConfiguration c, string key, bool fallback) => c[key]?.ToLowerInvariant() switch
    {
        null => fallback,
        "true" or "on" or "yes" => true,
        "false" or "off" or "no" => false,
        var other => throw new SettingsException(key, $"'{other}' is not true or false"),
    };
}
