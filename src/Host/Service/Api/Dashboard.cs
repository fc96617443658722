using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Phyr.Host.Service.Api;

/// <summary>The dashboard: one page (embedded in the executable) that drives the API from the browser.</summary>
public static class Dashboard
{
    public static void Map(WebApplication app)
    {
        var html = Read("wwwroot/index.html");
        app.MapGet("/", () => Results.Text(html, "text/html; charset=utf-8")).ExcludeFromDescription();
        app.MapGet("/favicon.ico", () => Results.NoContent()).ExcludeFromDescription();
    }

    private static string Read(string name)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(name)
                           ?? throw new InvalidOperationException($"the dashboard resource {name} is missing from the build");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
