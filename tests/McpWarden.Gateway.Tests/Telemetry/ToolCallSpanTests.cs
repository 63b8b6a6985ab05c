using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using McpWarden.Gateway.Audit;
using McpWarden.Gateway.Configuration;
using McpWarden.Gateway.Enforcement;
using McpWarden.Gateway.Relay;
using McpWarden.Gateway.Storage;
using McpWarden.Gateway.Telemetry;
using McpWarden.Gateway.Tests.Relay;
using McpWarden.Gateway.Time;
using McpWarden.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using ModelContextProtocol.Protocol;
using Xunit;

namespace McpWarden.Gateway.Tests.Telemetry;

/// <summary>The span of a <c>tools/call</c> through a relay session: its name, kind, attributes, status and parent.</summary>
public sealed class ToolCallSpanTests : IAsyncDisposable
{
    private readonly string _sessionId = "s-" + Guid.NewGuid().ToString("N");
    private readonly InMemoryServerTransport _server = new();
    private readonly Channel<JsonRpcMessage> _toClient = Channel.CreateUnbounded<JsonRpcMessage>();
    private readonly ManualTimeProvider _clock = new(ManualTimeProvider.TestEpoch);
    private readonly ConcurrentQueue<Activity> _ended = new();
    private readonly ActivityListener _listener;
    private readonly ProxySession _session;
    private bool _listed;
    private JsonRpcRequest? _forwarded;

