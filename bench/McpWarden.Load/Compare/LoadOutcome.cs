using McpWarden.Load.Measuring;

namespace McpWarden.Load.Compare;

/// <summary>
/// What one closed-loop load measured: the latency of every call started in the measured window (timestamp ticks,
/// sorted), the window's length, the CPU snapshots at its ends, and the first failure, if any (which ends the load).
/// </summary>
internal sealed record LoadOutcome(long[] Latencies, double Seconds, CpuSnapshot? Start, CpuSnapshot? End, long WarmupCalls, string? Failure)
{
    public long Calls => Latencies.LongLength;

    public double CallsPerSecond => Seconds > 0 ? Calls / Seconds : 0;

    /// <summary>The latency at quantile <paramref name="q"/> in milliseconds: the sample of rank ⌈q·n⌉, exact.</summary>
    public double LatencyMs(double q)
    {
        if (Latencies.Length == 0)
        {
            return double.NaN;
        }

        return Latencies[Percentiles.Rank(q, Latencies.LongLength) - 1] * 1000.0 / TimeProvider.System.TimestampFrequency;
    }

    public double MeanMs => Latencies.Length == 0 ? double.NaN : Latencies.Average() * 1000.0 / TimeProvider.System.TimestampFrequency;
}
