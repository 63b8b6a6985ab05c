using System.Diagnostics.Metrics;

namespace McpWarden.Gateway.Telemetry;

/// <summary>The gateway's own instruments, on the meter <c>McpWarden</c>; exporters listen to it by name.</summary>
public static class GatewayMetrics
{
    public const string MeterName = "McpWarden";

    private static readonly Meter Meter = new(MeterName);

    /// <summary>Audit records that could not be written (each one a refused call, or an answer left unrecorded).</summary>
    public static Counter<long> AuditFailures { get; } = Meter.CreateCounter<long>("mcpwarden.audit.failures", description: "Audit records that could not be written");

    /// <summary>Calls let through with their limits unchecked because the store could not be reached and is configured to fail open.</summary>
    public static Counter<long> StoreFailOpen { get; } = Meter.CreateCounter<long>("mcpwarden.store.fail_open", unit: "{call}", description: "Calls let through with their limits unchecked: the store was unreachable and is configured failOpen");

    /// <summary>Decisions by outcome and reason code.</summary>
    public static Counter<long> Decisions { get; } = Meter.CreateCounter<long>("mcpwarden.decisions", description: "Tool-call decisions, by decision and code");
}
