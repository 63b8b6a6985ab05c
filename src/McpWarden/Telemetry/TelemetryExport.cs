using System.Reflection;
using McpWarden.Gateway.Approvals;
using McpWarden.Gateway.Configuration;
using McpWarden.Gateway.Telemetry;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace McpWarden.Telemetry;

/// <summary>
/// OTLP export of the gateway's spans and metrics, for <c>serve</c> and <c>stdio</c> alike: to the collector the
/// configuration's <c>telemetry.otlp</c> names, or, when the file says nothing, to the one the standard
/// <c>OTEL_EXPORTER_OTLP_*</c> variables name. Disposing flushes what is buffered, so a gateway that stops
/// gracefully loses no span of a call it answered. Nothing is ever written to standard output.
/// </summary>
internal sealed class TelemetryExport : IDisposable
{
    private const string DefaultServiceName = "mcpwarden";

    private readonly TracerProvider? _traces;
    private readonly MeterProvider? _metrics;

    private TelemetryExport(TracerProvider? traces, MeterProvider? metrics)
    {
        _traces = traces;
        _metrics = metrics;
    }

    /// <summary>Starts exporting when the configuration or the environment asks for it; null otherwise.</summary>
    public static TelemetryExport? Start(TelemetryDefinition telemetry, Func<string, string?> environment, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(telemetry);
        ArgumentNullException.ThrowIfNull(environment);
        if (string.Equals(environment("OTEL_SDK_DISABLED"), "true", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var serviceName = telemetry.ServiceName ?? NonEmpty(environment("OTEL_SERVICE_NAME")) ?? DefaultServiceName;
        var resource = ResourceBuilder.CreateDefault().AddService(
            serviceName,
            serviceVersion: typeof(TelemetryExport).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion,
            autoGenerateServiceInstanceId: false,
            serviceInstanceId: GatewayInstance.Current);

        if (telemetry.Otlp is { } otlp)
        {
            var traces = Traces(resource, options => Configure(options, otlp, "v1/traces"));
            var metrics = Metrics(resource, (options, reader) =>
            {
                Configure(options, otlp, "v1/metrics");
                reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = (int)otlp.Interval.TotalMilliseconds;
            });
            var (protocol, endpoint) = (Protocol(otlp.Protocol), Shown(otlp.Endpoint));
            TelemetryLog.Exporting(logger, "traces and metrics", protocol, endpoint, serviceName);
            return new TelemetryExport(traces, metrics);
        }

        // The file says nothing: the standard variables decide, read by the exporter itself (endpoint, protocol,
        // headers, timeout, interval), and each signal only when an endpoint is given for it.
        var anyEndpoint = NonEmpty(environment("OTEL_EXPORTER_OTLP_ENDPOINT"));
        var traceEndpoint = NonEmpty(environment("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")) ?? anyEndpoint;
        var metricEndpoint = NonEmpty(environment("OTEL_EXPORTER_OTLP_METRICS_ENDPOINT")) ?? anyEndpoint;
        var exportTraces = traceEndpoint is not null && !IsNone(environment("OTEL_TRACES_EXPORTER"));
        var exportMetrics = metricEndpoint is not null && !IsNone(environment("OTEL_METRICS_EXPORTER"));
        if (!exportTraces && !exportMetrics)
        {
            return null;
        }

        var fromEnvironment = new TelemetryExport(
            exportTraces ? Traces(resource, _ => { }) : null,
            exportMetrics ? Metrics(resource, (_, _) => { }) : null);
        var signals = exportTraces && exportMetrics ? "traces and metrics" : exportTraces ? "traces" : "metrics";
        var shown = Uri.TryCreate(exportTraces ? traceEndpoint : metricEndpoint, UriKind.Absolute, out var uri) ? Shown(uri) : "(the endpoint in OTEL_EXPORTER_OTLP_*)";
        var variableProtocol = NonEmpty(environment("OTEL_EXPORTER_OTLP_PROTOCOL")) ?? "grpc";
        TelemetryLog.Exporting(logger, signals, variableProtocol, shown, serviceName);
        return fromEnvironment;
    }

    /// <summary>Flushes and stops both exports (each waits for its collector a few seconds at most).</summary>
    public void Dispose()
    {
        _traces?.Dispose();
        _metrics?.Dispose();
    }

    private static TracerProvider Traces(ResourceBuilder resource, Action<OtlpExporterOptions> configure) =>
        Sdk.CreateTracerProviderBuilder()
            .SetResourceBuilder(resource)
            // Every call is traced, whatever sampling flag a client puts in params._meta: a client cannot hide its calls.
            .SetSampler(new AlwaysOnSampler())
            .AddSource(GatewayTracing.SourceName)
            .AddOtlpExporter(configure)
            .Build();

    private static MeterProvider Metrics(ResourceBuilder resource, Action<OtlpExporterOptions, MetricReaderOptions> configure) =>
        Sdk.CreateMeterProviderBuilder()
            .SetResourceBuilder(resource)
            .AddMeter(GatewayMetrics.MeterName)
            .AddOtlpExporter(configure)
            .Build();

    private static void Configure(OtlpExporterOptions options, OtlpDefinition otlp, string signalPath)
    {
        options.Protocol = otlp.Protocol == OtlpProtocol.Grpc ? OtlpExportProtocol.Grpc : OtlpExportProtocol.HttpProtobuf;
        // An endpoint set in code is used as it is: over HTTP, the signal's path is added here, as the variable would add it.
        options.Endpoint = otlp.Protocol == OtlpProtocol.Grpc
            ? otlp.Endpoint
            : new Uri(otlp.Endpoint.AbsoluteUri.TrimEnd('/') + "/" + signalPath);
        // The exporter takes "name=value,..." and percent-decodes it: a literal % is written %25 (commas were refused when the file was read).
        options.Headers = otlp.Headers.Count == 0
            ? null
            : string.Join(',', otlp.Headers.Select(h => h.Key + "=" + h.Value.Replace("%", "%25", StringComparison.Ordinal)));
    }

    /// <summary>The endpoint as logged: scheme, host, port and path, never anything else.</summary>
    private static string Shown(Uri endpoint) => endpoint.GetComponents(UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.UriEscaped);

    private static string Protocol(OtlpProtocol protocol) => protocol == OtlpProtocol.Grpc ? "grpc" : "http/protobuf";

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;

    private static bool IsNone(string? value) => string.Equals(value?.Trim(), "none", StringComparison.OrdinalIgnoreCase);
}
