using Akka.Hosting;
using Akka.Persistence.Sql.Hosting;
using LinqToDB;
using Microsoft.Data.Sqlite;

namespace Phyr.Host.Service.Hosting;

/// <summary>The journal and snapshot store: Akka.Persistence.Sql on SQLite in the data directory (the default) or PostgreSQL.</summary>
public static class PersistenceSetup
{
    public static AkkaConfigurationBuilder WithPhyrPersistence(this AkkaConfigurationBuilder akka, ServiceOptions options)
    {
        var provider = options.Provider == PersistenceProvider.PostgreSql ? ProviderName.PostgreSQL15 : ProviderName.SQLiteMS;
        if (options.Provider == PersistenceProvider.Sqlite) CreateShrinking(options.EffectiveConnectionString);
        return akka.WithSqlPersistence(options.EffectiveConnectionString, provider, autoInitialize: true);
    }

    /// <summary>
    /// A new SQLite database is made with auto_vacuum = FULL, before any table: the pages the retention and the registry's
    /// trimming free go back to the file system instead of staying in the file. (An existing database keeps its mode.)
    /// </summary>
    private static void CreateShrinking(string connectionString)
    {
        var file = new SqliteConnectionStringBuilder(connectionString).DataSource;
        if (File.Exists(file) && new FileInfo(file).Length > 0) return;
        using (var c = new SqliteConnection(connectionString))
        {
            c.Open();
            using var cmd = c.CreateCommand();
            cmd.CommandText = "PRAGMA auto_vacuum = FULL; CREATE TABLE phyr_created (at TEXT); DROP TABLE phyr_created;";
            cmd.ExecuteNonQuery();
        }
        SqliteConnection.ClearAllPools();
    }
}
