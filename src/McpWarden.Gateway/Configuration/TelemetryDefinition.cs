namespace McpWarden.Gateway.Configuration;

/// <summary>The <c>telemetry</c> section: OTLP export, the service name it reports, and who may read <c>/metrics</c>.</summary>
/// <param name="ServiceName">The <c>service.name</c> exported; null for <c>OTEL_SERVICE_NAME</c> or <c>mcpwarden</c>.</param>
/// <param name="Otlp">The collector to export to; null for the standard <c>OTEL_EXPORTER_OTLP_*</c> variables, or no export.</param>
/// <param name="MetricsTokenSha256">The SHA-256 of the bearer token <c>/metrics</c> requires, when one is configured.</param>
public sealed record TelemetryDefinition(string? ServiceName, OtlpDefinition? Otlp, byte[]? MetricsTokenSha256)
{
    /// <summary>No <c>telemetry</c> section.</summary>
    public static TelemetryDefinition None { get; } = new(null, null, null);

    /// <summary>Whether the export is the same (what a reload cannot change without a restart); the metrics token is read afresh per request.</summary>
    public bool SameExport(TelemetryDefinition other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return string.Equals(ServiceName, other.ServiceName, StringComparison.Ordinal)
            && (Otlp is null ? other.Otlp is null : Otlp.SameAs(other.Otlp));
    }
}
