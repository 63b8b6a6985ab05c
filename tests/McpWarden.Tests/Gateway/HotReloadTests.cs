using System.Diagnostics;
using System.Net;
using System.Text.Json;
using McpWarden.Policy;
using Xunit;

namespace McpWarden.Tests.Gateway;

/// <summary>
/// The real <c>mcpwarden serve</c> with its policy and configuration files edited while clients call through it:
/// no call fails, each follows the rule in force when it was sent, a bad edit is refused visibly, budgets carry
/// over, and servers come and go without disturbing the others.
/// </summary>
public sealed class HotReloadTests : IDisposable
{
    private const int Loops = 4;

    private readonly string _directory = Directory.CreateTempSubdirectory("mcpwarden-reload-").FullName;
    private readonly McpHttpExchange _mcp = new();
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };

    public void Dispose()
    {
        _mcp.Dispose();
        _http.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private string PolicyPath => Path.Combine(_directory, "fixture-policy.json");

    private string ConfigurationPath => Path.Combine(_directory, "mcpwarden.json");

    private static string FixtureServer(string policy) =>
        $$"""{ "command": "dotnet", "args": [{{JsonSerializer.Serialize(EndToEnd.Fixture)}}, "stdio"], "policy": {{policy}} }""";

    /// <summary>A configuration whose <c>fixture</c> server reads its policy from a file, plus any other servers.</summary>
    private string WriteConfiguration(string otherServers = "")
    {
        File.WriteAllText(ConfigurationPath, $$"""
            { "mcpServers": {
                "fixture": {{FixtureServer("\"fixture-policy.json\"")}}{{otherServers}} } }
            """);
        return ConfigurationPath;
    }

    /// <summary>Replaces the policy as editors that save safely do: a new file renamed over the old one.</summary>
    private void ReplacePolicy(string json)
    {
        var temporary = PolicyPath + ".tmp";
        File.WriteAllText(temporary, json);
        File.Move(temporary, PolicyPath, overwrite: true);
    }

    /// <summary>Rewrites the policy in place, as editors that truncate and write do.</summary>
    private void RewritePolicy(string json) => File.WriteAllText(PolicyPath, json);

    private async Task<JsonElement> HealthAsync(ServeGatewayProcess gateway)
    {
        using var health = JsonDocument.Parse(await _http.GetStringAsync(new Uri(gateway.BaseUrl, "/healthz"), Token));
        return health.RootElement.Clone();
    }

    /// <summary>Waits until <c>/healthz</c> shows the configuration in the given state, and returns when it first did.</summary>
    private async Task<(long SeenAt, JsonElement Config)> WaitForConfigAsync(ServeGatewayProcess gateway, Func<JsonElement, bool> condition)
    {
        var deadline = Stopwatch.GetTimestamp() + (20 * Stopwatch.Frequency);
        while (true)
        {
            var config = (await HealthAsync(gateway)).GetProperty("config");
            if (condition(config))
            {
                return (Stopwatch.GetTimestamp(), config);
            }

            Assert.True(Stopwatch.GetTimestamp() < deadline, $"/healthz never showed the expected configuration; last: {config}\nGateway log:\n{gateway.Log}");
            await Task.Delay(50, Token);
        }
    }

    private Task<(long SeenAt, JsonElement Config)> WaitForRevisionAsync(ServeGatewayProcess gateway, int revision) =>
        WaitForConfigAsync(gateway, config => config.GetProperty("revision").GetInt32() == revision && config.GetProperty("status").GetString() == "ok");

    /// <summary>Calls a tool and says how it went: <c>allowed</c>, the policy's reason code, or what went wrong.</summary>
    private async Task<string> CallAsync(Uri endpoint, string session, string id, string tool)
    {
        McpHttpAnswer answer;
        try
        {
            answer = await _mcp.PostAsync(endpoint, McpHttpExchange.Call(id, tool), session);
        }
        catch (HttpRequestException e)
        {
            return "transport failure: " + e.Message;
        }

        if (answer.Status != HttpStatusCode.OK || answer.Messages.Count == 0)
        {
            return $"HTTP {(int)answer.Status}";
        }

        var last = answer.Last;
        if (!last.TryGetProperty("id", out var answered) || answered.GetString() != id)
        {
            return "an answer to another request: " + last;
        }

        if (!last.TryGetProperty("result", out var result))
        {
            return "JSON-RPC error: " + last.GetProperty("error");
        }

        if (result.TryGetProperty("isError", out var isError) && isError.GetBoolean())
        {
            return result.TryGetProperty("_meta", out var meta) && meta.TryGetProperty("mcpwarden/policy", out var policy)
                ? policy.GetProperty("code").GetString()!
                : "tool error: " + result;
        }

        return "allowed";
    }

    private sealed record CallRecord(long SentAt, long AnsweredAt, string Outcome);

    private int _callsMade;

    /// <summary>Waits until the loops have made <paramref name="more"/> more calls than now.</summary>
    private async Task WaitForCallsAsync(int more)
    {
        var target = Volatile.Read(ref _callsMade) + more;
        var deadline = Stopwatch.GetTimestamp() + (30 * Stopwatch.Frequency);
        while (Volatile.Read(ref _callsMade) < target)
        {
            Assert.True(Stopwatch.GetTimestamp() < deadline, "the loops stopped making calls");
            await Task.Delay(20, Token);
        }
    }

    /// <summary>Calls <paramref name="tool"/> over and over on its own session until stopped, recording when each call was sent and how it went.</summary>
    private async Task<List<CallRecord>> LoadAsync(Uri endpoint, int loop, string tool, CancellationToken stop)
    {
        var session = await _mcp.InitializeAsync(endpoint);
        var records = new List<CallRecord>();
        for (var i = 0; !stop.IsCancellationRequested; i++)
        {
            var sentAt = Stopwatch.GetTimestamp();
            var outcome = await CallAsync(endpoint, session, $"loop{loop}-{i}", tool);
            records.Add(new CallRecord(sentAt, Stopwatch.GetTimestamp(), outcome));
            Interlocked.Increment(ref _callsMade);
        }

        return records;
    }

    [Fact]
    public async Task PolicyEditedUnderLoad_NoCallFails_AndTheNewRuleAppliesFromTheSwapOn()
    {
        ReplacePolicy("""{ "version": "1", "default": "deny", "tools": { "get_balance": { "rate_limit": { "max": 100000, "window": 60, "scope": "global" } } } }""");
        await using var gateway = await ServeGatewayProcess.StartAsync(WriteConfiguration());
        var endpoint = gateway.Endpoint("fixture");
        var firstRevision = (await HealthAsync(gateway)).GetProperty("servers").GetProperty("fixture").GetProperty("policyRevision").GetString();

        using var stop = new CancellationTokenSource();
        var loops = Enumerable.Range(0, Loops).Select(loop => Task.Run(() => LoadAsync(endpoint, loop, "get_balance", stop.Token), Token)).ToArray();
        await WaitForCallsAsync(5 * Loops);

        // Denied, saved by renaming a new file over the old one.
        ReplacePolicy("""{ "version": "1", "default": "deny", "tools": { "get_balance": { "action": "deny" } } }""");
        var (deniedFrom, _) = await WaitForRevisionAsync(gateway, 2);
        await WaitForCallsAsync(5 * Loops);

        // Allowed again with a lower limit, written in place.
        var limitWritten = Stopwatch.GetTimestamp();
        RewritePolicy("""{ "version": "1", "default": "deny", "tools": { "get_balance": { "rate_limit": { "max": 5, "window": 60, "scope": "global" } } } }""");
        var (limitedFrom, _) = await WaitForRevisionAsync(gateway, 3);
        await WaitForCallsAsync(5 * Loops);

        await stop.CancelAsync();
        var records = (await Task.WhenAll(loops)).SelectMany(r => r).ToList();
        var context = $"\nGateway log:\n{gateway.Log}";

        // Every call got a proper answer, whichever policy decided it.
        Assert.All(records, r => Assert.True(r.Outcome is "allowed" or "denied_by_rule" or "rate_limited", r.Outcome + context));
        Assert.Contains(records, r => r.SentAt < deniedFrom && r.Outcome == "allowed");

        // From the moment /healthz showed the swap, each call followed the new rule (until the next edit began).
        var whileDenied = records.Where(r => r.SentAt > deniedFrom && r.AnsweredAt < limitWritten).ToList();
        Assert.NotEmpty(whileDenied);
        Assert.All(whileDenied, r => Assert.Equal("denied_by_rule", r.Outcome));

        // The limit is counted on the same global counter as before the reloads: at most 5 more got through.
        var whileLimited = records.Where(r => r.SentAt > limitedFrom).ToList();
        Assert.Contains(whileLimited, r => r.Outcome == "rate_limited");
        Assert.All(whileLimited, r => Assert.True(r.Outcome is "allowed" or "rate_limited", r.Outcome));
        Assert.True(whileLimited.Count(r => r.Outcome == "allowed") <= 5, context);

        var health = await HealthAsync(gateway);
        Assert.Equal(Loops, health.GetProperty("servers").GetProperty("fixture").GetProperty("sessions").GetInt32());
        Assert.NotEqual(firstRevision, health.GetProperty("servers").GetProperty("fixture").GetProperty("policyRevision").GetString());
        await gateway.WaitForLogAsync("configuration revision 3 in force");
    }

    [Fact]
    public async Task InvalidPolicyEdit_IsRefusedVisibly_AndTheLastGoodPolicyStaysInForce()
    {
        ReplacePolicy("""{ "version": "1", "default": "deny", "tools": { "get_balance": {} } }""");
        await using var gateway = await ServeGatewayProcess.StartAsync(WriteConfiguration());
        var endpoint = gateway.Endpoint("fixture");
        var session = await _mcp.InitializeAsync(endpoint);
        Assert.Equal("allowed", await CallAsync(endpoint, session, "before", "get_balance"));

        const string Invalid = """{ "version": "1", "default": "deny", "tools": { "get_balance": {}, "delete_records": { "action": "allow-ish" } } }""";
        var expected = PolicyLoader.LoadText("policy", Invalid).Diagnostics.First(d => d.IsError).Code;
        RewritePolicy(Invalid);
        var (_, refused) = await WaitForConfigAsync(gateway, config => config.GetProperty("status").GetString() == "refused");

        Assert.Equal(1, refused.GetProperty("revision").GetInt32());
        Assert.Contains(refused.GetProperty("diagnostics").EnumerateArray(), d => d.GetProperty("code").GetString() == expected && d.GetProperty("severity").GetString() == "error");
        await gateway.WaitForLogAsync("configuration change refused");
        await gateway.WaitForLogAsync("reload: " + expected);

        // The old rule stands, for the open session and for a new one.
        Assert.Equal("allowed", await CallAsync(endpoint, session, "during", "get_balance"));
        Assert.Equal("default_deny", await CallAsync(endpoint, await _mcp.InitializeAsync(endpoint), "fresh", "mpesa_stk_push"));

        // An invalid configuration file is refused the same way.
        var configuration = File.ReadAllText(ConfigurationPath);
        File.WriteAllText(ConfigurationPath, configuration.Replace("\"mcpServers\"", "\"colour\": \"blue\", \"mcpServers\"", StringComparison.Ordinal));
        await WaitForConfigAsync(gateway, config => config.GetProperty("diagnostics").EnumerateArray().Any(d => d.GetProperty("path").GetString() == "/colour"));
        Assert.Equal("allowed", await CallAsync(endpoint, session, "still", "get_balance"));

        // Fixed, both load: the refusal clears.
        File.WriteAllText(ConfigurationPath, configuration);
        RewritePolicy("""{ "version": "1", "default": "deny", "tools": { "get_balance": { "action": "deny" } } }""");
        await WaitForConfigAsync(gateway, config => config.GetProperty("status").GetString() == "ok" && config.GetProperty("revision").GetInt32() == 2 && !config.GetProperty("diagnostics").EnumerateArray().Any());
        Assert.Equal("denied_by_rule", await CallAsync(endpoint, session, "after", "get_balance"));
    }

    [Fact]
    public async Task Reload_ThatKeepsALimit_ContinuesTheBudgetSpentBeforeIt()
    {
        ReplacePolicy("""{ "version": "1", "default": "deny", "tools": { "get_balance": { "rate_limit": { "max": 3, "window": "hour" } } } }""");
        await using var gateway = await ServeGatewayProcess.StartAsync(WriteConfiguration());
        var endpoint = gateway.Endpoint("fixture");
        var session = await _mcp.InitializeAsync(endpoint);
        Assert.Equal("allowed", await CallAsync(endpoint, session, "1", "get_balance"));
        Assert.Equal("allowed", await CallAsync(endpoint, session, "2", "get_balance"));

        // Another rule changes; the grant-scoped limit on get_balance does not.
        ReplacePolicy("""{ "version": "1", "default": "deny", "tools": { "get_balance": { "rate_limit": { "max": 3, "window": "hour" } }, "mpesa_stk_push": {} } }""");
        await WaitForRevisionAsync(gateway, 2);

        Assert.Equal("allowed", await CallAsync(endpoint, session, "3", "get_balance"));
        Assert.Equal("rate_limited", await CallAsync(endpoint, session, "4", "get_balance"));
        // The budget is the grant's, not the session's: a new session finds it spent too.
        Assert.Equal("rate_limited", await CallAsync(endpoint, await _mcp.InitializeAsync(endpoint), "5", "get_balance"));
    }

    [Fact]
    public async Task ServersAddedAndRemoved_StartAndStopWithoutTouchingTheOthers()
    {
        ReplacePolicy("""{ "version": "1", "default": "deny", "tools": { "get_balance": {} } }""");
        await using var gateway = await ServeGatewayProcess.StartAsync(WriteConfiguration());
        var fixture = gateway.Endpoint("fixture");
        var kept = await _mcp.InitializeAsync(fixture);
        Assert.Equal(HttpStatusCode.NotFound, (await _mcp.PostAsync(gateway.Endpoint("second"), McpHttpExchange.Initialize)).Status);

        WriteConfiguration(""", "second": """ + FixtureServer("""{ "version": "1", "default": "deny", "tools": { "delete_records": {} } }"""));
        await WaitForRevisionAsync(gateway, 2);

        var second = gateway.Endpoint("second");
        var secondSession = await _mcp.InitializeAsync(second);
        Assert.Equal("default_deny", await CallAsync(second, secondSession, "s1", "get_balance"));
        Assert.Equal("allowed", await CallAsync(fixture, kept, "f1", "get_balance"));

        WriteConfiguration();
        await WaitForRevisionAsync(gateway, 3);

        Assert.Equal(HttpStatusCode.NotFound, (await _mcp.PostAsync(second, McpHttpExchange.Call("s2", "get_balance"), secondSession)).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await _mcp.PostAsync(second, McpHttpExchange.Initialize)).Status);
        Assert.Equal("allowed", await CallAsync(fixture, kept, "f2", "get_balance"));
        var servers = (await HealthAsync(gateway)).GetProperty("servers");
        Assert.False(servers.TryGetProperty("second", out _));
        Assert.Equal(1, servers.GetProperty("fixture").GetProperty("sessions").GetInt32());
    }

    [Fact]
    public async Task GrantNarrowed_ItsSessionOnTheServerItLostIsClosed_AndNewRequestsAreRefused()
    {
        ReplacePolicy("""{ "version": "1", "default": "deny", "tools": { "get_balance": {} } }""");
        var key = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData("alice-key"u8));
        var second = """, "second": """ + FixtureServer("""{ "version": "1", "default": "deny" }""");
        WriteConfiguration(second);
        File.WriteAllText(ConfigurationPath, File.ReadAllText(ConfigurationPath).TrimEnd()[..^1] + $$""", "grants": { "alice": { "keySha256": "{{key}}" } } }""");
        await using var gateway = await ServeGatewayProcess.StartAsync(ConfigurationPath);
        var alice = new Dictionary<string, string> { ["Authorization"] = "Bearer alice-key" };
        var fixture = gateway.Endpoint("fixture");
        var session = await _mcp.InitializeAsync(fixture, alice);
        Assert.Equal(HttpStatusCode.OK, (await _mcp.PostAsync(fixture, McpHttpExchange.Call("1", "get_balance"), session, alice)).Status);

        WriteConfiguration(second);
        File.WriteAllText(ConfigurationPath, File.ReadAllText(ConfigurationPath).TrimEnd()[..^1] + $$""", "grants": { "alice": { "keySha256": "{{key}}", "servers": ["second"] } } }""");
        await WaitForRevisionAsync(gateway, 2);

        await gateway.WaitForLogAsync("the grant alice may no longer reach fixture");
        Assert.Equal(0, (await HealthAsync(gateway)).GetProperty("servers").GetProperty("fixture").GetProperty("sessions").GetInt32());
        Assert.Equal(HttpStatusCode.Forbidden, (await _mcp.PostAsync(fixture, McpHttpExchange.Call("2", "get_balance"), session, alice)).Status);
        Assert.Equal(HttpStatusCode.OK, (await _mcp.PostAsync(gateway.Endpoint("second"), McpHttpExchange.Initialize, headers: alice)).Status);
    }

    [Fact]
    public async Task Hangup_ReloadsEvenWhenNoFileChanged()
    {
        ReplacePolicy("""{ "version": "1", "default": "deny", "tools": { "get_balance": {} } }""");
        await using var gateway = await ServeGatewayProcess.StartAsync(WriteConfiguration());

        await HangUpAsync(gateway);

        await WaitForRevisionAsync(gateway, 2);
        await gateway.WaitForLogAsync("reload requested by SIGHUP");
        Assert.Equal(HttpStatusCode.OK, (await _mcp.PostAsync(gateway.Endpoint("fixture"), McpHttpExchange.Initialize)).Status);
    }

    [Fact]
    public async Task Hangup_ReloadsAlsoWhenStartedWithItIgnored()
    {
        // nohup (or a runner that ignores SIGHUP) hands the gateway an ignored SIGHUP, which the runtime would respect.
        ReplacePolicy("""{ "version": "1", "default": "deny", "tools": { "get_balance": {} } }""");
        await using var gateway = await ServeGatewayProcess.StartAsync(WriteConfiguration(), underNohup: true);
        await gateway.WaitForLogAsync("SIGHUP was ignored when the gateway started");

        await HangUpAsync(gateway);

        await WaitForRevisionAsync(gateway, 2);
        await gateway.WaitForLogAsync("reload requested by SIGHUP");
        await HangUpAsync(gateway);
        await WaitForRevisionAsync(gateway, 3);
        Assert.Equal(HttpStatusCode.OK, (await _mcp.PostAsync(gateway.Endpoint("fixture"), McpHttpExchange.Initialize)).Status);
    }

    private static async Task HangUpAsync(ServeGatewayProcess gateway)
    {
        using var hangup = Process.Start("kill", ["-HUP", gateway.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        await hangup.WaitForExitAsync(Token);
        Assert.Equal(0, hangup.ExitCode);
    }
}
