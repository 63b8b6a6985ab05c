using System.Text.Json;
using McpWarden.Policy.Diagnostics;
using McpWarden.Policy.Json;
using McpWarden.Policy.Parsing;

namespace McpWarden.Gateway.Configuration;

/// <summary>The <c>telemetry</c> section: OTLP export and the <c>/metrics</c> token.</summary>
internal sealed partial class ConfigurationReader
{
    private static readonly string[] TelemetryFields = ["serviceName", "otlp", "metrics"];
    private static readonly string[] OtlpFields = ["endpoint", "protocol", "headers", "interval"];
    private static readonly string[] MetricsFields = ["tokenSha256"];

    private const int MaxIntervalSeconds = 3600;

    private TelemetryDefinition ReadTelemetry(JsonElement element)
    {
        if (!ExpectObject(element, "/telemetry", "\"telemetry\" must be an object such as {\"otlp\": {\"endpoint\": \"http://collector:4318\"}}"))
        {
            return TelemetryDefinition.None;
        }

        StrictJson.CheckFields(element, "/telemetry", TelemetryFields, _sink);
        string? serviceName = null;
        if (element.TryGetProperty("serviceName", out var nameElement) && ExpandedString(nameElement, "/telemetry/serviceName", nonEmpty: false) is { } name)
        {
            if (string.IsNullOrWhiteSpace(name))
            {
                _sink.Error(DiagnosticCodes.InvalidTelemetry, "/telemetry/serviceName", "\"serviceName\" must not be empty");
            }
            else
            {
                serviceName = name;
            }
        }

        var otlp = element.TryGetProperty("otlp", out var otlpElement) ? ReadOtlp(otlpElement) : null;
        byte[]? token = null;
        if (element.TryGetProperty("metrics", out var metricsElement)
            && ExpectObject(metricsElement, "/telemetry/metrics", "\"metrics\" must be an object with \"tokenSha256\""))
        {
            StrictJson.CheckFields(metricsElement, "/telemetry/metrics", MetricsFields, _sink);
            token = ReadHash(metricsElement, "tokenSha256", "/telemetry/metrics");
        }

        return new TelemetryDefinition(serviceName, otlp, token);
    }

    private OtlpDefinition? ReadOtlp(JsonElement element)
    {
        const string Path = "/telemetry/otlp";
        if (!ExpectObject(element, Path, "\"otlp\" must be an object such as {\"endpoint\": \"http://collector:4318\"}"))
        {
            return null;
        }

        StrictJson.CheckFields(element, Path, OtlpFields, _sink);
        Uri? endpoint = null;
        if (!element.TryGetProperty("endpoint", out var endpointElement))
        {
            _sink.Error(DiagnosticCodes.MissingField, Path, "missing required field \"endpoint\" (the collector's base URL, such as http://collector:4318)");
        }
        else if (ExpandedString(endpointElement, Path + "/endpoint", nonEmpty: true) is { } text)
        {
            endpoint = ReadEndpoint(text, Path + "/endpoint");
        }

        var protocol = OtlpProtocol.HttpProtobuf;
        if (element.TryGetProperty("protocol", out var protocolElement))
        {
            switch (protocolElement.ValueKind == JsonValueKind.String ? protocolElement.GetString() : null)
            {
                case "http/protobuf":
                    break;
                case "grpc":
                    protocol = OtlpProtocol.Grpc;
                    break;
                default:
                    _sink.Error(DiagnosticCodes.InvalidTelemetry, Path + "/protocol", $"\"protocol\" must be \"http/protobuf\" or \"grpc\", got {JsonText.Describe(protocolElement)}");
                    break;
            }
        }

        var headers = element.TryGetProperty("headers", out var headersElement) ? ReadOtlpHeaders(headersElement, Path + "/headers") : new Dictionary<string, string>();
        var interval = OtlpDefinition.DefaultInterval;
        if (element.TryGetProperty("interval", out var intervalElement))
        {
            if (intervalElement.ValueKind == JsonValueKind.Number && intervalElement.TryGetDouble(out var seconds) && seconds is >= 1 and <= MaxIntervalSeconds)
            {
                interval = TimeSpan.FromSeconds(seconds);
            }
            else
            {
                _sink.Error(DiagnosticCodes.InvalidTelemetry, Path + "/interval", $"\"interval\" must be a number of seconds from 1 to {MaxIntervalSeconds}, got {JsonText.Describe(intervalElement)}");
            }
        }

        return endpoint is null || headers is null ? null : new OtlpDefinition(endpoint, protocol, headers, interval);
    }

    /// <summary>An absolute http(s) URL with no credentials in it (they belong in <c>headers</c>, which are never logged) and no query.</summary>
    private Uri? ReadEndpoint(string text, string path)
    {
        if (!Uri.TryCreate(text, UriKind.Absolute, out var endpoint) || endpoint.Scheme is not ("http" or "https") || endpoint.Host.Length == 0)
        {
            _sink.Error(DiagnosticCodes.InvalidTelemetry, path, $"\"endpoint\" must be an absolute http or https URL such as http://collector:4318, got {JsonText.Quote(text)}");
            return null;
        }

        if (endpoint.UserInfo.Length > 0)
        {
            // Never quoted: the user information is a credential.
            _sink.Error(DiagnosticCodes.InvalidTelemetry, path, "\"endpoint\" must not hold a user name or password; send the collector's credentials in \"headers\"");
            return null;
        }

        if (endpoint.Query.Length > 0 || endpoint.Fragment.Length > 0)
        {
            _sink.Error(DiagnosticCodes.InvalidTelemetry, path, $"\"endpoint\" must not have a query or fragment, got {JsonText.Quote(text)}");
            return null;
        }

        return endpoint;
    }

    /// <summary>
    /// Header names are HTTP tokens; values may be anything the exporter can carry: it takes headers as one
    /// <c>name=value,name=value</c> string, so a value may not hold a comma, nor a line break. Values are never quoted in errors.
    /// </summary>
    private Dictionary<string, string>? ReadOtlpHeaders(JsonElement element, string path)
    {
        if (ExpandedMap(element, path) is not { } headers)
        {
            return null;
        }

        var valid = true;
        foreach (var (name, value) in headers)
        {
            var headerPath = JsonPointer.Append(path, name);
            if (name.Length == 0 || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
            {
                _sink.ErrorAtName(DiagnosticCodes.InvalidTelemetry, headerPath, $"header name {JsonText.Quote(name)} must be letters, digits, '-', '_' or '.'");
                valid = false;
            }
            else if (value.Any(c => c is ',' or '\r' or '\n' or '\0'))
            {
                _sink.Error(DiagnosticCodes.InvalidTelemetry, headerPath, $"the value of header {JsonText.Quote(name)} must not hold a comma or a line break (the OTLP exporter cannot send it); the value is not shown");
                valid = false;
            }
        }

        return valid ? headers : null;
    }
}
