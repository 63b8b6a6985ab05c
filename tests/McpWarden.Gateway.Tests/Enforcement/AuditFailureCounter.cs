using System.Diagnostics.Metrics;
using McpWarden.Gateway.Telemetry;

namespace McpWarden.Gateway.Tests.Enforcement;

/// <summary>Counts <c>mcpwarden.audit.failures</c> while it lives.</summary>
internal sealed class AuditFailureCounter : IDisposable
{
    private readonly MeterListener _listener = new();
    private long _count;

    public AuditFailureCounter()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == GatewayMetrics.MeterName && instrument.Name == "mcpwarden.audit.failures")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref _count, value));
        _listener.Start();
    }

    public long Count => Interlocked.Read(ref _count);

    public void Dispose() => _listener.Dispose();
}
