using McpWarden.Load.Measuring;

namespace McpWarden.Load.Counters;

/// <summary>
/// Latencies counted in buckets, so that millions of operations are recorded without allocating (an allocation per
/// operation would be measured as the store's): 1 µs buckets up to 10 ms, then 1 ms buckets up to 10 s. One per
/// caller; merged at the end.
/// </summary>
internal sealed class LatencyHistogram
{
    private const int FineBuckets = 10_000;
    private const int CoarseBuckets = 10_000;
    private readonly long[] _counts = new long[FineBuckets + CoarseBuckets];

    public long Count { get; private set; }

    public TimeSpan Max { get; private set; }

    public void Record(TimeSpan latency)
    {
        var microseconds = (long)latency.TotalMicroseconds;
        var bucket = microseconds < FineBuckets
            ? (int)microseconds
            : FineBuckets + (int)Math.Min(CoarseBuckets - 1, microseconds / 1000 - FineBuckets / 1000);
        _counts[bucket]++;
        Count++;
        if (latency > Max)
        {
            Max = latency;
        }
    }

    public void Add(LatencyHistogram other)
    {
        ArgumentNullException.ThrowIfNull(other);
        for (var i = 0; i < _counts.Length; i++)
        {
            _counts[i] += other._counts[i];
        }

        Count += other.Count;
        Max = other.Max > Max ? other.Max : Max;
    }

    /// <summary>The upper bound, in microseconds, of the bucket holding percentile <paramref name="p"/> (0 to 100).</summary>
    public double PercentileMicroseconds(double p)
    {
        var rank = Percentiles.Rank(p / 100, Count);
        long seen = 0;
        for (var i = 0; i < _counts.Length; i++)
        {
            seen += _counts[i];
            if (seen >= rank && seen > 0)
            {
                return i < FineBuckets ? i + 1 : (i - FineBuckets + FineBuckets / 1000 + 1) * 1000.0;
            }
        }

        return Max.TotalMicroseconds;
    }
}
