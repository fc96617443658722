using Npgsql;
using Phyr.Host.Service;

namespace Phyr.Host.Tests.Serve;

/// <summary>
/// A test that needs a PostgreSQL server: it runs when PHYR_TEST_POSTGRES holds a connection string (`.ci/run`
/// starts a server and sets it; locally: <c>eval "$(.ci/postgres.sh)"</c>), and is skipped, saying why, otherwise.
/// </summary>
public sealed class PostgresFactAttribute : FactAttribute
{
    public PostgresFactAttribute()
    {
        if (Databases.Postgres is null) Skip = "set PHYR_TEST_POSTGRES to a PostgreSQL connection string (see .ci/postgres.sh)";
    }
}

/// <summary>The databases the persistence tests run against: a SQLite file, or a fresh PostgreSQL database.</summary>
internal static class Databases
{
    public static string? Postgres => Environment.GetEnvironmentVariable("PHYR_TEST_POSTGRES") is { Length: > 0 } s ? s : null;

    /// <summary>A new, empty PostgreSQL database for one test; dropped when disposed.</summary>
    public static TemporaryDatabase NewPostgres()
    {
        var admin = Postgres ?? throw new InvalidOperationException("PHYR_TEST_POSTGRES is not set");
        var name = $"phyr_test_{Guid.NewGuid():N}";
        using (var c = new NpgsqlConnection(admin))
        {
            c.Open();
            using var cmd = new NpgsqlCommand($"CREATE DATABASE {name}", c);
            cmd.ExecuteNonQuery();
        }
        return new TemporaryDatabase(admin, name);
    }

    /// <summary>A database of one test: its connection string, and DROP (forcing out what is still connected) on dispose.</summary>
    public sealed class TemporaryDatabase(string admin, string name) : IAsyncDisposable
    {
        public string ConnectionString { get; } = new NpgsqlConnectionStringBuilder(admin) { Database = name }.ConnectionString;

        public async ValueTask DisposeAsync()
        {
            NpgsqlConnection.ClearAllPools();
            await using var c = new NpgsqlConnection(admin);
            await c.OpenAsync();
            await using var cmd = new NpgsqlCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE)", c);
            await cmd.ExecuteNonQueryAsync();
        }
    }

    public static ServiceOptions WithPostgres(ServiceOptions o, string connectionString) =>
        o with { Provider = PersistenceProvider.PostgreSql, ConnectionString = connectionString };
}