    public ToolCallSpanTests()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == GatewayTracing.SourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            // Other tests' sessions trace too while this listener is on: only this test's session is kept.
            ActivityStopped = activity =>
            {
                if (Equals(activity.GetTagItem(GatewayTracing.SessionId), _sessionId))
                {
                    _ended.Enqueue(activity);
                }
            },
        };
        ActivitySource.AddActivityListener(_listener);
        var definition = new ServerDefinition(
            "srv",
            new StdioUpstreamDefinition("server", [], new Dictionary<string, string>(), "/"),
            Policies.Load("""{"version":"1","default":"deny","tools":{"ok":{},"limited":{"rate_limit":{"max":1,"window":60}}}}"""),
            "inline",
            EnforcementMode.Enforce,
            TimeSpan.FromSeconds(30));
        var gate = new ToolCallGate(GatewayStores.InMemory(_clock), AuditSettings.Default, _clock, NullLogger<ToolCallGate>.Instance);
        _session = new ProxySession(definition, "g", _sessionId, _server, message => _toClient.Writer.WriteAsync(message).AsTask(), gate, _clock, NullLogger.Instance);
        _session.Start();
    }

    public async ValueTask DisposeAsync()
    {
        await _session.DisposeAsync();
        _listener.Dispose();
    }

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AllowedCall_IsAServerSpanNamedForItsTool_InTheClientsTrace_AndNeverTheAmbientActivity()
    {
        var traceId = ActivityTraceId.CreateRandom();
        var parent = ActivitySpanId.CreateRandom();
        await CallAsync(1, """{"name":"ok","arguments":{"secret":"arg-value"},"_meta":{"traceparent":"00-""" + traceId + "-" + parent + """-00"}}""");
        Assert.Null(Activity.Current);
        await AnswerAsync(new JsonObject { ["content"] = new JsonArray() });

        var span = await EndedAsync();
        Assert.Equal(("tools/call ok", ActivityKind.Server, ActivityStatusCode.Unset), (span.DisplayName, span.Kind, span.Status));
        Assert.Equal((traceId, parent), (span.TraceId, span.ParentSpanId));
        Assert.Equal("tools/call", span.GetTagItem(GatewayTracing.MethodName));
        Assert.Equal("ok", span.GetTagItem(GatewayTracing.ToolName));
        Assert.Equal("execute_tool", span.GetTagItem(GatewayTracing.OperationName));
        Assert.Equal("1", span.GetTagItem(GatewayTracing.RequestId));
        Assert.Equal(("srv", "g"), (span.GetTagItem(GatewayTracing.Server), span.GetTagItem(GatewayTracing.Grant)));
        Assert.Equal(("allow", "allowed", "enforce"), (span.GetTagItem(GatewayTracing.Decision), span.GetTagItem(GatewayTracing.ReasonCode), span.GetTagItem(GatewayTracing.Mode)));
        Assert.Equal(AuditOutcomes.Ok, span.GetTagItem(GatewayTracing.Outcome));
        Assert.Null(span.GetTagItem(GatewayTracing.ErrorType));
        Assert.DoesNotContain(span.TagObjects, tag => tag.Value is string text && text.Contains("arg-value", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RefusedCall_IsAnError_WithItsReasonCode()
    {
        await CallAsync(1, """{"name":"limited","arguments":{}}""");
        await AnswerAsync(new JsonObject { ["content"] = new JsonArray() });
        Assert.Equal(ActivityStatusCode.Unset, (await EndedAsync()).Status);

        await _session.FromClientAsync(new JsonRpcRequest { Id = new RequestId(2), Method = RequestMethods.ToolsCall, Params = JsonNode.Parse("""{"name":"limited","arguments":{}}""") });
        var refused = await EndedAsync();
        Assert.Equal(("tools/call limited", ActivityStatusCode.Error, "rate_limited"), (refused.DisplayName, refused.Status, refused.StatusDescription));
        Assert.Equal(("deny", "rate_limited"), (refused.GetTagItem(GatewayTracing.Decision), refused.GetTagItem(GatewayTracing.ErrorType)));
        Assert.NotNull(refused.GetTagItem(GatewayTracing.RulePath));
    }

    [Fact]
    public async Task CallToANameTheServerDoesNotList_IsNamedAndTaggedWithoutIt()
    {
        await CallAsync(1, """{"name":"made_up_name","arguments":{}}""", expectForward: false);

        var span = await EndedAsync();
        Assert.Equal(("tools/call", ActivityStatusCode.Error), (span.DisplayName, span.Status));
        // Whatever a client sends as a name is not exported with every span: only names the server lists are.
        Assert.Equal((null, "unknown_tool"), (span.GetTagItem(GatewayTracing.ToolName), span.GetTagItem(GatewayTracing.ErrorType)));
    }

    [Fact]
    public async Task ToolError_IsAnError_WithTheOutcome()
    {
        await CallAsync(1, """{"name":"ok","arguments":{}}""");
        await AnswerAsync(new JsonObject { ["content"] = new JsonArray(), ["isError"] = true });

        var span = await EndedAsync();
        Assert.Equal((ActivityStatusCode.Error, AuditOutcomes.ToolError), (span.Status, span.GetTagItem(GatewayTracing.ErrorType)));
        Assert.Equal(("allow", AuditOutcomes.ToolError), (span.GetTagItem(GatewayTracing.Decision), span.GetTagItem(GatewayTracing.Outcome)));
    }

    /// <summary>Sends a call; the first one's tool list is answered with <c>ok</c> and <c>limited</c>; waits for the forward unless refused.</summary>
    private async Task CallAsync(long id, string parameters, bool expectForward = true)
    {
        await _session.FromClientAsync(new JsonRpcRequest { Id = new RequestId(id), Method = RequestMethods.ToolsCall, Params = JsonNode.Parse(parameters) });
        if (!_listed)
        {
            var listing = (JsonRpcRequest)await _server.NextSentAsync(Token);
            await _server.DeliverAsync(new JsonRpcResponse { Id = listing.Id, Result = new JsonObject { ["tools"] = new JsonArray(new JsonObject { ["name"] = "ok" }, new JsonObject { ["name"] = "limited" }) } });
            _listed = true;
        }

        _forwarded = expectForward ? (JsonRpcRequest)await _server.NextSentAsync(Token).WaitAsync(TimeSpan.FromSeconds(10), Token) : null;
    }

    private async Task AnswerAsync(JsonObject result)
    {
        await _server.DeliverAsync(new JsonRpcResponse { Id = _forwarded!.Id, Result = result });
        await _toClient.Reader.ReadAsync(Token).AsTask().WaitAsync(TimeSpan.FromSeconds(10), Token);
    }

    /// <summary>The next span of this test's session to end (spans end just after the client is answered).</summary>
    private async Task<Activity> EndedAsync()
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        Activity? span;
        while (!_ended.TryDequeue(out span))
        {
            await Task.Delay(10, deadline.Token);
        }

        return span;
    }
}
