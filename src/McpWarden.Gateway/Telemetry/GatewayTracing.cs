using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Text.Json.Nodes;
using McpWarden.Gateway.Audit;

namespace McpWarden.Gateway.Telemetry;

/// <summary>
/// One span per <c>tools/call</c>, on the activity source <c>McpWarden</c>, from its arrival to its end (refused, or
/// answered by the server): named and attributed per the OpenTelemetry conventions for MCP servers, plus the
/// gateway's decision. The span is never made the ambient activity, so nothing the gateway sends a server (an HTTP
/// request, say) carries trace context it did not already carry; the arguments are never recorded.
/// </summary>
public static class GatewayTracing
{
    public const string SourceName = "McpWarden";

    public const string MethodName = "mcp.method.name";
    public const string ToolName = "gen_ai.tool.name";
    public const string OperationName = "gen_ai.operation.name";
    public const string SessionId = "mcp.session.id";
    public const string RequestId = "jsonrpc.request.id";
    public const string ErrorType = "error.type";
    public const string Server = "mcpwarden.server";
    public const string Grant = "mcpwarden.grant";
    public const string Decision = "mcpwarden.decision";
    public const string ReasonCode = "mcpwarden.reason_code";
    public const string RulePath = "mcpwarden.rule_path";
    public const string Mode = "mcpwarden.mode";
    public const string Outcome = "mcpwarden.outcome";
    public const string ApprovalId = "mcpwarden.approval.id";

    /// <summary>W3C allows tracestate up to 512 characters; a longer one from a client is dropped, its traceparent kept.</summary>
    private const int MaxTraceState = 512;

    internal static ActivitySource Source { get; } = new(SourceName, typeof(GatewayTracing).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion);

    /// <summary>
    /// Starts the span of one call, or returns null when no one listens. Its parent is the trace context the client
    /// put in <c>params._meta</c> (<c>traceparent</c>, <c>tracestate</c>), as the MCP conventions say; otherwise it
    /// starts a trace. Whether it is recorded is the gateway's sampler's to say, not the client's.
    /// </summary>
    public static Activity? StartToolCall(string server, string session, string grant, object? requestId, JsonNode? parameters)
    {
        if (!Source.HasListeners())
        {
            return null;
        }

        var ambient = Activity.Current;
        Activity? activity;
        try
        {
            // A root unless the client says otherwise: the HTTP request that carried the message is another trace's business.
            Activity.Current = null;
            activity = Source.StartActivity("tools/call", ActivityKind.Server, ParentFrom(parameters));
        }
        finally
        {
            Activity.Current = ambient;
        }

        if (activity is null)
        {
            return null;
        }

        activity.SetTag(MethodName, "tools/call");
        activity.SetTag(OperationName, "execute_tool");

        activity.SetTag(SessionId, session);
        if (requestId is not null)
        {
            activity.SetTag(RequestId, Convert.ToString(requestId, CultureInfo.InvariantCulture));
        }

        activity.SetTag(Server, server);
        activity.SetTag(Grant, grant);
        return activity;
    }

    /// <summary>Records a decision (the last one stands: a held call is decided twice). A listed tool names the span, per the conventions' <c>{method} {tool}</c>.</summary>
    public static void Decided(Activity? activity, AuditRecord audited, bool listed)
    {
        ArgumentNullException.ThrowIfNull(audited);
        if (activity is null)
        {
            return;
        }

        // A name the server does not list is whatever the client sent: it names neither the span nor a tag.
        if (listed)
        {
            activity.DisplayName = "tools/call " + audited.Tool;
            activity.SetTag(ToolName, audited.Tool);
        }

        activity.SetTag(Decision, audited.Decision);
        activity.SetTag(ReasonCode, audited.Code);
        activity.SetTag(RulePath, audited.RulePath.Length == 0 ? null : audited.RulePath);
        activity.SetTag(Mode, audited.Mode);
        if (audited.ApprovalId is { } approval)
        {
            activity.SetTag(ApprovalId, approval);
        }
    }

    /// <summary>The call was held for a person: an event marks when the wait began.</summary>
    public static void Held(Activity? activity, string approvalId) =>
        activity?.AddEvent(new ActivityEvent("mcpwarden.approval.held", tags: new ActivityTagsCollection { [ApprovalId] = approvalId }));

    /// <summary>
    /// Ends the span: an error when the gateway refused the call (<paramref name="refusedWith"/>, its reason code) or
    /// the call did not end well at the server (any outcome but ok; a client's cancellation is not an error).
    /// </summary>
    public static void End(Activity? activity, string outcome, string? refusedWith)
    {
        if (activity is null)
        {
            return;
        }

        if (refusedWith is not null)
        {
            activity.SetTag(ErrorType, refusedWith);
            activity.SetStatus(ActivityStatusCode.Error, refusedWith);
        }
        else
        {
            // A call never decided (the server restarting, its tool list unreadable) has an outcome and no decision.
            activity.SetTag(Outcome, outcome);
            if (outcome is not (AuditOutcomes.Ok or AuditOutcomes.Cancelled))
            {
                activity.SetTag(ErrorType, outcome);
                activity.SetStatus(ActivityStatusCode.Error, outcome);
            }
        }

        // Stopping makes the span's parent (none) the ambient activity; whoever finishes the call keeps their own.
        var ambient = Activity.Current;
        activity.Stop();
        Activity.Current = ambient;
    }

    private static ActivityContext ParentFrom(JsonNode? parameters)
    {
        try
        {
            if (parameters is JsonObject body && body["_meta"] is JsonObject meta
                && meta["traceparent"] is JsonValue parentValue && parentValue.TryGetValue<string>(out var traceparent))
            {
                var tracestate = meta["tracestate"] is JsonValue stateValue && stateValue.TryGetValue<string>(out var state) && state.Length <= MaxTraceState ? state : null;
                return ActivityContext.TryParse(traceparent, tracestate, isRemote: true, out var context) ? context : default;
            }
        }
        catch (InvalidOperationException)
        {
            // Duplicate keys and the like: the client's context is unreadable, so the span starts a trace of its own.
        }

        return default;
    }
}
