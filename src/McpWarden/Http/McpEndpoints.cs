using System.Globalization;
using System.Text.Json.Nodes;
using McpWarden.Gateway.Configuration;
using McpWarden.Gateway.Fronts.Http;
using McpWarden.Gateway.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace McpWarden.Http;

/// <summary>The gateway's HTTP surface: MCP per server, MCP for all servers, and health.</summary>
internal static class McpEndpoints
{
    /// <summary>The target of sessions on the aggregated <c>/mcp</c> endpoint (no server is named <c>*</c>).</summary>
    public const string AggregateTarget = "*";

    public static void Map(WebApplication app, McpHttpHandler handler, LiveConfiguration configuration, HttpSessionRegistry registry, OriginCheck origins, GatewayStores stores)
    {
        app.MapPost("/mcp/{server}", handler.PostAsync);
        app.MapGet("/mcp/{server}", handler.GetAsync);
        app.MapDelete("/mcp/{server}", handler.DeleteAsync);
        app.MapPost("/mcp", handler.PostAsync);
        app.MapGet("/mcp", handler.GetAsync);
        app.MapDelete("/mcp", handler.DeleteAsync);
        app.MapGet("/healthz", context => HealthAsync(context, configuration, registry, origins, stores));
    }

    /// <summary>
    /// 200 while the gateway serves, with each server's transport, open sessions and policy revision, and under
    /// <c>config</c> what is in force and how the last reload went (a refused one still serves, on the last good configuration),
    /// and under <c>store</c> whether the store answers. An unreachable shared store leaves the status 200: the gateway
    /// still answers every request (refusing what needs the store), and a load balancer taking every replica out
    /// would turn a Redis outage into a full one.
    /// </summary>
    private static Task HealthAsync(HttpContext context, LiveConfiguration live, HttpSessionRegistry registry, OriginCheck origins, GatewayStores stores)
    {
        // It names the servers: a page reaching the gateway through a rebound name must not read it.
        if (origins.Refusal(context.Request.Headers.Host, context.Request.Headers.Origin) is { } refusal)
        {
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            return context.Response.WriteAsync(refusal, context.RequestAborted);
        }

        var configuration = live.Current;
        var status = live.Status;
        var sessions = registry.CountByTarget();
        var servers = new JsonObject();
        foreach (var server in configuration.Servers)
        {
            var policy = status.Servers.FirstOrDefault(p => p.Name == server.Name);
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
                ["policyRevision"] = server.Policy.Revision,
                ["policySince"] = policy?.Since.ToString("O", CultureInfo.InvariantCulture),
            };
        }

        var body = new JsonObject
        {
            ["status"] = "serving",
            ["sessions"] = registry.Count,
            ["servers"] = servers,
            ["config"] = ConfigSection(status, withMessages: false),
            ["store"] = new JsonObject { ["kind"] = stores.Kind, ["reachable"] = stores.IsReachable() },
        };
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(body.ToJsonString(), context.RequestAborted);
    }

    /// <summary>
    /// The configuration in force and the last load: <c>status</c> is <c>ok</c> or <c>refused</c>, with that load's
    /// diagnostics. Their messages quote values after <c>${VAR}</c> expansion, which may be secrets: only the admin
    /// API (<paramref name="withMessages"/>) shows them; <c>/healthz</c> names the code and where.
    /// </summary>
    internal static JsonObject ConfigSection(ConfigurationStatus status, bool withMessages)
    {
        var diagnostics = new JsonArray();
        foreach (var diagnostic in status.Diagnostics)
        {
            diagnostics.Add(new JsonObject
            {
                ["code"] = diagnostic.Code,
                ["severity"] = diagnostic.IsError ? "error" : "warning",
                ["source"] = diagnostic.Source,
                ["path"] = diagnostic.Path,
                ["line"] = diagnostic.Position.Line,
                ["column"] = diagnostic.Position.Column,
            });
            if (withMessages)
            {
                diagnostics[^1]!["message"] = diagnostic.Message;
                diagnostics[^1]!["text"] = diagnostic.ToString();
            }
        }

        return new JsonObject
        {
            ["status"] = status.Refused ? "refused" : "ok",
            ["revision"] = status.Revision,
            ["loadedAt"] = status.LoadedAt.ToString("O", CultureInfo.InvariantCulture),
            ["checkedAt"] = status.CheckedAt.ToString("O", CultureInfo.InvariantCulture),
            ["diagnostics"] = diagnostics,
            ["notApplied"] = new JsonArray([.. status.NotApplied.Select(name => (JsonNode)name)]),
        };
    }
}
