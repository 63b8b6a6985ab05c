using System.Text.Json;
using McpWarden.Tests.Fixture;
using McpWarden.Tests.Gateway;
using Xunit;

namespace McpWarden.Tests.Telemetry;

/// <summary>
/// OTLP export from the real <c>mcpwarden serve</c> and <c>stdio</c> to a tiny OTLP/HTTP collector in the test: a
/// span per tool call with its tool and decision, the metrics, the configured headers, the standard variables when
/// the file says nothing, a flush on shutdown, nothing on stdio's standard output, and no trace context sent to servers.
/// </summary>
public sealed class OtlpEndToEndTests : IAsyncLifetime
{
    private const string Policy = """
        { "version": "1", "default": "deny", "tools": {
            "get_balance": {},
            "delete_records": { "action": "deny" } } }
        """;

    /// <summary>A client's W3C trace context, marked not sampled: the gateway traces the call anyway, in the client's trace.</summary>
    private const string ClientTraceId = "0af7651916cd43dd8448eb211c80319c";

    private readonly string _directory = Directory.CreateTempSubdirectory("mcpwarden-otlp-").FullName;
    private readonly McpHttpExchange _mcp = new();
    private OtlpReceiver _collector = null!;

    public ValueTask InitializeAsync()
    {
        _collector = OtlpReceiver.Start();
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        _mcp.Dispose();
        await _collector.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task Serve_ConfiguredCollector_GetsASpanPerCallWithToolAndDecision_AndTheMetrics_WithTheConfiguredHeaders()
    {
        const string Token = "t0k%en-42";
        var fixture = new FixtureGateway(_directory, Policy, Telemetry("""{ "Authorization": "Bearer ${OTLP_TOKEN}" }"""));
        await using var gateway = await ServeGatewayProcess.StartAsync(fixture.Configuration, environment: new Dictionary<string, string> { ["OTLP_TOKEN"] = Token, ["OTEL_BSP_SCHEDULE_DELAY"] = "200" });
        var endpoint = gateway.Endpoint("payments");
        var session = await _mcp.InitializeAsync(endpoint);

        await _mcp.PostAsync(endpoint, """{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"get_balance","arguments":{},"_meta":{"traceparent":"00-""" + ClientTraceId + """-b7ad6b7169203331-00"}}}""", session);
        await _mcp.PostAsync(endpoint, """{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"delete_records","arguments":{"table":"secret-arg-7f3a"}}}""", session);

        var traces = await _collector.WaitForAsync(
            "/v1/traces",
            "tools/call get_balance", "tools/call delete_records", "mcp.method.name", "gen_ai.tool.name", "mcp.session.id",
            "mcpwarden.decision", "mcpwarden.reason_code", "allowed", "denied_by_rule", "mcpwarden.server", "payments", "mcpwarden-e2e");
        // The client's trace id travels in binary: the call's span joined the client's trace although it was not sampled there.
        Assert.Contains(traces, export => export.Contains(Convert.FromHexString(ClientTraceId)));
        var metrics = await _collector.WaitForAsync("/v1/metrics", "mcpwarden.decisions", "mcpwarden.evaluation.duration", "mcpwarden.upstream.duration", "get_balance");

        Assert.All(traces.Concat(metrics), export =>
        {
            Assert.Equal("POST", export.Method);
            Assert.Equal("application/x-protobuf", export.ContentType);
            Assert.Equal("Bearer " + Token, export.Headers["Authorization"]);
            Assert.DoesNotContain("secret-arg-7f3a", export.Text, StringComparison.Ordinal);
        });
        Assert.Contains($"exporting traces and metrics over OTLP (http/protobuf) to {_collector.Url}", gateway.Log, StringComparison.Ordinal);
        Assert.DoesNotContain(Token, gateway.Log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_StandardVariablesWhenTheFileSaysNothing_AndWhatIsBufferedIsFlushedOnShutdown()
    {
        var fixture = new FixtureGateway(_directory, Policy);
        await using var gateway = await ServeGatewayProcess.StartAsync(fixture.Configuration, environment: new Dictionary<string, string>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = _collector.Url.ToString().TrimEnd('/'),
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_SERVICE_NAME"] = "service-from-env",
            // Nothing leaves on a schedule within the test: only stopping sends it.
            ["OTEL_BSP_SCHEDULE_DELAY"] = "3600000",
            ["OTEL_METRIC_EXPORT_INTERVAL"] = "3600000",
        });
        var endpoint = gateway.Endpoint("payments");
        var session = await _mcp.InitializeAsync(endpoint);
        await _mcp.PostAsync(endpoint, McpHttpExchange.Call(1, "get_balance"), session);
        Assert.Empty(_collector.Received("/v1/traces"));

        Assert.Equal(0, await gateway.StopAsync());

        await _collector.WaitForAsync("/v1/traces", "tools/call get_balance", "service-from-env", "allowed");
        await _collector.WaitForAsync("/v1/metrics", "mcpwarden.decisions", "service-from-env");
    }

    [Fact]
    public async Task Stdio_ExportsTheCallsSpan_AndWritesNothingButProtocolToStandardOutput()
    {
        var fixture = new FixtureGateway(_directory, Policy, Telemetry());
        await using var gateway = StdioGatewayProcess.Start(fixture.Configuration, new Dictionary<string, string> { ["OTEL_BSP_SCHEDULE_DELAY"] = "200" });
        await gateway.InitializeAsync();
        await gateway.SendAsync(McpHttpExchange.Call(1, "get_balance"));
        Assert.True((await gateway.AnswerToAsync(1)).TryGetProperty("result", out _));

        await _collector.WaitForAsync("/v1/traces", "tools/call get_balance", "allowed", "mcp.session.id");
        Assert.Equal(0, await gateway.CloseAsync());
        for (var line = await gateway.ReadLineAsync(TimeSpan.FromSeconds(10)); line is not null; line = await gateway.ReadLineAsync(TimeSpan.FromSeconds(10)))
        {
            using var message = JsonDocument.Parse(line);
            Assert.Equal("2.0", message.RootElement.GetProperty("jsonrpc").GetString());
        }

        await _collector.WaitForAsync("/v1/metrics", "mcpwarden.decisions");
        Assert.Contains("exporting traces and metrics over OTLP", gateway.Log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_Traced_SendsTheServerNoTraceContext_EvenWhenTheClientsRequestCarriedSome()
    {
        var callLog = Path.Combine(_directory, "calls.jsonl");
        await using var server = await FixtureHttpProcess.StartAsync(new Dictionary<string, string> { ["FIXTURE_CALL_LOG"] = callLog });
        var configuration = Path.Combine(_directory, "mcpwarden.json");
        await File.WriteAllTextAsync(configuration, $$"""
            { "mcpServers": { "fixture": { "url": {{JsonSerializer.Serialize(server.Url.ToString())}}, "type": "http", "policy": {{Policy}} } },
              {{Telemetry()}} "store": { "path": "mcpwarden.db" } }
            """, TestContext.Current.CancellationToken);
        await using var gateway = await ServeGatewayProcess.StartAsync(configuration, environment: new Dictionary<string, string> { ["OTEL_BSP_SCHEDULE_DELAY"] = "200" });
        var endpoint = gateway.Endpoint("fixture");
        var session = await _mcp.InitializeAsync(endpoint);

        // Even a client that sends trace context on its HTTP request: the server hears of no trace.
        var headers = new Dictionary<string, string> { ["traceparent"] = $"00-{ClientTraceId}-b7ad6b7169203331-01", ["baggage"] = "user=someone" };
        await _mcp.PostAsync(endpoint, McpHttpExchange.Call(1, "get_balance"), session, headers);
        await _collector.WaitForAsync("/v1/traces", "tools/call get_balance");

        var call = Assert.Single(File.ReadAllLines(callLog).Select(line => JsonDocument.Parse(line).RootElement));
        var sent = call.GetProperty("headers").EnumerateObject().Select(h => h.Name.ToLowerInvariant()).ToList();
        Assert.DoesNotContain("traceparent", sent);
        Assert.DoesNotContain("tracestate", sent);
        Assert.DoesNotContain("baggage", sent);
        Assert.DoesNotContain("request-id", sent);
    }

    /// <summary>The <c>telemetry</c> field exporting to the test's collector every second, with extra headers if given.</summary>
    private string Telemetry(string headers = "{}") => $$"""
        "telemetry": { "serviceName": "mcpwarden-e2e",
                       "otlp": { "endpoint": {{JsonSerializer.Serialize(_collector.Url.ToString())}}, "protocol": "http/protobuf", "headers": {{headers}}, "interval": 1 } },
        """;
}
