using Akka.Hosting;
using Akka.Persistence.Sql.Hosting;
using LinqToDB;

namespace Phyr.Host.Service.Hosting;

/// <summary>The journal and snapshot store: Akka.Persistence.Sql on SQLite in the data directory (the default) or PostgreSQL.</summary>
public static class PersistenceSetup
{
    public static AkkaConfigurationBuilder WithPhyrPersistence(this AkkaConfigurationBuilder akka, ServiceOptions options)
    {
        var provider = options.Provider == PersistenceProvider.PostgreSql ? ProviderName.PostgreSQL15 : ProviderName.SQLiteMS;
        return akka.WithSqlPersistence(options.EffectiveConnectionString, provider, autoInitialize: true);
    }
}
