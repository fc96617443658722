using System.Net;
using System.Security.Cryptography;
using System.Text;
using Akka.Actor;
using Microsoft.AspNetCore.Http;

namespace Phyr.Host.Service.Api;

/// <summary>
/// What every request passes before an endpoint sees it:
/// <list type="bullet">
/// <item>on a loopback-only host, the Host header must name loopback (a page whose DNS name was rebound to
/// 127.0.0.1 gets 400, not the API);</item>
/// <item>a request that changes something (POST) from a browser page of another origin is refused (403), so
/// another site cannot submit or cancel;</item>
/// <item>a browser's request that changes something and says it comes from another site (<c>Sec-Fetch-Site:
/// cross-site</c> or <c>same-site</c>) is refused (403) even without an Origin header;</item>
/// <item>with an API token, /api and the OpenAPI document need <c>Authorization: Bearer TOKEN</c> (the scheme in any
/// case, constant-time compare), else 401; /healthz and the dashboard page stay open (the page asks for the token);</item>
/// <item>every response says it may not be framed by another page (<c>Content-Security-Policy: frame-ancestors 'none'</c>,
/// <c>X-Frame-Options: DENY</c>: the dashboard has cancel buttons) nor sniffed as another type (<c>nosniff</c>);</item>
/// <item>a registry that does not answer is 503, an experiment that can no longer be built from what was stored
/// is 409 — not 500s.</item>
/// </list>
/// </summary>
public static class RequestGuard
{
    public static Func<HttpContext, RequestDelegate, Task> Middleware(ServiceOptions options)
    {
        var expected = options.ApiToken is null ? null : Encoding.UTF8.GetBytes(options.ApiToken);
        return async (context, next) =>
        {
            var request = context.Request;
            var headers = context.Response.Headers;
            headers.XFrameOptions = "DENY";
            headers.ContentSecurityPolicy = "frame-ancestors 'none'";
            headers.XContentTypeOptions = "nosniff";
            if (options.LoopbackOnly && !IsLoopbackHost(request.Host.Host))
            {
                await Refuse(context, StatusCodes.Status400BadRequest, $"this host answers only to loopback names, not '{request.Host.Host}'");
                return;
            }
            if (!HttpMethods.IsGet(request.Method) && !HttpMethods.IsHead(request.Method) &&
                request.Headers.Origin.ToString() is { Length: > 0 } origin &&
                !(Uri.TryCreate(origin, UriKind.Absolute, out var o) && string.Equals(o.Authority, request.Host.Value, StringComparison.OrdinalIgnoreCase)))
            {
                await Refuse(context, StatusCodes.Status403Forbidden, $"a request from {origin} may not change this host");
                return;
            }
            if (!HttpMethods.IsGet(request.Method) && !HttpMethods.IsHead(request.Method) &&
                request.Headers["Sec-Fetch-Site"].ToString() is "cross-site" or "same-site")
            {
                await Refuse(context, StatusCodes.Status403Forbidden, "a request from another site may not change this host");
                return;
            }
            var path = request.Path;
            if (expected is not null && (path.StartsWithSegments("/api") || path.StartsWithSegments("/openapi.json")))
            {
                var header = request.Headers.Authorization.ToString();
                var given = header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? Encoding.UTF8.GetBytes(header["Bearer ".Length..].Trim()) : [];
                if (!CryptographicOperations.FixedTimeEquals(given, expected))
                {
                    context.Response.Headers.WWWAuthenticate = "Bearer";
                    await Refuse(context, StatusCodes.Status401Unauthorized, "missing or wrong API token (Authorization: Bearer TOKEN)");
                    return;
                }
            }
            try
            {
                await next(context);
            }
            catch (AskTimeoutException) when (!context.Response.HasStarted)
            {
                await Refuse(context, StatusCodes.Status503ServiceUnavailable, "the registry does not answer (is the database reachable?)");
            }
            catch (SubmissionException e) when (!context.Response.HasStarted)
            {
                await Refuse(context, StatusCodes.Status409Conflict, $"the experiment can no longer be built from what was submitted: {e.Problem}");
            }
        };
    }

    private static bool IsLoopbackHost(string host) =>
        host.Equals("localhost", StringComparison.OrdinalIgnoreCase) || (IPAddress.TryParse(host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));

    private static Task Refuse(HttpContext context, int status, string error)
    {
        context.Response.StatusCode = status;
        return context.Response.WriteAsJsonAsync(new { error });
    }
}
