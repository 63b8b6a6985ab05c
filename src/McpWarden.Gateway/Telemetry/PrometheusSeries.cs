namespace McpWarden.Gateway.Telemetry;

/// <summary>
/// One label set of one instrument and what was measured under it. Updated without locks (a tool call only adds
/// to numbers), read by a scrape without stopping anyone: a histogram's count is the sum of the bucket counts the
/// scrape read, so <c>_count</c> always equals the <c>+Inf</c> bucket even while calls are being measured.
/// </summary>
internal sealed class PrometheusSeries
{
    private readonly string[] _keys;
    private readonly string[] _values;
    private readonly long[]? _buckets;
    private double _value;
    private double _sum;

    /// <param name="keys">Tag keys, sorted (ordinal).</param>
    /// <param name="values">Their values as text, in the same order.</param>
    /// <param name="labels">The rendered label pairs without braces (<c>server="a",tool="b"</c>), empty for none.</param>
    /// <param name="buckets">For a histogram: its number of boundaries plus one (the +Inf bucket); else 0.</param>
    public PrometheusSeries(string[] keys, string[] values, string labels, int hash, int buckets)
    {
        _keys = keys;
        _values = values;
        Labels = labels;
        Hash = hash;
        _buckets = buckets > 0 ? new long[buckets] : null;
    }

    public string Labels { get; }

    public int Hash { get; }

    /// <summary>The next series with the same hash.</summary>
    public PrometheusSeries? Next { get; set; }

    public double Value => Volatile.Read(ref _value);

    public double Sum => Volatile.Read(ref _sum);

    public long BucketCount(int index) => Interlocked.Read(ref _buckets![index]);

    public void Add(double value) => AddTo(ref _value, value);

    public void Set(double value) => Interlocked.Exchange(ref _value, value);

    /// <summary>Counts a value in the first bucket whose boundary is at least the value (or +Inf), and adds it to the sum.</summary>
    public void Observe(double value, double[] bounds)
    {
        var index = Array.BinarySearch(bounds, value);
        Interlocked.Increment(ref _buckets![index >= 0 ? index : ~index]);
        AddTo(ref _sum, value);
    }

    /// <summary>Whether these are the series' tags, in any order. A tag whose value is not a string is compared as its text.</summary>
    public bool Matches(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (tags.Length != _keys.Length)
        {
            return false;
        }

        foreach (var tag in tags)
        {
            var index = Array.IndexOf(_keys, tag.Key);
            if (index < 0 || !string.Equals(_values[index], tag.Value as string ?? PrometheusFamily.TagText(tag.Value), StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    private static void AddTo(ref double location, double value)
    {
        var current = Volatile.Read(ref location);
        while (true)
        {
            var seen = Interlocked.CompareExchange(ref location, current + value, current);
            if (seen.Equals(current))
            {
                return;
            }

            current = seen;
        }
    }
}
