using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Phyr.Host.Service;

/// <summary>
/// With an API token configured, every /api request (and the OpenAPI document) must carry
/// <c>Authorization: Bearer TOKEN</c>; anything else is 401. /healthz and the dashboard page stay open (the
/// page asks for the token and sends it with its own requests).
/// </summary>
public static class ApiToken
{
    public static Func<HttpContext, RequestDelegate, Task> Middleware(ServiceOptions options)
    {
        var expected = options.ApiToken is null ? null : Encoding.UTF8.GetBytes(options.ApiToken);
        return async (context, next) =>
        {
            var path = context.Request.Path;
            if (expected is not null && (path.StartsWithSegments("/api") || path.StartsWithSegments("/openapi.json")))
            {
                var header = context.Request.Headers.Authorization.ToString();
                var given = header.StartsWith("Bearer ", StringComparison.Ordinal) ? Encoding.UTF8.GetBytes(header["Bearer ".Length..].Trim()) : [];
                if (!CryptographicOperations.FixedTimeEquals(given, expected))
                {
                    context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                    context.Response.Headers.WWWAuthenticate = "Bearer";
                    await context.Response.WriteAsJsonAsync(new { error = "missing or wrong API token (Authorization: Bearer TOKEN)" });
                    return;
                }
            }
            await next(context);
        };
    }
}
