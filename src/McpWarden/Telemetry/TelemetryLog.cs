using Microsoft.Extensions.Logging;

namespace McpWarden.Telemetry;

/// <summary>What the telemetry export and <c>/metrics</c> log (events 600 and up).</summary>
internal static partial class TelemetryLog
{
    [LoggerMessage(EventId = 600, Level = LogLevel.Information, Message = "telemetry: exporting {Signals} over OTLP ({Protocol}) to {Endpoint} as service {ServiceName}")]
    public static partial void Exporting(ILogger logger, string signals, string protocol, string endpoint, string serviceName);
}
