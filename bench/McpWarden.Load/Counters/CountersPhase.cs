namespace McpWarden.Load.Counters;

/// <summary>What one phase of a store's run measured: consumes, how long, their latencies, and any refused (there must be none).</summary>
internal sealed record CountersPhase(string Name, int Callers, long Consumes, long Refused, TimeSpan Elapsed, LatencyHistogram Latency)
{
    public double PerSecond => Consumes / Elapsed.TotalSeconds;
}
