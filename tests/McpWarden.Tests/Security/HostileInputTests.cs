using System.Net;
using System.Text.Json;
using McpWarden.Tests.Gateway;
using Xunit;

namespace McpWarden.Tests.Security;

/// <summary>
/// The hostile-input corpus (tests/security/corpus) sent to both fronts of the real gateway. Each row sends
/// one case and checks the answer it is owed (status, JSON-RPC code, a fragment of the message that names the
/// problem, id; or no answer at all), that the fixture server ran no call it should not have, and then that
/// the gateway still serves: a health probe, a real tool call that reaches the server, and no unhandled
/// exception in its log since the case began.
/// </summary>
[Trait("Security", "hostile-input")]
public sealed class HostileInputTests(HostileInputGateways gateways) : IClassFixture<HostileInputGateways>, IDisposable
{
    /// <summary>The kinds of hostile input the issue names; the corpus must keep at least one case tagged with each.</summary>
    private static readonly string[] RequiredTags =
    [
        "malformed-json", "truncated", "invalid-utf8", "bom", "nul-byte", "deep-nesting", "oversize-string", "oversize-array",
        "id-overflow", "id-not-integer", "id-null", "missing-jsonrpc", "wrong-jsonrpc", "batch", "unsolicited-response",
        "notification-with-id", "unknown-method", "before-initialize", "second-initialize", "duplicate-key-top",
        "duplicate-key-params", "duplicate-name", "duplicate-arguments", "arguments-wrong-type", "oversized-header",
        "wrong-content-type", "missing-accept", "bad-protocol-version", "unknown-session", "stolen-session",
    ];

    private static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(20);
    private static int s_sequence;

    private readonly HostileHttpClient _http = new();

    public static IEnumerable<TheoryDataRow<string>> HttpCases => HostileInputCorpus.Rows("http", c => c.SentOverHttp);

    public static IEnumerable<TheoryDataRow<string>> StdioCases => HostileInputCorpus.Rows("stdio", c => c.SentOverStdio);

    public void Dispose() => _http.Dispose();

    [Fact]
    public void Corpus_HasAtLeast150CasesAndEveryKindTheIssueNames()
    {
        var cases = HostileInputCorpus.Cases;
        Assert.True(cases.Count >= 150, $"the corpus has {cases.Count} cases; it must keep at least 150");
        var tags = cases.SelectMany(c => c.Tags).ToHashSet(StringComparer.Ordinal);
        var missing = RequiredTags.Where(t => !tags.Contains(t)).ToList();
        Assert.True(missing.Count == 0, "no case is tagged " + string.Join(", ", missing));
        // Only what is about HTTP headers or sessions may skip stdio, and it must say why.
        Assert.All(cases.Where(c => !c.SentOverStdio), c => Assert.False(string.IsNullOrWhiteSpace(c.HttpOnly), c.Key));
        Assert.True(cases.Count(c => c.SentOverHttp && c.SentOverStdio) >= 100, "most cases go to both fronts");
    }

    [Fact]
    public void LogCheck_FindsFailuresAndStackFrames_ButNotRefusals()
    {
        Assert.Single(GatewayLogCheck.UnhandledExceptions("fail: McpWarden.Http.McpHttpHandler[0] boom"));
        Assert.Single(GatewayLogCheck.UnhandledExceptions("crit: Microsoft.AspNetCore.Server.Kestrel[13] died"));
        Assert.Single(GatewayLogCheck.UnhandledExceptions("   at McpWarden.Gateway.Fronts.StdioFront.RunAsync(Stream input)"));
        Assert.Single(GatewayLogCheck.UnhandledExceptions("Unhandled exception. System.InvalidOperationException: no"));
        Assert.Empty(GatewayLogCheck.UnhandledExceptions("warn: McpWarden.Gateway.Fronts.StdioFront[101] refused a message: \"id\" must be a string or an integer at /params (1:5)"));
        // A server's own stack trace, relayed from its standard error, is the server's trouble.
        Assert.Empty(GatewayLogCheck.UnhandledExceptions("info: McpWarden.Gateway.Upstreams.UpstreamTransportFactory[130] payments stderr: \"   at System.Text.Json.Utf8JsonReader.GetString()\""));
    }

