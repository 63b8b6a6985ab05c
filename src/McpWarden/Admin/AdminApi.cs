using System.Text.Json;
using System.Text.Json.Nodes;
using McpWarden.Gateway.Approvals;
using McpWarden.Gateway.Audit;
using McpWarden.Gateway.Configuration;
using McpWarden.Gateway.Inventory;
using McpWarden.Gateway.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using static McpWarden.Admin.AdminAnswers;

namespace McpWarden.Admin;

/// <summary>
/// The admin API under <c>/api</c>: held calls and their decisions, the audit log, the policies in force and
/// the grants (never their keys). Every request passes the Host/Origin check, then the admin token or a web UI session (<see cref="AdminAccess"/>).
/// Answers are JSON; a refusal is <c>{"error": "..."}</c> with a status that says what kind.
/// </summary>
internal sealed class AdminApi
{
    /// <summary>The largest body a decision may carry.</summary>
    private const int MaxBodyBytes = 16 * 1024;

    private const int MaxReasonLength = 1000;

    private readonly GatewayStores _stores;
    private readonly LiveConfiguration _live;
    private readonly AdminAccess _access;
    private readonly TimeProvider _time;
    private readonly InventoryProbeCache _probes;
    private readonly PinEndpoints? _pins;
    private readonly PolicyEndpoints _policies;

    /// <param name="vetting">The gateway's tool vetting: with it, the pin endpoints are served.</param>
    /// <param name="reload">Reloads the configuration now and says what became of it: with it, policies can be saved.</param>
    public AdminApi(GatewayStores stores, LiveConfiguration live, AdminAccess access, TimeProvider time, InventoryService inventory, Gateway.Enforcement.ToolVetting? vetting = null, Func<Task<Reload.ReloadOutcome>>? reload = null)
    {
        ArgumentNullException.ThrowIfNull(inventory);
        _probes = new InventoryProbeCache(inventory.ProbeAsync, time);
        _pins = vetting is null ? null : new PinEndpoints(vetting, live);
        _policies = new PolicyEndpoints(live, _probes, reload);
        _stores = stores;
        _live = live;
        _access = access;
        _time = time;
    }

    public void Map(WebApplication app)
    {
        var api = app.MapGroup("/api");
        api.AddEndpointFilter((context, next) => Refusal(context.HttpContext) is { } refused ? ValueTask.FromResult<object?>(refused) : next(context));
        api.MapGet("/approvals", (Func<HttpContext, Task<IResult>>)ListApprovalsAsync);
        api.MapGet("/approvals/{id}", (HttpContext context, string id) => GetApprovalAsync(context, id));
        api.MapPost("/approvals/{id}/approve", (HttpContext context, string id) => DecideAsync(context, id, approve: true));
        api.MapPost("/approvals/{id}/deny", (HttpContext context, string id) => DecideAsync(context, id, approve: false));
        api.MapGet("/audit", (Func<HttpContext, Task<IResult>>)QueryAuditAsync);
        api.MapGet("/policies", () => ListPolicies());
        api.MapGet("/grants", () => ListGrants());
        _pins?.Map(api);
        new CounterEndpoints(_stores.Counters, _live, _time).Map(api);
        new AuditRecordEndpoints(_stores.Audit).Map(api);
        _policies.Map(api);
        MapInventory(api);
    }

    /// <summary>The Host/Origin check, then the admin token or a web UI session; null when the request may go on.</summary>
    private IResult? Refusal(HttpContext context)
    {
        if (_access.Refusal(context) is not { } refused)
        {
            return null;
        }

        if (refused.Status == StatusCodes.Status401Unauthorized)
        {
            context.Response.Headers.WWWAuthenticate = "Bearer";
        }

        return Error(refused.Status, refused.Reason);
    }

