using System.Diagnostics.Metrics;
using System.Text;

namespace McpWarden.Gateway.Telemetry;

/// <summary>
/// Listens to chosen meters and renders what they measured as Prometheus text (exposition format 0.0.4), for
/// <c>GET /metrics</c>. Counters and histograms are cumulative since this object was made; families are ordered by
/// name and series by labels, so two scrapes list the same things in the same order.
/// </summary>
public sealed class PrometheusMetrics : IDisposable
{
    /// <summary>The content type of <see cref="Render"/>'s text.</summary>
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    /// <summary>Label sets kept per instrument; measurements beyond are counted under <c>otel_metric_overflow="true"</c>.</summary>
    public const int DefaultMaxSeries = 2000;

    private readonly MeterListener _listener;
    private readonly Lock _families = new();
    private readonly List<PrometheusFamily> _registered = [];
    private readonly Lock _scrape = new();
    private readonly StringBuilder _text = new();
    private PrometheusFamily[] _sorted = [];
    private bool _changed;

    /// <param name="include">Which meters to expose (the gateway's: by the name <see cref="GatewayMetrics.MeterName"/>).</param>
    public PrometheusMetrics(Func<Meter, bool> include, int maxSeries = DefaultMaxSeries)
    {
        ArgumentNullException.ThrowIfNull(include);
        _listener = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (!include(instrument.Meter) || Register(instrument, maxSeries) is not { } family)
                {
                    return;
                }

                listener.EnableMeasurementEvents(instrument, family);
            },
            MeasurementsCompleted = (_, state) => Unregister(state as PrometheusFamily),
        };
        _listener.SetMeasurementEventCallback<double>(static (_, value, tags, state) => ((PrometheusFamily)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<float>(static (_, value, tags, state) => ((PrometheusFamily)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<long>(static (_, value, tags, state) => ((PrometheusFamily)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<int>(static (_, value, tags, state) => ((PrometheusFamily)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<short>(static (_, value, tags, state) => ((PrometheusFamily)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<byte>(static (_, value, tags, state) => ((PrometheusFamily)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<decimal>(static (_, value, tags, state) => ((PrometheusFamily)state!).Record((double)value, tags));
        _listener.Start();
    }

    /// <summary>Everything measured so far, as Prometheus text. Observable instruments are asked for their values now.</summary>
    public string Render()
    {
        _listener.RecordObservableInstruments();
        lock (_scrape)
        {
            _text.Clear();
            foreach (var family in SortedFamilies())
            {
                family.WriteTo(_text);
            }

            return _text.ToString();
        }
    }

    public void Dispose() => _listener.Dispose();

    private PrometheusFamily? Register(Instrument instrument, int maxSeries)
    {
        if (PrometheusFamily.For(instrument, maxSeries) is not { } family)
        {
            return null;
        }

        lock (_families)
        {
            // Two instruments of one name would be two families of one name, which Prometheus refuses: the first one stands.
            if (_registered.Any(f => f.Name == family.Name))
            {
                return null;
            }

            _registered.Add(family);
            _changed = true;
            return family;
        }
    }

    private void Unregister(PrometheusFamily? family)
    {
        lock (_families)
        {
            if (family is not null && _registered.Remove(family))
            {
                _changed = true;
            }
        }
    }

    private PrometheusFamily[] SortedFamilies()
    {
        lock (_families)
        {
            if (_changed)
            {
                _sorted = [.. _registered.OrderBy(f => f.Name, StringComparer.Ordinal)];
                _changed = false;
            }

            return _sorted;
        }
    }
}