    [Fact]
    public async Task NormalTraffic_LogsDecisions_AndNothingThatLooksLikeAnUnhandledException()
    {
        var http = await RealCallOverHttpAsync();
        var stdio = await RealCallOverStdioAsync(gateways.Stdio);
        Assert.Contains("result", http.Body, StringComparison.Ordinal);
        Assert.True(stdio.TryGetProperty("result", out _), stdio.ToString());

        // Both logs are really captured and hold no failure. A plain allow is logged only at Debug, so each gateway
        // shows its log works by the refusal of a call it does not allow.
        var refused = await _http.CallAsync(gateways.Serve.Endpoint("payments"), gateways.Sessions["own"], "refused-" + Interlocked.Increment(ref s_sequence), HostileInputGateways.RefusedTool);
        Assert.Equal(HttpStatusCode.OK, refused.Status);
        await gateways.Stdio.SendAsync(HostileInputGateways.RealCall("refused-" + Interlocked.Increment(ref s_sequence), HostileInputGateways.RefusedTool));
        Assert.NotNull(await gateways.Stdio.ReadLineAsync(ReadTimeout));
        await gateways.Serve.WaitForLogAsync(HostileInputGateways.RefusedTool);
        await gateways.Stdio.WaitForLogAsync(HostileInputGateways.RefusedTool);
        Assert.Empty(GatewayLogCheck.UnhandledExceptions(gateways.Serve.Log));
        Assert.Empty(GatewayLogCheck.UnhandledExceptions(gateways.Stdio.Log));
    }

    [Theory]
    [MemberData(nameof(HttpCases))]
    public async Task SentOverHttp(string key)
    {
        var hostile = HostileInputCorpus.Find(key);
        var expected = hostile.ForHttp;
        var logFrom = gateways.Serve.Log.Length;
        var callsBefore = gateways.HttpSide.CallsReceived().Count;
        var session = hostile.Http.Session ?? (hostile.Uninitialized ? "none" : "own");
        var sessionId = session == "none" ? null : gateways.Sessions[session];

        var answer = await _http.SendAsync(gateways.Serve.BaseUrl, hostile, sessionId);

        var status = expected.Status ?? (expected.None ? 202 : throw new InvalidDataException($"{key}: an HTTP expectation needs a status"));
        Assert.True((int)answer.Status == status, $"{key}: expected HTTP {status}, got {answer}");
        if (expected.None || expected.EmptyBody)
        {
            Assert.True(answer.Body.Length == 0, $"{key}: expected no body, got {answer}");
        }
        else
        {
            var messages = answer.Messages;
            Assert.True(messages.Count >= 1, $"{key}: expected a JSON-RPC message, got {answer}");
            AssertAnswer(key, expected, messages[^1]);
        }

        AssertCallsRan(key, expected, gateways.HttpSide, callsBefore);

        // Still serving: health, a real call that reaches the server, and a clean log.
        Assert.Equal(HttpStatusCode.OK, await _http.HealthAsync(gateways.Serve.BaseUrl));
        await RealCallOverHttpAsync();
        AssertNoUnhandledException(key, gateways.Serve.Log[logFrom..]);
    }

    [Theory]
    [MemberData(nameof(StdioCases))]
    public async Task SentOverStdio(string key)
    {
        var hostile = HostileInputCorpus.Find(key);
        if (!hostile.Uninitialized)
        {
            await SendOverStdioAsync(hostile, gateways.Stdio);
            return;
        }

        await using var fresh = gateways.TakeFreshStdio();
        await SendOverStdioAsync(hostile, fresh);
    }

    private async Task SendOverStdioAsync(HostileInputCase hostile, StdioGatewayProcess gateway)
    {
        var key = hostile.Key;
        var expected = hostile.ForStdio;
        var logFrom = gateway.Log.Length;
        var callsBefore = gateways.StdioSide.CallsReceived().Count;
        var probe = "probe-" + Interlocked.Increment(ref s_sequence);

        try
        {
            await gateway.SendBytesAsync(HostileInputCorpus.Expand(hostile.Body), TestContext.Current.CancellationToken);
        }
        catch (IOException e)
        {
            throw new InvalidOperationException($"{key}: the gateway stopped reading its input; its log:\n{gateway.Log}", e);
        }
        // The health probe: a ping, allowed in every state. Whatever the case is owed comes before its answer;
        // an answer that needs the server may come after it.
        await gateway.SendAsync($$"""{"jsonrpc":"2.0","id":"{{probe}}","method":"ping"}""");
        var answers = new List<JsonElement>();
        var probeAnswered = false;
        var wanted = expected.None ? 0 : expected.Count;
        while (!probeAnswered || answers.Count < wanted)
        {
            var line = await gateway.ReadLineAsync(ReadTimeout) ?? throw new InvalidOperationException($"{key}: the gateway closed its output; log:\n{gateway.Log[logFrom..]}");
            var message = ParseLine(key, line);
            if (IsAnswerTo(message, probe))
            {
                Assert.True(message.TryGetProperty("result", out _), $"{key}: the ping was not answered with a result: {line}");
                probeAnswered = true;
                continue;
            }

            answers.Add(message);
        }

        Assert.True(answers.Count == wanted, $"{key}: expected {wanted} answer(s), got {answers.Count}: {string.Join(" | ", answers)}");
        foreach (var answer in answers)
        {
            AssertAnswer(key, expected, answer);
        }

        AssertCallsRan(key, expected, gateways.StdioSide, callsBefore);

        if (hostile.Uninitialized)
        {
            await gateway.InitializeAsync();
        }

        var result = await RealCallOverStdioAsync(gateway);
        Assert.True(result.TryGetProperty("result", out _), $"{key}: the real call after the case failed: {result}");
        Assert.False(gateway.HasExited, $"{key}: the gateway exited");
        AssertNoUnhandledException(key, gateway.Log[logFrom..]);
    }

