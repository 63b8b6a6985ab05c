using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using McpWarden.Tests.Gateway;
using Xunit;

namespace McpWarden.Tests.Telemetry;

/// <summary>
/// <c>GET /metrics</c> on the real <c>mcpwarden serve</c> in front of the fixture: allowed, denied, rate-limited and
/// unknown calls appear as decisions with their labels, with the evaluation, upstream and limit-usage histograms; a
/// held call is an approval pending until decided; a crashed server's restart is counted; who may read it.
/// </summary>
public sealed partial class MetricsEndToEndTests : IDisposable
{
    private const string Policy = """
        { "version": "1", "default": "deny", "tools": {
            "get_balance": { "limits": [ { "counter": "balance_reads", "window": "hour", "max": 5, "scope": "global" } ] },
            "delete_records": { "action": "deny", "reason": "never through the gateway" },
            "mpesa_stk_push": { "action": "approve", "approval": { "timeout": 120 } } } }
        """;

    private readonly string _directory = Directory.CreateTempSubdirectory("mcpwarden-metrics-").FullName;
    private readonly McpHttpExchange _mcp = new();
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };

    public void Dispose()
    {
        _mcp.Dispose();
        _http.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task Metrics_AfterAllowedDeniedRateLimitedAndUnknownCalls_ShowDecisionsHistogramsAndLimitUsage()
    {
        var fixture = new FixtureGateway(_directory, Policy);
        await using var gateway = await ServeGatewayProcess.StartAsync(fixture.Configuration);
        var endpoint = gateway.Endpoint("payments");
        var session = await _mcp.InitializeAsync(endpoint);

        for (var i = 0; i < 6; i++)
        {
            await _mcp.PostAsync(endpoint, McpHttpExchange.Call(i, "get_balance"), session);
        }

        await _mcp.PostAsync(endpoint, McpHttpExchange.Call(10, "delete_records"), session);
        await _mcp.PostAsync(endpoint, McpHttpExchange.Call(11, "no_such_tool_a1b2"), session);
        Assert.Equal(5, fixture.CallsReceived().Count);

        // The upstream histogram is fed when the server's answer is recorded, just after the client has it.
        var text = await MetricsWhenAsync(gateway, t => Value(t, "mcpwarden_upstream_duration_seconds_count", "outcome=\"ok\",server=\"payments\"") == 5);

        const string Balance = "mode=\"enforce\",server=\"payments\",tool=\"get_balance\"";
        Assert.Equal(5, Value(text, "mcpwarden_decisions_total", $"code=\"allowed\",decision=\"allow\",{Balance}"));
        Assert.Equal(1, Value(text, "mcpwarden_decisions_total", $"code=\"rate_limited\",decision=\"deny\",{Balance}"));
        Assert.Equal(1, Value(text, "mcpwarden_decisions_total", "code=\"denied_by_rule\",decision=\"deny\",mode=\"enforce\",server=\"payments\",tool=\"delete_records\""));
        // A name the server does not list is never a label: clients can send any name.
        Assert.Equal(1, Value(text, "mcpwarden_decisions_total", "code=\"unknown_tool\",decision=\"deny\",mode=\"enforce\",server=\"payments\",tool=\"(unlisted)\""));
        Assert.DoesNotContain("no_such_tool_a1b2", text, StringComparison.Ordinal);

        Assert.Equal(8, Value(text, "mcpwarden_evaluation_duration_seconds_count", "server=\"payments\""));
        Assert.Equal(8, Value(text, "mcpwarden_evaluation_duration_seconds_bucket", "server=\"payments\",le=\"+Inf\""));
        Assert.True(Value(text, "mcpwarden_evaluation_duration_seconds_sum", "server=\"payments\"") > 0);
        Assert.Equal(5, Value(text, "mcpwarden_upstream_duration_seconds_bucket", "outcome=\"ok\",server=\"payments\",le=\"+Inf\""));

        // The five admitted reads left the budget at 1/5 .. 5/5 of its max; the last two at 80 % or more.
        const string Budget = "counter=\"balance_reads\",scope=\"global\",server=\"payments\"";
        Assert.Equal(5, Value(text, "mcpwarden_limit_usage_count", Budget));
        Assert.Equal(3, Value(text, "mcpwarden_limit_usage_bucket", Budget + ",le=\"0.75\""));
        Assert.Equal(4, Value(text, "mcpwarden_limit_usage_bucket", Budget + ",le=\"0.8\""));
        Assert.Equal(5, Value(text, "mcpwarden_limit_usage_bucket", Budget + ",le=\"1\""));
        Assert.Equal(3, Value(text, "mcpwarden_limit_usage_sum", Budget)!.Value, 6);
        Assert.Equal(2, Value(text, "mcpwarden_limit_near_max_total", Budget));

        foreach (var family in new[] { "mcpwarden_approvals_pending gauge", "mcpwarden_upstream_restarts_total counter", "mcpwarden_store_errors_total counter", "mcpwarden_store_fail_open_total counter" })
        {
            Assert.Contains("# TYPE " + family + "\n", text, StringComparison.Ordinal);
        }

        // Every bucket series is cumulative: never smaller than the one before it.
        foreach (var series in BucketRuns(text))
        {
            Assert.Equal(series.OrderBy(v => v), series);
        }
    }

    [Fact]
    public async Task Metrics_AHeldCall_IsAnApprovalPendingUntilAPersonDecides()
    {
        var fixture = new FixtureGateway(_directory, Policy);
        await using var gateway = await ServeGatewayProcess.StartAsync(fixture.Configuration);
        using var admin = new AdminClient(gateway.BaseUrl);
        var endpoint = gateway.Endpoint("payments");
        var session = await _mcp.InitializeAsync(endpoint);

        var call = _mcp.PostAsync(endpoint, """{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"mpesa_stk_push","arguments":{"phone":"254712345678","amount":10,"account_reference":"A"}}}""", session);
        var id = Assert.Single(await admin.PendingAsync(1)).GetProperty("id").GetString()!;
        await MetricsWhenAsync(gateway, t => Value(t, "mcpwarden_approvals_pending", "server=\"payments\"") == 1);

        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync($"/api/approvals/{id}/approve")).Status);
        await call;
        var text = await MetricsWhenAsync(gateway, t => Value(t, "mcpwarden_approvals_pending", "server=\"payments\"") == 0);
        Assert.Equal(1, Value(text, "mcpwarden_decisions_total", "code=\"approval_required\",decision=\"hold\",mode=\"enforce\",server=\"payments\",tool=\"mpesa_stk_push\""));
        Assert.Equal(1, Value(text, "mcpwarden_decisions_total", "code=\"approved\",decision=\"allow\",mode=\"enforce\",server=\"payments\",tool=\"mpesa_stk_push\""));
    }

    [Fact]
    public async Task Metrics_ACrashedServer_CountsAnUnavailableCallAndItsRestart()
    {
        var configuration = EndToEnd.FaultyServerConfiguration(_directory, """ "timeout": 5 """, """{"version":"1","default":"allow"}""");
        await using var gateway = await ServeGatewayProcess.StartAsync(configuration);
        var endpoint = gateway.Endpoint("faulty");
        var session = await _mcp.InitializeAsync(endpoint);

        Assert.Contains("closed its connection", (await _mcp.PostAsync(endpoint, McpHttpExchange.Call(1, "crash"), session)).ErrorMessage, StringComparison.Ordinal);

        var text = await MetricsWhenAsync(gateway, t => Value(t, "mcpwarden_upstream_restarts_total", "outcome=\"ok\",server=\"faulty\"") == 1);
        Assert.Equal(1, Value(text, "mcpwarden_upstream_duration_seconds_count", "outcome=\"unavailable\",server=\"faulty\""));
        Assert.Null(Value(text, "mcpwarden_upstream_restarts_total", "outcome=\"failed\",server=\"faulty\""));
    }

    [Fact]
    public async Task Metrics_AHostOfAnotherSite_IsRefused_AndTheAnswerIsPrometheusText()
    {
        var fixture = new FixtureGateway(_directory, Policy);
        await using var gateway = await ServeGatewayProcess.StartAsync(fixture.Configuration);

        using (var rebound = new HttpRequestMessage(HttpMethod.Get, new Uri(gateway.BaseUrl, "/metrics")))
        {
            rebound.Headers.Host = "evil.example";
            using var refused = await _http.SendAsync(rebound, TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
            Assert.DoesNotContain("mcpwarden_", await refused.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        }

        using var served = await _http.GetAsync(new Uri(gateway.BaseUrl, "/metrics"), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", served.Content.Headers.ContentType!.ToString());
        Assert.Contains("# TYPE mcpwarden_decisions_total counter\n", await served.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Metrics_WithAConfiguredToken_NeedItAsABearer()
    {
        const string Token = "metrics-token-for-tests";
        var fixture = new FixtureGateway(_directory, Policy, $$""" "telemetry": { "metrics": { "tokenSha256": "{{FixtureGateway.Sha256(Token)}}" } }, """);
        await using var gateway = await ServeGatewayProcess.StartAsync(fixture.Configuration);
        var url = new Uri(gateway.BaseUrl, "/metrics");

        using (var anonymous = await _http.GetAsync(url, TestContext.Current.CancellationToken))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
            Assert.Equal("Bearer", anonymous.Headers.WwwAuthenticate.Single().Scheme);
        }

        foreach (var (token, expected) in new[] { ("wrong-token", HttpStatusCode.Unauthorized), (FixtureGateway.AdminToken, HttpStatusCode.Unauthorized), (Token, HttpStatusCode.OK) })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var response = await _http.SendAsync(request, TestContext.Current.CancellationToken);
            Assert.Equal(expected, response.StatusCode);
        }
    }

    /// <summary>Scrapes until the text satisfies <paramref name="until"/> (what a call records lands just after its answer), 30 s at most.</summary>
    private async Task<string> MetricsWhenAsync(ServeGatewayProcess gateway, Func<string, bool> until)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            var text = await _http.GetStringAsync(new Uri(gateway.BaseUrl, "/metrics"), TestContext.Current.CancellationToken);
            if (until(text))
            {
                return text;
            }

            if (deadline.IsCancellationRequested)
            {
                Assert.Fail("the metrics never showed what the test waited for:\n" + text + "\n" + gateway.Log);
            }

            await Task.Delay(100, TestContext.Current.CancellationToken);
        }
    }

    /// <summary>The value of one series (name and its exact label text), or null when it is not there.</summary>
    private static double? Value(string text, string name, string labels)
    {
        var prefix = name + "{" + labels + "} ";
        foreach (var line in text.Split('\n'))
        {
            if (line.StartsWith(prefix, StringComparison.Ordinal))
            {
                return double.Parse(line[prefix.Length..], CultureInfo.InvariantCulture);
            }
        }

        return null;
    }

    /// <summary>Each histogram series' bucket values, in the order written.</summary>
    private static IEnumerable<List<double>> BucketRuns(string text) =>
        BucketLine().Matches(text)
            .GroupBy(m => m.Groups["series"].Value + "|" + m.Groups["labels"].Value)
            .Select(g => g.Select(m => double.Parse(m.Groups["value"].Value, CultureInfo.InvariantCulture)).ToList());

    [GeneratedRegex("^(?<series>\\w+)_bucket\\{(?<labels>.*?),?le=\"[^\"]+\"\\} (?<value>\\S+)$", RegexOptions.Multiline)]
    private static partial Regex BucketLine();
}
