using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;

namespace McpWarden.Gateway.Telemetry;

/// <summary>
/// One instrument as a Prometheus metric family: its name, type and help, and a series per label set. A measurement
/// finds its series by a hash of its tags, without allocating once the series exists; the lock it takes is held for a
/// lookup only, and a scrape takes it only to copy the list of series, so neither holds the other up.
/// </summary>
internal sealed class PrometheusFamily
{
    /// <summary>OpenTelemetry's default boundaries, for a histogram that gives no advice of its own.</summary>
    private static readonly double[] DefaultBounds = [0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000];

    private readonly Lock _gate = new();
    private readonly Dictionary<int, PrometheusSeries> _byHash = [];
    private readonly List<PrometheusSeries> _series = [];
    private readonly int _maxSeries;
    private readonly string[] _boundTexts;
    private PrometheusSeries? _overflow;

    // Read and written by the scrape only (scrapes are serialized by PrometheusMetrics).
    private PrometheusSeries[] _sorted = [];

    private PrometheusFamily(string name, string help, PrometheusKind kind, bool lastValue, double[] bounds, int maxSeries)
    {
        Name = name;
        Help = help;
        Kind = kind;
        LastValue = lastValue;
        Bounds = bounds;
        _maxSeries = maxSeries;
        _boundTexts = [.. bounds.Select(PrometheusText.Number)];
    }

    public string Name { get; }

    public string Help { get; }

    public PrometheusKind Kind { get; }

    /// <summary>True when a measurement is the value now (gauges, and observable instruments, which report totals) rather than an increment.</summary>
    public bool LastValue { get; }

    public double[] Bounds { get; }

    /// <summary>The family for an instrument, or null for a kind Prometheus has no type for.</summary>
    public static PrometheusFamily? For(Instrument instrument, int maxSeries)
    {
        ArgumentNullException.ThrowIfNull(instrument);
        var type = instrument.GetType();
        var definition = type.IsGenericType ? type.GetGenericTypeDefinition() : type;
        (PrometheusKind Kind, bool LastValue)? shape =
            definition == typeof(Counter<>) ? (PrometheusKind.Counter, false)
            : definition == typeof(ObservableCounter<>) ? (PrometheusKind.Counter, true)
            : definition == typeof(UpDownCounter<>) ? (PrometheusKind.Gauge, false)
            : definition == typeof(ObservableUpDownCounter<>) ? (PrometheusKind.Gauge, true)
            : definition == typeof(Gauge<>) ? (PrometheusKind.Gauge, true)
            : definition == typeof(ObservableGauge<>) ? (PrometheusKind.Gauge, true)
            : definition == typeof(Histogram<>) ? (PrometheusKind.Histogram, false)
            : null;
        if (shape is not var (kind, lastValue))
        {
            return null;
        }

        var name = PrometheusText.MetricName(instrument.Name, instrument.Unit, kind);
        var bounds = kind == PrometheusKind.Histogram ? AdvisedBounds(instrument) ?? DefaultBounds : [];
        return new PrometheusFamily(name, instrument.Description ?? instrument.Name, kind, lastValue, bounds, maxSeries);
    }

    /// <summary>A tag value as label text: strings as they are, numbers in the invariant culture.</summary>
    public static string TagText(object? value) => value switch
    {
        null => string.Empty,
        string text => text,
        bool flag => flag ? "true" : "false",
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };

    public void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (double.IsNaN(value))
        {
            return;
        }

