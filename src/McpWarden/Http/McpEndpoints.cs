using System.Text.Json.Nodes;
using McpWarden.Gateway.Configuration;
using McpWarden.Gateway.Fronts.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace McpWarden.Http;

/// <summary>The gateway's HTTP surface: MCP per server, MCP for all servers, and health.</summary>
internal static class McpEndpoints
{
    /// <summary>The target of sessions on the aggregated <c>/mcp</c> endpoint (no server is named <c>*</c>).</summary>
    public const string AggregateTarget = "*";

    public static void Map(WebApplication app, McpHttpHandler handler, GatewayConfiguration configuration, HttpSessionRegistry registry, OriginCheck origins)
    {
        app.MapPost("/mcp/{server}", handler.PostAsync);
        app.MapGet("/mcp/{server}", handler.GetAsync);
        app.MapDelete("/mcp/{server}", handler.DeleteAsync);
        app.MapPost("/mcp", handler.PostAsync);
        app.MapGet("/mcp", handler.GetAsync);
        app.MapDelete("/mcp", handler.DeleteAsync);
        app.MapGet("/healthz", context => HealthAsync(context, configuration, registry, origins));
    }

    /// <summary>200 while the gateway serves, with each server's transport and open sessions.</summary>
    private static Task HealthAsync(HttpContext context, GatewayConfiguration configuration, HttpSessionRegistry registry, OriginCheck origins)
    {
        // It names the servers: a page reaching the gateway through a rebound name must not read it.
        if (origins.Refusal(context.Request.Headers.Host, context.Request.Headers.Origin) is { } refusal)
        {
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            return context.Response.WriteAsync(refusal, context.RequestAborted);
        }

        var sessions = registry.CountByTarget();
        var servers = new JsonObject();
        foreach (var server in configuration.Servers)
        {
            servers[server.Name] = new JsonObject
            {
                ["transport"] = server.Upstream switch
                {
                    StdioUpstreamDefinition => "stdio",
                    HttpUpstreamDefinition { Kind: HttpUpstreamKind.StreamableHttp } => "http",
                    HttpUpstreamDefinition { Kind: HttpUpstreamKind.Sse } => "sse",
                    _ => "http-or-sse",
                },
                ["mode"] = server.Mode == EnforcementMode.Observe ? "observe" : "enforce",
                ["sessions"] = sessions.GetValueOrDefault(server.Name),
            };
        }

        var body = new JsonObject
        {
            ["status"] = "serving",
            ["sessions"] = registry.Count,
            ["servers"] = servers,
        };
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(body.ToJsonString(), context.RequestAborted);
    }
}
