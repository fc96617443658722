using Akka.Hosting;
using Microsoft.AspNetCore.Builder;
using Serilog;
using Phyr.Host.Service.Hosting;

namespace Phyr.Host.Service;

/// <summary>
/// `phyr serve`: ASP.NET Core hosting the actor system through Akka.Hosting, put together from one setup per feature
/// (Service/Hosting/): logging, the points' dispatcher, serialization, persistence (SQLite in the data directory, or
/// PostgreSQL), and in a cluster clustering, sharding and the API-address service; the registry; the HTTP API and
/// the dashboard.
/// </summary>
public static class ServiceHost
{
    public static WebApplication Build(ServiceOptions options, string[]? args = null)
    {
        Directory.CreateDirectory(options.DataDir);
        var logger = LoggingSetup.CreateLogger(options);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = args ?? [], ContentRootPath = options.DataDir });
        builder.Host.UseSerilog(logger, dispose: false);
        builder.WithPhyrWeb(options);
        builder.Services.AddAkka(ServiceOptions.SystemName, (akka, _) => akka
            .WithPhyrLogging()
            .WithSimulationDispatcher(options)
            .WithPhyrSerialization()
            .WithPhyrPersistence(options)
            .WithPhyrCluster(options)
            .WithPhyrSharding(options)
            .WithPhyrRegistry(options)
            .WithPhyrApiAddress(options));
        return builder.Build().MapPhyr(options);
    }
}
