using McpWarden.Gateway.Configuration;
using McpWarden.Policy.Diagnostics;
using Xunit;

namespace McpWarden.Gateway.Tests.Configuration;

/// <summary>The <c>telemetry</c> section: OTLP export and the <c>/metrics</c> token, read as strictly as the rest of the file.</summary>
public sealed class TelemetryConfigurationTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("mcpwarden-telemetry-").FullName;
    private readonly Dictionary<string, string> _environment = new(StringComparer.Ordinal) { ["OTLP_TOKEN"] = "secret-otlp-token" };

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private ConfigurationLoadResult Load(string telemetry)
    {
        var path = Path.Combine(_directory, "mcpwarden.json");
        File.WriteAllText(path, """{ "mcpServers": { "a": { "command": "x", "policy": { "version": "1", "default": "deny" } } }, "telemetry": """ + telemetry + " }");
        return ConfigurationLoader.LoadFile(path, n => _environment.GetValueOrDefault(n));
    }

    [Fact]
    public void Load_EveryField_IsRead_WithVariablesExpanded()
    {
        var hash = new string('c', 64);
        var result = Load($$"""
            { "serviceName": "gateway-eu",
              "otlp": { "endpoint": "https://collector.example:4317/", "protocol": "grpc", "headers": { "Authorization": "Bearer ${OTLP_TOKEN}", "x-tenant": "ops" }, "interval": 15 },
              "metrics": { "tokenSha256": "{{hash}}" } }
            """);

        Assert.True(result.Succeeded, string.Join('\n', result.Diagnostics));
        var telemetry = result.Configuration!.Telemetry;
        Assert.Equal("gateway-eu", telemetry.ServiceName);
        var otlp = telemetry.Otlp!;
        Assert.Equal((new Uri("https://collector.example:4317/"), OtlpProtocol.Grpc, TimeSpan.FromSeconds(15)), (otlp.Endpoint, otlp.Protocol, otlp.Interval));
        Assert.Equal("Bearer secret-otlp-token", otlp.Headers["Authorization"]);
        Assert.Equal("ops", otlp.Headers["x-tenant"]);
        Assert.Equal(Convert.FromHexString(hash), telemetry.MetricsTokenSha256);
    }

    [Fact]
    public void Load_OnlyAnEndpoint_IsHttpProtobufEveryMinuteWithoutHeaders_AndNoSectionIsNone()
    {
        var otlp = Load("""{ "otlp": { "endpoint": "http://collector:4318" } }""").Configuration!.Telemetry.Otlp!;
        Assert.Equal((OtlpProtocol.HttpProtobuf, TimeSpan.FromSeconds(60), 0), (otlp.Protocol, otlp.Interval, otlp.Headers.Count));

        var path = Path.Combine(_directory, "none.json");
        File.WriteAllText(path, """{ "mcpServers": {} }""");
        Assert.Same(TelemetryDefinition.None, ConfigurationLoader.LoadFile(path, _ => null).Configuration!.Telemetry);
    }

    [Theory]
    [InlineData("true", DiagnosticCodes.WrongType, "/telemetry")]
    [InlineData("""{ "otlpp": {} }""", DiagnosticCodes.UnknownField, "/telemetry/otlpp")]
    [InlineData("""{ "otlp": {} }""", DiagnosticCodes.MissingField, "/telemetry/otlp")]
    [InlineData("""{ "otlp": { "endpoint": "http://c:4318", "compression": "gzip" } }""", DiagnosticCodes.UnknownField, "/telemetry/otlp/compression")]
    [InlineData("""{ "otlp": { "endpoint": "collector:4318" } }""", DiagnosticCodes.InvalidTelemetry, "/telemetry/otlp/endpoint")]
    [InlineData("""{ "otlp": { "endpoint": "ftp://collector" } }""", DiagnosticCodes.InvalidTelemetry, "/telemetry/otlp/endpoint")]
    [InlineData("""{ "otlp": { "endpoint": "http://c:4318/?key=1" } }""", DiagnosticCodes.InvalidTelemetry, "/telemetry/otlp/endpoint")]
    [InlineData("""{ "otlp": { "endpoint": "" } }""", DiagnosticCodes.EmptyString, "/telemetry/otlp/endpoint")]
    [InlineData("""{ "otlp": { "endpoint": "${NOT_SET}" } }""", DiagnosticCodes.MissingVariable, "/telemetry/otlp/endpoint")]
    [InlineData("""{ "otlp": { "endpoint": "http://c:4318", "protocol": "http/json" } }""", DiagnosticCodes.InvalidTelemetry, "/telemetry/otlp/protocol")]
    [InlineData("""{ "otlp": { "endpoint": "http://c:4318", "headers": { "bad name": "x" } } }""", DiagnosticCodes.InvalidTelemetry, "/telemetry/otlp/headers/bad name")]
    [InlineData("""{ "otlp": { "endpoint": "http://c:4318", "headers": { "X": 1 } } }""", DiagnosticCodes.WrongType, "/telemetry/otlp/headers/X")]
    [InlineData("""{ "otlp": { "endpoint": "http://c:4318", "headers": [] } }""", DiagnosticCodes.WrongType, "/telemetry/otlp/headers")]
    [InlineData("""{ "otlp": { "endpoint": "http://c:4318", "interval": 0 } }""", DiagnosticCodes.InvalidTelemetry, "/telemetry/otlp/interval")]
    [InlineData("""{ "otlp": { "endpoint": "http://c:4318", "interval": 3601 } }""", DiagnosticCodes.InvalidTelemetry, "/telemetry/otlp/interval")]
    [InlineData("""{ "otlp": { "endpoint": "http://c:4318", "interval": "60" } }""", DiagnosticCodes.InvalidTelemetry, "/telemetry/otlp/interval")]
    [InlineData("""{ "serviceName": " " }""", DiagnosticCodes.InvalidTelemetry, "/telemetry/serviceName")]
    [InlineData("""{ "serviceName": 5 }""", DiagnosticCodes.WrongType, "/telemetry/serviceName")]
    [InlineData("""{ "metrics": { "tokenSha256": "abc" } }""", DiagnosticCodes.InvalidHash, "/telemetry/metrics/tokenSha256")]
    [InlineData("""{ "metrics": {} }""", DiagnosticCodes.MissingField, "/telemetry/metrics")]
    [InlineData("""{ "metrics": { "tokenSha256": "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc", "token": "x" } }""", DiagnosticCodes.UnknownField, "/telemetry/metrics/token")]
    public void Load_BadTelemetry_IsAnErrorAtItsPath(string telemetry, string code, string path)
    {
        var errors = Load(telemetry).Diagnostics.Where(d => d.IsError).ToList();
        Assert.Contains(errors, e => (e.Code, e.Path) == (code, path));
        Assert.All(errors, e => Assert.Equal(path, e.Path[..Math.Min(e.Path.Length, path.Length)]));
    }

    [Theory]
    [InlineData("""{ "otlp": { "endpoint": "http://user:pa55word@collector:4318" } }""", "pa55word", "/telemetry/otlp/endpoint")]
    [InlineData("""{ "otlp": { "endpoint": "http://c:4318", "headers": { "Authorization": "Bearer ${OTLP_TOKEN},more" } } }""", "secret-otlp-token", "/telemetry/otlp/headers/Authorization")]
    [InlineData("""{ "otlp": { "endpoint": "http://c:4318", "headers": { "Authorization": "a\nb-hidden" } } }""", "b-hidden", "/telemetry/otlp/headers/Authorization")]
    public void Load_ACredentialTheExporterCannotCarry_IsRefusedWithoutQuotingIt(string telemetry, string secret, string path)
    {
        var error = Assert.Single(Load(telemetry).Diagnostics, d => d.IsError);
        Assert.Equal((DiagnosticCodes.InvalidTelemetry, path), (error.Code, error.Path));
        Assert.DoesNotContain(secret, error.Message, StringComparison.Ordinal);
    }
}
