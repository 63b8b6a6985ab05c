namespace McpWarden.Gateway.Telemetry;

/// <summary>The Prometheus type an instrument is exposed as.</summary>
internal enum PrometheusKind
{
    /// <summary>Counter and ObservableCounter: only ever goes up; exposed with <c>_total</c>.</summary>
    Counter,

    /// <summary>UpDownCounter, Gauge and their observable forms: a value now.</summary>
    Gauge,

    /// <summary>Histogram: cumulative buckets, sum and count.</summary>
    Histogram,
}
