namespace McpWarden.Gateway.Configuration;

/// <summary>Where traces and metrics are exported over OTLP.</summary>
/// <param name="Endpoint">The collector's base URL, as <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> takes it (for http/protobuf the signal paths are added).</param>
/// <param name="Headers">Sent with every export (a collector's credentials); values may be secrets and are never logged.</param>
/// <param name="Interval">How often metrics are exported.</param>
public sealed record OtlpDefinition(Uri Endpoint, OtlpProtocol Protocol, IReadOnlyDictionary<string, string> Headers, TimeSpan Interval)
{
    /// <summary>Metrics are exported every minute unless <c>interval</c> says otherwise, as OpenTelemetry does by default.</summary>
    public static TimeSpan DefaultInterval { get; } = TimeSpan.FromSeconds(60);

    /// <summary>The same export: endpoint, protocol, headers and interval alike.</summary>
    public bool SameAs(OtlpDefinition? other) =>
        other is not null
        && Endpoint == other.Endpoint
        && Protocol == other.Protocol
        && Interval == other.Interval
        && Headers.Count == other.Headers.Count
        && Headers.All(h => other.Headers.TryGetValue(h.Key, out var value) && string.Equals(value, h.Value, StringComparison.Ordinal));
}