        var series = Find(tags);
        if (Kind == PrometheusKind.Histogram)
        {
            series.Observe(value, Bounds);
        }
        else if (LastValue)
        {
            series.Set(value);
        }
        else
        {
            series.Add(value);
        }
    }

    /// <summary>Appends the family: HELP, TYPE and every series, ordered by labels so that two scrapes list them alike.</summary>
    public void WriteTo(StringBuilder text)
    {
        text.Append("# HELP ").Append(Name).Append(' ');
        PrometheusText.AppendHelp(text, Help);
        text.Append("\n# TYPE ").Append(Name).Append(' ').Append(Kind switch
        {
            PrometheusKind.Counter => "counter",
            PrometheusKind.Gauge => "gauge",
            _ => "histogram",
        }).Append('\n');

        foreach (var series in SortedSeries())
        {
            if (Kind == PrometheusKind.Histogram)
            {
                WriteHistogram(text, series);
            }
            else
            {
                text.Append(Name);
                AppendLabels(text, series.Labels, null);
                text.Append(' ');
                PrometheusText.AppendNumber(text, series.Value);
                text.Append('\n');
            }
        }
    }

    private void WriteHistogram(StringBuilder text, PrometheusSeries series)
    {
        // INVARIANT: buckets are cumulative and _count is the +Inf bucket: both come from the same reads.
        long cumulative = 0;
        for (var i = 0; i <= Bounds.Length; i++)
        {
            cumulative += series.BucketCount(i);
            text.Append(Name).Append("_bucket");
            AppendLabels(text, series.Labels, i < Bounds.Length ? _boundTexts[i] : "+Inf");
            text.Append(' ');
            PrometheusText.AppendNumber(text, cumulative);
            text.Append('\n');
        }

        text.Append(Name).Append("_sum");
        AppendLabels(text, series.Labels, null);
        text.Append(' ');
        PrometheusText.AppendNumber(text, series.Sum);
        text.Append('\n');
        text.Append(Name).Append("_count");
        AppendLabels(text, series.Labels, null);
        text.Append(' ');
        PrometheusText.AppendNumber(text, cumulative);
        text.Append('\n');
    }

    private static void AppendLabels(StringBuilder text, string labels, string? le)
    {
        if (labels.Length == 0 && le is null)
        {
            return;
        }

        text.Append('{').Append(labels);
        if (le is not null)
        {
            text.Append(labels.Length > 0 ? ",le=\"" : "le=\"").Append(le).Append('"');
        }

        text.Append('}');
    }

    private PrometheusSeries[] SortedSeries()
    {
        lock (_gate)
        {
            if (_sorted.Length == _series.Count)
            {
                return _sorted;
            }

            _sorted = [.. _series];
        }

        // Series are never removed, so a list of the same length is the same list.
        Array.Sort(_sorted, static (a, b) => string.CompareOrdinal(a.Labels, b.Labels));
        return _sorted;
    }

    private PrometheusSeries Find(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var hash = Hash(tags);
        lock (_gate)
        {
            _byHash.TryGetValue(hash, out var head);
            for (var series = head; series is not null; series = series.Next)
            {
                if (series.Matches(tags))
                {
                    return series;
                }
            }

            if (_series.Count >= _maxSeries)
            {
                // Too many label sets (a server listing thousands of tools, say): the rest are counted together, as OpenTelemetry does.
                return _overflow ??= Add(NewSeries([new("otel.metric.overflow", "true")], 0));
            }

            var created = NewSeries(tags, hash);
            created.Next = head;
            _byHash[hash] = created;
            return Add(created);
        }
    }

    private PrometheusSeries Add(PrometheusSeries series)
    {
        _series.Add(series);
        return series;
    }

    private PrometheusSeries NewSeries(ReadOnlySpan<KeyValuePair<string, object?>> tags, int hash)
    {
        var pairs = new List<(string Key, string Value)>(tags.Length);
        foreach (var tag in tags)
        {
            pairs.Add((tag.Key, TagText(tag.Value)));
        }

        pairs.Sort(static (a, b) => string.CompareOrdinal(a.Key, b.Key));
        var labels = new StringBuilder();
        foreach (var (key, value) in pairs)
        {
            if (labels.Length > 0)
            {
                labels.Append(',');
            }

            labels.Append(PrometheusText.LabelName(key)).Append('=');
            PrometheusText.AppendLabelValue(labels, value);
        }

        return new PrometheusSeries([.. pairs.Select(p => p.Key)], [.. pairs.Select(p => p.Value)], labels.ToString(), hash, Kind == PrometheusKind.Histogram ? Bounds.Length + 1 : 0);
    }

    /// <summary>A hash of the tags that does not depend on their order.</summary>
    private static int Hash(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var hash = tags.Length;
        foreach (var tag in tags)
        {
            var value = tag.Value as string ?? TagText(tag.Value);
            hash += HashCode.Combine(StringComparer.Ordinal.GetHashCode(tag.Key), StringComparer.Ordinal.GetHashCode(value));
        }

        return hash;
    }

    private static double[]? AdvisedBounds(Instrument instrument) => instrument switch
    {
        Histogram<double> histogram => histogram.Advice?.HistogramBucketBoundaries?.ToArray(),
        Histogram<float> histogram => histogram.Advice?.HistogramBucketBoundaries?.Select(b => (double)b).ToArray(),
        Histogram<long> histogram => histogram.Advice?.HistogramBucketBoundaries?.Select(b => (double)b).ToArray(),
        Histogram<int> histogram => histogram.Advice?.HistogramBucketBoundaries?.Select(b => (double)b).ToArray(),
        _ => null,
    };
}
