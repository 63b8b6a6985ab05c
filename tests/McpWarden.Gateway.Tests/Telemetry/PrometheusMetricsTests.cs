using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text.RegularExpressions;
using McpWarden.Gateway.Telemetry;
using McpWarden.Testing;
using Xunit;

namespace McpWarden.Gateway.Tests.Telemetry;

/// <summary>The Prometheus text rendered from a private meter: names, types, labels, escaping, cumulative buckets, order.</summary>
public sealed partial class PrometheusMetricsTests : IDisposable
{
    private readonly Meter _meter = new("test.prometheus." + Guid.NewGuid().ToString("N"));
    private readonly PrometheusMetrics _metrics;

    public PrometheusMetricsTests() => _metrics = new PrometheusMetrics(m => ReferenceEquals(m, _meter));

    public void Dispose()
    {
        _metrics.Dispose();
        _meter.Dispose();
    }

    [Fact]
    public void Render_Counter_IsNamedWithTotal_WithHelpTypeAndLabelsInKeyOrder()
    {
        var counter = _meter.CreateCounter<long>("demo.requests", "{request}", "Requests handled");
        counter.Add(2, new("tool", "b"), new("server", "a"));
        // The same labels in another order are the same series.
        counter.Add(1, new("server", "a"), new("tool", "b"));
        counter.Add(5, new("server", "a"), new("tool", "c"));

        Assert.Equal(
            """
            # HELP demo_requests_total Requests handled
            # TYPE demo_requests_total counter
            demo_requests_total{server="a",tool="b"} 3
            demo_requests_total{server="a",tool="c"} 5

            """.ReplaceLineEndings("\n"),
            _metrics.Render());
    }

