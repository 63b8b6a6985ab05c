using System.Text;
using McpWarden.Gateway.Fronts.Http;
using McpWarden.Gateway.Telemetry;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace McpWarden.Http;

/// <summary>
/// <c>GET /metrics</c>: the gateway's instruments as Prometheus text (format 0.0.4), for a scraper. Rendering reads
/// counters without stopping the calls that update them, and scrapes are served one at a time.
/// </summary>
internal static class MetricsEndpoint
{
    public static void Map(WebApplication app, PrometheusMetrics metrics, MetricsAccess access) =>
        app.MapGet("/metrics", context => ServeAsync(context, metrics, access));

    private static async Task ServeAsync(HttpContext context, PrometheusMetrics metrics, MetricsAccess access)
    {
        var request = context.Request;
        if (access.Refusal(request.Headers.Host, request.Headers.Origin, request.Headers.Authorization.ToString()) is var (status, reason))
        {
            context.Response.StatusCode = status;
            if (status == StatusCodes.Status401Unauthorized)
            {
                context.Response.Headers.WWWAuthenticate = "Bearer";
            }

            await context.Response.WriteAsync(reason, context.RequestAborted).ConfigureAwait(false);
            return;
        }

        var text = Encoding.UTF8.GetBytes(metrics.Render());
        context.Response.ContentType = PrometheusMetrics.ContentType;
        context.Response.Headers.CacheControl = "no-store";
        context.Response.ContentLength = text.Length;
        await context.Response.Body.WriteAsync(text, context.RequestAborted).ConfigureAwait(false);
    }
}
