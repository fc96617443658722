using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Phyr.Host.Service.Api;

namespace Phyr.Host.Service.Hosting;

/// <summary>The HTTP side: Kestrel on the configured addresses, the services the endpoints use, and the endpoints behind the request guard.</summary>
public static class WebSetup
{
    public static WebApplicationBuilder WithPhyrWeb(this WebApplicationBuilder builder, ServiceOptions options)
    {
        builder.WebHost.UseUrls(options.Urls);
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = options.MaxRequestBytes);
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(new ExperimentCatalog(options));
        builder.Services.AddSingleton<ResultFiles>();
        builder.Services.AddOpenApi();
        builder.Services.ConfigureHttpJsonOptions(j =>
        {
            j.SerializerOptions.PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.SnakeCaseLower;
            j.SerializerOptions.WriteIndented = true;
        });
        return builder;
    }

    /// <summary>The request guard (token, Host and Origin checks), then the API, the cluster API, the dashboard and /openapi.json.</summary>
    public static WebApplication MapPhyr(this WebApplication app, ServiceOptions options)
    {
        app.Use(RequestGuard.Middleware(options));
        app.MapOpenApi("/openapi.json");
        ServeApi.Map(app);
        ClusterApi.Map(app);
        Dashboard.Map(app);
        return app;
    }
}