    private async Task<IResult> ListApprovalsAsync(HttpContext context)
    {
        var stateText = context.Request.Query["state"].ToString();
        ApprovalState state = ApprovalState.Pending;
        if (stateText.Length > 0 && !ApprovalStateNames.TryParse(stateText, out state))
        {
            return Error(StatusCodes.Status400BadRequest, $"state must be one of pending, approved, denied, timed_out, abandoned, used; got {JsonSerializer.Serialize(stateText)}");
        }

        var approvals = await _stores.Approvals.ListAsync(state, context.RequestAborted).ConfigureAwait(false);
        return Json(new JsonArray([.. approvals.Select(a => (JsonNode)ApprovalJson.ToJson(a))]));
    }

    private async Task<IResult> GetApprovalAsync(HttpContext context, string id) =>
        await _stores.Approvals.GetAsync(id, context.RequestAborted).ConfigureAwait(false) is { } approval
            ? Json(ApprovalJson.ToJson(approval))
            : Error(StatusCodes.Status404NotFound, $"no approval has the id {JsonSerializer.Serialize(id)}");

    private async Task<IResult> DecideAsync(HttpContext context, string id, bool approve)
    {
        var (reason, problem) = await ReadReasonAsync(context.Request, context.RequestAborted).ConfigureAwait(false);
        if (problem is not null)
        {
            return Error(StatusCodes.Status400BadRequest, problem);
        }

        var result = await _stores.Approvals.DecideAsync(id, approve, reason, "admin", context.RequestAborted).ConfigureAwait(false);
        var approval = await _stores.Approvals.GetAsync(id, context.RequestAborted).ConfigureAwait(false);
        return result switch
        {
            ApprovalDecisionResult.Decided => Json(ApprovalJson.ToJson(approval!)),
            ApprovalDecisionResult.NotFound => Error(StatusCodes.Status404NotFound, $"no approval has the id {JsonSerializer.Serialize(id)}"),
            _ => Error(StatusCodes.Status409Conflict, $"approval {id} is {ApprovalStateNames.Text(approval!.State)}, not pending: it can no longer be decided"),
        };
    }

