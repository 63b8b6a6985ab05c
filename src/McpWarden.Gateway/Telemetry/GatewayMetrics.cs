using System.Diagnostics.Metrics;
using System.Reflection;
using McpWarden.Gateway.Limits;
using McpWarden.Gateway.Storage;

namespace McpWarden.Gateway.Telemetry;

/// <summary>
/// The gateway's own instruments, on the meter <c>McpWarden</c>; <c>/metrics</c> and the OTLP exporter listen to it by
/// name. Every one is documented in docs/observability.md: a change here is a change there. Labels are bounded: a
/// tool is named only when its server lists it, and nothing a client chooses freely (arguments, session ids, keys) is a label.
/// </summary>
public static class GatewayMetrics
{
    public const string MeterName = "McpWarden";

    /// <summary>The <c>tool</c> label of a call to a name its server does not list: clients can send any name, so it is never a label.</summary>
    public const string UnlistedTool = "(unlisted)";

    /// <summary>An admitted call that leaves its fullest limit at this share of its max or more counts on <see cref="LimitNearMax"/>.</summary>
    public const double NearMaxShare = 0.8;

    /// <summary>The parts of the store whose failures <see cref="StoreErrors"/> counts.</summary>
    public static class StoreParts
    {
        public const string Counters = "counters";
        public const string Approvals = "approvals";
        public const string Pins = "pins";
        public const string Audit = "audit";
    }

    // Seconds. Deciding is in-process work plus, with limits, one store round trip: from 0.1 ms to a slow shared store.
    private static readonly double[] EvaluationBuckets = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

    // Seconds: the boundaries the OpenTelemetry MCP conventions give for operation durations.
    private static readonly double[] UpstreamBuckets = [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 30, 60, 120, 300];

    // Shares of a limit's max: fine-grained near the top, where an alert would look.
    private static readonly double[] ShareBuckets = [0.1, 0.25, 0.5, 0.75, 0.8, 0.9, 0.95, 1];

    private static readonly Meter Meter = new(MeterName, typeof(GatewayMetrics).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion);

    /// <summary>Audit records that could not be written (each one a refused call, or an answer left unrecorded).</summary>
    public static Counter<long> AuditFailures { get; } = Meter.CreateCounter<long>(
        "mcpwarden.audit.failures", "{record}", "Audit records that could not be written");

    /// <summary>Every decision the audit records, by server, tool, decision (allow, deny, hold), reason code and mode.</summary>
    public static Counter<long> Decisions { get; } = Meter.CreateCounter<long>(
        "mcpwarden.decisions", "{decision}", "Tool-call decisions, by server, tool, decision, reason code and mode");

    /// <summary>How long deciding a call took (policy and limits; never a wait for a person), by server.</summary>
    public static Histogram<double> EvaluationDuration { get; } = Meter.CreateHistogram(
        "mcpwarden.evaluation.duration", "s", "Time to decide a tool call (policy and limits, not a wait for a person)", tags: null,
        new InstrumentAdvice<double> { HistogramBucketBoundaries = EvaluationBuckets });

    /// <summary>How long a forwarded call took at its server, from forwarding to its answer, by server and outcome.</summary>
    public static Histogram<double> UpstreamDuration { get; } = Meter.CreateHistogram(
        "mcpwarden.upstream.duration", "s", "Time from forwarding a tool call to its end (answer, error, timeout, cancellation), by server and outcome", tags: null,
        new InstrumentAdvice<double> { HistogramBucketBoundaries = UpstreamBuckets });

    /// <summary>For each admitted call with limits: the share of its fullest limit's max in use, this call counted.</summary>
    public static Histogram<double> LimitUsage { get; } = Meter.CreateHistogram(
        "mcpwarden.limit.usage", "1", "Share of the max in use of an admitted call's fullest limit, the call counted, by server, counter and scope", tags: null,
        new InstrumentAdvice<double> { HistogramBucketBoundaries = ShareBuckets });