    [Fact]
    public void Render_Histogram_BucketsAreCumulativeToInf_WithSumAndCount_AndABoundaryValueCountsInItsBucket()
    {
        var histogram = _meter.CreateHistogram("demo.duration", "s", "How long", tags: null, new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.5, 1, 10] });
        foreach (var value in new[] { 0.0625, 0.5, 0.75, 2, 50 })
        {
            histogram.Record(value, new KeyValuePair<string, object?>("server", "a"));
        }

        Assert.Equal(
            """
            # HELP demo_duration_seconds How long
            # TYPE demo_duration_seconds histogram
            demo_duration_seconds_bucket{server="a",le="0.5"} 2
            demo_duration_seconds_bucket{server="a",le="1"} 3
            demo_duration_seconds_bucket{server="a",le="10"} 4
            demo_duration_seconds_bucket{server="a",le="+Inf"} 5
            demo_duration_seconds_sum{server="a"} 53.3125
            demo_duration_seconds_count{server="a"} 5

            """.ReplaceLineEndings("\n"),
            _metrics.Render());
    }

    [Fact]
    public void Render_HistogramWithoutAdvice_UsesOpenTelemetrysDefaultBoundaries_AndNoLabelsGetOnlyLe()
    {
        _meter.CreateHistogram<long>("demo.size", "By").Record(7);

        var text = _metrics.Render();

        Assert.Contains("demo_size_bytes_bucket{le=\"0\"} 0\n", text, StringComparison.Ordinal);
        Assert.Contains("demo_size_bytes_bucket{le=\"10\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("demo_size_bytes_bucket{le=\"10000\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("demo_size_bytes_bucket{le=\"+Inf\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("demo_size_bytes_sum 7\n", text, StringComparison.Ordinal);
        Assert.Contains("demo_size_bytes_count 1\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_LabelValuesAndHelp_AreEscaped()
    {
        var counter = _meter.CreateCounter<long>("demo.escaped", description: "Line one\nback\\slash \"quoted\"");
        counter.Add(1, new KeyValuePair<string, object?>("tool", "a\\b\"c\nd"));

        var text = _metrics.Render();

        Assert.Contains("# HELP demo_escaped_total Line one\\nback\\\\slash \"quoted\"\n", text, StringComparison.Ordinal);
        Assert.Contains("demo_escaped_total{tool=\"a\\\\b\\\"c\\nd\"} 1\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_Names_InvalidCharactersBecomeUnderscores_UnitsSpelledOut_RatioOnGaugesOnly()
    {
        _meter.CreateUpDownCounter<long>("demo.in-flight", "{call}").Add(3, new KeyValuePair<string, object?>("error.type", "x"));
        _meter.CreateObservableGauge("demo.fill", () => 0.25, "1");
        _meter.CreateCounter<double>("demo.spend", "1").Add(1.5);
        _meter.CreateCounter<long>("9lives.total").Add(1);

        var text = _metrics.Render();

        Assert.Contains("# TYPE demo_in_flight gauge\ndemo_in_flight{error_type=\"x\"} 3\n", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE demo_fill_ratio gauge\ndemo_fill_ratio 0.25\n", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE demo_spend_total counter\ndemo_spend_total 1.5\n", text, StringComparison.Ordinal);
        // A name cannot start with a digit; one that already ends in _total does not get it twice.
        Assert.Contains("# TYPE _9lives_total counter\n_9lives_total 1\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_UpDownCounter_GoesDown_AndObservableCounter_ReportsItsTotal()
    {
        var pending = _meter.CreateUpDownCounter<long>("demo.pending");
        pending.Add(2);
        pending.Add(-1);
        var total = 41L;
        _meter.CreateObservableCounter("demo.observed", () => ++total);

        var text = _metrics.Render();

        Assert.Contains("demo_pending 1\n", text, StringComparison.Ordinal);
        Assert.Contains("demo_observed_total 42\n", text, StringComparison.Ordinal);
        Assert.Contains("demo_observed_total 43\n", _metrics.Render(), StringComparison.Ordinal);
    }

    [Fact]
    public void Render_NumbersAndTagValues_DoNotDependOnTheCulture()
    {
        var culture = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("de-DE");
            var counter = _meter.CreateCounter<double>("demo.culture");
            counter.Add(1234.5, new("ratio", 0.5), new("flag", true));

            Assert.Contains("demo_culture_total{flag=\"true\",ratio=\"0.5\"} 1234.5\n", _metrics.Render(), StringComparison.Ordinal);
        }
        finally
        {
            CultureInfo.CurrentCulture = culture;
        }
    }

    [Fact]
    public void Render_IsInAStableOrder_FamiliesByNameAndSeriesByLabels()
    {
        var zebra = _meter.CreateCounter<long>("zebra");
        var alpha = _meter.CreateCounter<long>("alpha");
        zebra.Add(1, new KeyValuePair<string, object?>("k", "b"));
        alpha.Add(1);
        zebra.Add(1, new KeyValuePair<string, object?>("k", "a"));

        var first = _metrics.Render();

        Assert.True(first.IndexOf("alpha_total", StringComparison.Ordinal) < first.IndexOf("zebra_total", StringComparison.Ordinal));
        Assert.True(first.IndexOf("zebra_total{k=\"a\"}", StringComparison.Ordinal) < first.IndexOf("zebra_total{k=\"b\"}", StringComparison.Ordinal));
        Assert.Equal(first, _metrics.Render());
    }

    [Fact]
    public void Render_BeyondTheSeriesLimit_FurtherLabelSetsAreCountedAsOverflow()
    {
        using var metrics = new PrometheusMetrics(m => ReferenceEquals(m, _meter), maxSeries: 2);
        var counter = _meter.CreateCounter<long>("demo.many");
        for (var i = 0; i < 5; i++)
        {
            counter.Add(1, new KeyValuePair<string, object?>("tool", "t" + i));
        }

        var text = metrics.Render();

        Assert.Contains("demo_many_total{tool=\"t0\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("demo_many_total{tool=\"t1\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("demo_many_total{otel_metric_overflow=\"true\"} 3\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("t2", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_OtherMeters_AreNotExposed_AndADisposedMetersInstrumentsGo()
    {
        using var other = new Meter("test.prometheus.other." + Guid.NewGuid().ToString("N"));
        var counter = other.CreateCounter<long>("other.counter");
        using (var own = new PrometheusMetrics(m => m == other || ReferenceEquals(m, _meter)))
        {
            // Only what is measured while listening counts.
            counter.Add(1);
            Assert.Contains("other_counter_total 1", own.Render(), StringComparison.Ordinal);
            other.Dispose();
            Assert.DoesNotContain("other_counter", own.Render(), StringComparison.Ordinal);
        }

        Assert.DoesNotContain("other_counter", _metrics.Render(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Render_WhileCallsAreMeasured_EveryHistogramsCountIsItsInfBucket_AndNothingIsLost()
    {
        var histogram = _meter.CreateHistogram("demo.race", "s", tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.5] });
        const int Writers = 8, PerWriter = 20_000;
        using var done = new CancellationTokenSource();
        var scraping = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var scrapes = 0;
        var scraper = Task.Run(() =>
        {
            while (!done.IsCancellationRequested)
            {
                var text = _metrics.Render();
                if (CountOf(text, "demo_race_seconds_count") is { } count)
                {
                    Assert.Equal(count, CountOf(text, "demo_race_seconds_bucket{le=\"+Inf\"}"));
                    Assert.True(CountOf(text, "demo_race_seconds_bucket{le=\"0.5\"}") <= count, "a bucket below +Inf counted more than the histogram");
                }

                scrapes++;
                scraping.TrySetResult();
            }
        }, TestContext.Current.CancellationToken);

        // On a busy machine the scraper may start late: the writers wait for it, so scrapes do race the writes.
        await scraping.Task.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

        await Task.WhenAll(Enumerable.Range(0, Writers).Select(w => Task.Run(() =>
        {
            for (var i = 0; i < PerWriter; i++)
            {
                histogram.Record(i % 2 == 0 ? 0.25 : 1);
            }
        }, TestContext.Current.CancellationToken)));
        await done.CancelAsync();
        await scraper;

        var final = _metrics.Render();
        Assert.Equal(Writers * PerWriter, CountOf(final, "demo_race_seconds_count"));
        Assert.Equal(Writers * PerWriter / 2, CountOf(final, "demo_race_seconds_bucket{le=\"0.5\"}"));
        Assert.Equal(Writers * PerWriter * 0.625, double.Parse(ValueOf(final, "demo_race_seconds_sum")!, CultureInfo.InvariantCulture), 6);
        Assert.True(scrapes > 0);
    }

    [Fact]
    public void GatewayMeter_EveryInstrument_IsDocumentedInObservabilityMd_UnderItsPrometheusName()
    {
        // Touching the class creates its instruments.
        _ = GatewayMetrics.Decisions;
        using var metrics = new PrometheusMetrics(m => m.Name == GatewayMetrics.MeterName);
        var families = TypeLine().Matches(metrics.Render()).Select(m => m.Groups["name"].Value).ToList();
        var docs = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "docs", "observability.md"));

        Assert.Contains("mcpwarden_decisions_total", families);
        Assert.Contains("mcpwarden_evaluation_duration_seconds", families);
        Assert.Contains("mcpwarden_upstream_duration_seconds", families);
        Assert.Contains("mcpwarden_limit_usage", families);
        Assert.Contains("mcpwarden_approvals_pending", families);
        Assert.Contains("mcpwarden_store_fail_open_total", families);
        Assert.All(families, name => Assert.Contains("`" + name + "`", docs, StringComparison.Ordinal));
    }

    private static long? CountOf(string text, string series) => ValueOf(text, series) is { } value ? long.Parse(value, CultureInfo.InvariantCulture) : null;

    private static string? ValueOf(string text, string series)
    {
        var start = text.IndexOf(series + " ", StringComparison.Ordinal);
        if (start < 0)
        {
            return null;
        }

        start += series.Length + 1;
        return text[start..text.IndexOf('\n', start)];
    }

    [GeneratedRegex("^# TYPE (?<name>\\S+) ", RegexOptions.Multiline)]
    private static partial Regex TypeLine();
}