    /// <summary>The optional body <c>{"reason": "..."}</c>, read strictly: anything else in it is an error.</summary>
    private static async Task<(string? Reason, string? Problem)> ReadReasonAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength is 0 || (request.ContentLength is null && !request.Headers.ContainsKey("Transfer-Encoding")))
        {
            return (null, null);
        }

        if (await ReadBodyAsync(request, MaxBodyBytes, cancellationToken).ConfigureAwait(false) is not { } buffer)
        {
            return (null, $"the body is larger than {MaxBodyBytes} bytes");
        }

        if (buffer.Length == 0)
        {
            return (null, null);
        }

        try
        {
            if (JsonNode.Parse(buffer) is not JsonObject body)
            {
                return (null, "the body must be a JSON object such as {\"reason\": \"...\"}");
            }

            string? reason = null;
            foreach (var (name, value) in body)
            {
                if (name != "reason")
                {
                    return (null, $"unknown field {JsonSerializer.Serialize(name)}: the body may carry only \"reason\"");
                }

                if (value is not JsonValue text || !text.TryGetValue(out reason) || reason.Length > MaxReasonLength)
                {
                    return (null, $"\"reason\" must be a string of at most {MaxReasonLength} characters");
                }
            }

            return (reason, null);
        }
        catch (JsonException e)
        {
            return (null, $"the body is not valid JSON: {e.Message}");
        }
        catch (ArgumentException e)
        {
            // JsonObject refuses a key given twice.
            return (null, $"the body is not acceptable JSON: {e.Message}");
        }
    }

    private async Task<IResult> QueryAuditAsync(HttpContext context)
    {
        var parsed = AuditQueryParser.Parse(name => context.Request.Query[name].ToString() is { Length: > 0 } value ? value : null, _time.GetUtcNow());
        if (parsed.Query is not { } query)
        {
            return Error(StatusCodes.Status400BadRequest, parsed.Problem!);
        }

        var records = await _stores.Audit.QueryAsync(query, context.RequestAborted).ConfigureAwait(false);
        return Json(new JsonArray([.. records.Select(r => (JsonNode)AuditJson.ToJson(r))]));
    }

    /// <summary>The policies in force, per server, and how the last load of the configuration went.</summary>
    private IResult ListPolicies()
    {
        var status = _live.Status;
        var byName = _live.Current.Servers.ToDictionary(s => s.Name, StringComparer.Ordinal);
        return Json(new JsonObject
        {
            ["config"] = Http.McpEndpoints.ConfigSection(status, withMessages: true),
            ["servers"] = new JsonArray([.. status.Servers.Select(s => (JsonNode)new JsonObject
            {
                ["server"] = s.Name,
                ["source"] = s.PolicySource,
                ["revision"] = s.PolicyRevision,
                ["since"] = s.Since.ToUniversalTime().ToString("O", System.Globalization.CultureInfo.InvariantCulture),
                ["mode"] = s.Mode == EnforcementMode.Observe ? "observe" : "enforce",
                ["default"] = byName.TryGetValue(s.Name, out var server) ? server.Policy.Default.Action.ToString().ToLowerInvariant() : null,
                ["rules"] = server?.Policy.Rules.Count,
            })]),
        });
    }

    private IResult ListGrants() =>
        Json(new JsonArray([.. _live.Current.Grants.Select(g => (JsonNode)new JsonObject
        {
            ["name"] = g.Name,
            ["servers"] = g.Servers is { } servers ? new JsonArray([.. servers.Select(s => (JsonNode)s)]) : null,
        })]));

    // ---- The catalogue: GET /api/inventory[?server=NAME] ----

    private void MapInventory(RouteGroupBuilder api) => api.MapGet("/inventory", (Func<HttpContext, Task<IResult>>)InventoryAsync);

    /// <summary>
    /// Every tool of every configured server (or one), as <c>mcpwarden inventory --json</c> prints it, from the
    /// configuration in force and this gateway's pins, plus each server's <c>probedAt</c>. A server's probe is kept
    /// for a short time (<see cref="InventoryProbeCache"/>); <c>?refresh=true</c> asks every server again. Pins are
    /// always read afresh.
    /// </summary>
    private async Task<IResult> InventoryAsync(HttpContext context)
    {
        var configuration = _live.Current;
        var wanted = context.Request.Query["server"].ToString();
        IReadOnlyList<ServerDefinition> servers = configuration.Servers;
        if (wanted.Length > 0)
        {
            if (configuration.Servers.FirstOrDefault(s => s.Name == wanted) is not { } server)
            {
                return Error(StatusCodes.Status404NotFound, $"no server is named {JsonSerializer.Serialize(wanted)}");
            }

            servers = [server];
        }

        var refreshText = context.Request.Query["refresh"].ToString();
        if (refreshText is not ("" or "true" or "false"))
        {
            return Error(StatusCodes.Status400BadRequest, $"refresh must be true or false; got {JsonSerializer.Serialize(refreshText)}");
        }

        // Every server is probed even for ?server=: the scan checks each one's strings against the others' tool names.
        var probes = await _probes.GetAsync(configuration.Servers, refreshText == "true", context.RequestAborted).ConfigureAwait(false);
        var report = await InventoryService.AssembleAsync(servers, configuration.Servers, [.. probes.Select(p => p.Probe)], _stores.Pins, context.RequestAborted).ConfigureAwait(false);
        var json = InventoryJson.ToJson(report);
        var probedAt = probes.ToDictionary(p => p.Probe.Server, p => p.ProbedAt, StringComparer.Ordinal);
        foreach (var server in json["servers"]!.AsArray())
        {
            server!["probedAt"] = probedAt[server["server"]!.GetValue<string>()].ToUniversalTime().ToString("O", System.Globalization.CultureInfo.InvariantCulture);
        }

        return Json(json);
    }
}