    /// <summary>Admitted calls that left their fullest limit at 80 % of its max or more: a budget about to run out.</summary>
    public static Counter<long> LimitNearMax { get; } = Meter.CreateCounter<long>(
        "mcpwarden.limit.near_max", "{call}", "Admitted calls that left a limit at 80% of its max or more, by server, counter and scope");

    /// <summary>Calls this process holds now, waiting for a person.</summary>
    public static UpDownCounter<long> ApprovalsPending { get; } = Meter.CreateUpDownCounter<long>(
        "mcpwarden.approvals.pending", "{call}", "Calls held by this gateway process now, waiting for a person, by server");

    /// <summary>Attempts to bring back a server connection that ended, by server and outcome (ok, failed, gave_up).</summary>
    public static Counter<long> UpstreamRestarts { get; } = Meter.CreateCounter<long>(
        "mcpwarden.upstream.restarts", "{restart}", "Attempts to restart a server connection that ended, by server and outcome (ok, failed, gave_up)");

    /// <summary>Store operations that failed where the gateway caught them, by part of the store and error type.</summary>
    public static Counter<long> StoreErrors { get; } = Meter.CreateCounter<long>(
        "mcpwarden.store.errors", "{error}", "Store operations that failed, by part (counters, approvals, pins, audit) and error type");

    /// <summary>Calls let through with their limits unchecked because the store was unavailable and configured to fail open.</summary>
    public static Counter<long> StoreFailOpen { get; } = Meter.CreateCounter<long>(
        "mcpwarden.store.fail_open", "{call}", "Calls let through with their limits unchecked because the store was unavailable (failOpen), by server");

    /// <summary>
    /// Creates every instrument now (otherwise the first call creates them), so that a scrape or an export lists them
    /// all from the start, an alert on a counter that is still zero included.
    /// </summary>
    public static void CreateInstruments() => GC.KeepAlive(Decisions);

    /// <summary>The <c>tool</c> label for a call: its name when its server lists it, else <see cref="UnlistedTool"/>.</summary>
    public static string ToolLabel(string tool, bool listed) => listed ? tool : UnlistedTool;

    public static void RecordDecision(string server, string toolLabel, string decision, string code, string mode) =>
        Decisions.Add(1, [new("server", server), new("tool", toolLabel), new("decision", decision), new("code", code), new("mode", mode)]);

    /// <summary>An admitted call's fullest limit: its share, and whether it is near the max.</summary>
    public static void RecordLimitUsage(string server, LimitUsage fullest)
    {
        var limit = fullest.Limit.Limit;
        var scope = ScopeName(limit.Scope);
        var share = fullest.Share;
        LimitUsage.Record(share, new("server", server), new("counter", limit.Counter), new("scope", scope));
        if (share >= NearMaxShare)
        {
            LimitNearMax.Add(1, new("server", server), new("counter", limit.Counter), new("scope", scope));
        }
    }

    /// <summary>A store failure the gateway caught: <c>store_unavailable</c> when its service could not be reached, else the exception's type.</summary>
    public static void RecordStoreError(string part, Exception error)
    {
        ArgumentNullException.ThrowIfNull(error);
        StoreErrors.Add(1, new("part", part), new("error.type", error is StoreUnavailableException ? "store_unavailable" : error.GetType().Name));
    }

    /// <summary>A call let through unchecked under <c>failOpen</c>.</summary>
    public static void RecordFailOpen(string server) => StoreFailOpen.Add(1, new KeyValuePair<string, object?>("server", server));

    private static string ScopeName(Policy.Definitions.LimitScope scope) => scope switch
    {
        Policy.Definitions.LimitScope.Global => "global",
        Policy.Definitions.LimitScope.Grant => "grant",
        Policy.Definitions.LimitScope.Session => "session",
        _ => scope.ToString().ToLowerInvariant(),
    };
}
