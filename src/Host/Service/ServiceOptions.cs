using System.Globalization;
using System.Net;
using Microsoft.Extensions.Configuration;
using Phyr.Host.Cli;

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

    /// <summary>Points run at once.</summary>
    public int Parallelism { get; init; } = Math.Max(1, Environment.ProcessorCount);

    /// <summary>Whether this host runs experiments (off: it only accepts, stores and serves them).</summary>
    public bool RunExperiments { get; init; } = true;

    public long MaxRequestBytes { get; init; } = 256 * 1024;

    public PersistenceProvider Provider { get; init; } = PersistenceProvider.Sqlite;

    /// <summary>Default: a SQLite file in the data directory.</summary>
    public string? ConnectionString { get; init; }

    public string LogLevel { get; init; } = "Information";

    public string EffectiveConnectionString => ConnectionString ?? $"Data Source={Path.Combine(DataDir, "phyr.db")}";

    /// <summary>Whether every address in <see cref="Urls"/> is loopback (127.0.0.0/8, ::1, localhost).</summary>
    public bool LoopbackOnly => Urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).All(IsLoopback);

    private static bool IsLoopback(string url)
    {
        if (!Uri.TryCreate(url.Replace("://*", "://0.0.0.0", StringComparison.Ordinal).Replace("://+", "://0.0.0.0", StringComparison.Ordinal),
                UriKind.Absolute, out var uri)) return false;
        return uri.Host == "localhost" || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));
    }

    /// <summary>Reads and checks the settings. <paramref name="overrides"/> are the command line's (null: not given).</summary>
    public static ServiceOptions Load(string dataDir, string? configFile, IReadOnlyDictionary<string, string?> overrides)
    {
        var full = Path.GetFullPath(dataDir);
        var known = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
        {
            "Urls", "ApiToken", "QueueLimit", "Parallelism", "RunExperiments", "MaxRequestBytes", "LogLevel",
            "Persistence:Provider", "Persistence:ConnectionString",
        };
        var builder = new ConfigurationBuilder();
        var defaultFile = Path.Combine(full, "serve.json");
        if (configFile is not null && !File.Exists(configFile)) throw new UsageException("--config", $"{configFile}: no such file");
        var file = configFile is not null ? Path.GetFullPath(configFile) : File.Exists(defaultFile) ? defaultFile : null;
        if (file is not null)
        {
            IConfiguration fromFile;
            try
            {
                fromFile = new ConfigurationBuilder().AddJsonFile(file, optional: false).Build();
            }
            catch (Exception e) when (e is InvalidDataException or FormatException or System.Text.Json.JsonException)
            {
                throw new UsageException("--config", $"{file}: not valid JSON: {e.InnerException?.Message ?? e.Message}");
            }
            // The file is strict (a misspelt key is an error); environment variables of other programs may start with PHYR_ too.
            var unknown = fromFile.AsEnumerable().Where(kv => kv.Value is not null).Select(kv => kv.Key).Where(k => !known.Contains(k))
                .Order(StringComparer.Ordinal).FirstOrDefault();
            if (unknown is not null)
                throw new UsageException("--config", $"{file}: unknown setting '{unknown}' (known: {string.Join(", ", known)})");
            builder.AddJsonFile(file, optional: false);
        }
        builder.AddEnvironmentVariables("PHYR_");
        builder.AddInMemoryCollection(overrides.Where(kv => kv.Value is not null));
        var c = builder.Build();

        var options = new ServiceOptions
        {
            DataDir = full,
            Urls = c["Urls"] ?? "http://127.0.0.1:5088",
            ApiToken = string.IsNullOrEmpty(c["ApiToken"]) ? null : c["ApiToken"],
            QueueLimit = Int(c, "QueueLimit", 64, 1, 100_000),
            Parallelism = Int(c, "Parallelism", Math.Max(1, Environment.ProcessorCount), 1, 256),
            RunExperiments = Bool(c, "RunExperiments", true),
            MaxRequestBytes = Int(c, "MaxRequestBytes", 256 * 1024, 1024, 64 * 1024 * 1024),
            LogLevel = c["LogLevel"] ?? "Information",
            Provider = (c["Persistence:Provider"] ?? "sqlite").ToLowerInvariant() switch
            {
                "sqlite" => PersistenceProvider.Sqlite,
                "postgresql" or "postgres" => PersistenceProvider.PostgreSql,
                var other => throw new UsageException("Persistence:Provider", $"'{other}' is not sqlite or postgresql"),
            },
            ConnectionString = string.IsNullOrEmpty(c["Persistence:ConnectionString"]) ? null : c["Persistence:ConnectionString"],
        };
        if (options.LogLevel is not ("Verbose" or "Debug" or "Information" or "Warning" or "Error" or "Fatal"))
            throw new UsageException("LogLevel", $"'{options.LogLevel}' is not Verbose, Debug, Information, Warning, Error or Fatal");
        if (options.Provider == PersistenceProvider.PostgreSql && options.ConnectionString is null)
            throw new UsageException("Persistence:ConnectionString", "PostgreSQL needs a connection string (e.g. Host=127.0.0.1;Username=phyr;Database=phyr)");
        foreach (var url in options.Urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            if (!Uri.TryCreate(url.Replace("://*", "://0.0.0.0", StringComparison.Ordinal).Replace("://+", "://0.0.0.0", StringComparison.Ordinal),
                    UriKind.Absolute, out var u) || u.Scheme is not ("http" or "https"))
                throw new UsageException("--urls", $"'{url}' is not an http:// or https:// address");
        if (!options.LoopbackOnly && options.ApiToken is null)
            throw new UsageException("ApiToken",
                $"binding to {options.Urls} (not only loopback) needs an API token: set ApiToken in the config file or PHYR_ApiToken");
        return options;
    }

    private static int Int(IConfiguration c, string key, int fallback, int min, int max)
    {
        var text = c[key];
        if (text is null) return fallback;
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n < min || n > max)
            throw new UsageException(key, $"'{text}' is not a whole number between {min} and {max}");
        return n;
    }

    private static bool Bool(IConfiguration c, string key, bool fallback) => c[key]?.ToLowerInvariant() switch
    {
        null => fallback,
        "true" or "on" or "yes" => true,
        "false" or "off" or "no" => false,
        var other => throw new UsageException(key, $"'{other}' is not true or false"),
    };
}