    /// <summary>What the fixture server ran because of the case, from its own call log.</summary>
    private static void AssertCallsRan(string key, ExpectedAnswer expected, FixtureGateway side, int before)
    {
        var ran = side.CallsReceived().Skip(before).Select(c => c.GetProperty("tool").GetString()).ToList();
        Assert.True(ran.Count == expected.Calls, $"{key}: the server ran {ran.Count} call(s) ({string.Join(", ", ran)}); expected {expected.Calls}");
        Assert.True(expected.Ran is null || ran.All(t => t == expected.Ran), $"{key}: the server ran {string.Join(", ", ran)}; expected only {expected.Ran}");
    }

    private static void AssertAnswer(string key, ExpectedAnswer expected, JsonElement answer)
    {
        Assert.True(answer.TryGetProperty("jsonrpc", out var version) && version.GetString() == "2.0", $"{key}: not a JSON-RPC 2.0 message: {answer}");
        Assert.True(answer.TryGetProperty("id", out var id), $"{key}: the answer has no id: {answer}");
        Assert.True(JsonElement.DeepEquals(expected.Id, id), $"{key}: expected id {expected.Id.GetRawText()}, got {answer}");
        if (expected.Code is { } code)
        {
            Assert.True(answer.TryGetProperty("error", out var error), $"{key}: expected error {code}, got {answer}");
            Assert.True(error.GetProperty("code").GetInt32() == code, $"{key}: expected error {code}, got {answer}");
            Assert.True(error.GetProperty("message").GetString()!.Contains(expected.Message!, StringComparison.Ordinal), $"{key}: expected a message with \"{expected.Message}\", got {answer}");
            return;
        }

        Assert.True(answer.TryGetProperty("result", out var result), $"{key}: expected a result, got {answer}");
        if (expected.Denial is { } denial)
        {
            Assert.True(result.TryGetProperty("isError", out var isError) && isError.GetBoolean(), $"{key}: expected a refused tool result, got {answer}");
            Assert.True(result.GetProperty("_meta").GetProperty("mcpwarden/policy").GetProperty("code").GetString() == denial, $"{key}: expected the denial {denial}, got {answer}");
        }
    }

    private async Task<HttpExchange> RealCallOverHttpAsync()
    {
        var before = gateways.HttpSide.CallsReceived().Count;
        var id = "call-" + Interlocked.Increment(ref s_sequence);
        var call = await _http.CallAsync(gateways.Serve.Endpoint("payments"), gateways.Sessions["own"], id);
        Assert.True(call.Status == HttpStatusCode.OK && call.Messages.Count > 0, $"the real call failed: {call}");
        var text = call.Messages[^1].GetProperty("result").GetProperty("content")[0].GetProperty("text").GetString();
        Assert.StartsWith(HostileInputGateways.AllowedTool + " called with", text, StringComparison.Ordinal);
        Assert.Equal(before + 1, gateways.HttpSide.CallsReceived().Count);
        return call;
    }

    private async Task<JsonElement> RealCallOverStdioAsync(StdioGatewayProcess gateway)
    {
        var before = gateways.StdioSide.CallsReceived().Count;
        var id = "call-" + Interlocked.Increment(ref s_sequence);
        await gateway.SendAsync(HostileInputGateways.RealCall(id));
        var line = await gateway.ReadLineAsync(ReadTimeout) ?? throw new InvalidOperationException("the gateway closed its output");
        var message = ParseLine("real call", line);
        Assert.True(IsAnswerTo(message, id), $"a message nobody asked for arrived before the real call's answer: {line}");
        var text = message.GetProperty("result").GetProperty("content")[0].GetProperty("text").GetString();
        Assert.StartsWith(HostileInputGateways.AllowedTool + " called with", text, StringComparison.Ordinal);
        Assert.Equal(before + 1, gateways.StdioSide.CallsReceived().Count);
        return message;
    }

    private static bool IsAnswerTo(JsonElement message, string id) =>
        message.TryGetProperty("id", out var seen) && seen.ValueKind == JsonValueKind.String && seen.GetString() == id && !message.TryGetProperty("method", out _);

    private static JsonElement ParseLine(string key, string line)
    {
        try
        {
            using var document = JsonDocument.Parse(line);
            return document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new InvalidOperationException($"{key}: the gateway wrote a line that is not JSON ({e.Message}): {line}", e);
        }
    }

    private static void AssertNoUnhandledException(string key, string log)
    {
        var found = GatewayLogCheck.UnhandledExceptions(log);
        Assert.True(found.Count == 0, $"{key}: the gateway logged an unhandled exception:\n{string.Join('\n', found)}");
    }
}
