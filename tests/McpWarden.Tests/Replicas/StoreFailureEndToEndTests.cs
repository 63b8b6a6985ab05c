using McpWarden.Tests.Gateway;
using Xunit;

namespace McpWarden.Tests.Replicas;

/// <summary>
/// Redis stopped under two real replicas, one failing closed (the default) and one configured <c>failOpen</c>, then
/// started again: refusals that say why, calls let through unchecked and audited so, and recovery without a restart.
/// </summary>
public sealed class StoreFailureEndToEndTests
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    private const string Policy = """
        { "version": "1", "default": "deny", "tools": {
            "run_workflow": { "limits": [ { "counter": "runs", "window": "hour", "max": 100, "scope": "global" } ] },
            "b2c_payment":  { "action": "approve", "approval": { "timeout": 60 } } } }
        """;

    private static readonly Dictionary<string, object?> Workflow = new() { ["workflow_id"] = "nightly" };

    [Fact]
    public async Task RedisDown_FailsClosedSayingWhy_FailOpenLetsLimitedCallsThroughAudited_AndBothRecoverWithoutRestart()
    {
        await using var set = await ReplicaSet.StartAsync(Policy, string.Empty, """, "failOpen": true""");
        var (closed, open) = (set.Replicas[0], set.Replicas[1]);
        await using var closedClient = await ReplicaSet.ConnectAsync(closed, ReplicaSet.KeyA, Cancellation);
        await using var openClient = await ReplicaSet.ConnectAsync(open, ReplicaSet.KeyA, Cancellation);
        Assert.Null(ReplicaSet.RefusalCode(await closedClient.CallToolAsync("run_workflow", Workflow, cancellationToken: Cancellation)));
        Assert.Null(ReplicaSet.RefusalCode(await openClient.CallToolAsync("run_workflow", Workflow, cancellationToken: Cancellation)));

        Assert.True(await StoreReachableAsync(closed));
        await set.Redis.StopAsync();

        var refused = await closedClient.CallToolAsync("run_workflow", Workflow, cancellationToken: Cancellation);
        Assert.Equal("store_unavailable", ReplicaSet.RefusalCode(refused));
        // The agent learns why, not where the store lives.
        Assert.Contains("the gateway's shared store is unreachable (no connection)", ReplicaSet.RefusalMessage(refused), StringComparison.Ordinal);
        Assert.DoesNotContain(set.Redis.Endpoint, ReplicaSet.RefusalMessage(refused), StringComparison.Ordinal);
        var unchecked_ = await openClient.CallToolAsync("run_workflow", Workflow, cancellationToken: Cancellation);
        Assert.Null(ReplicaSet.RefusalCode(unchecked_));
        Assert.Equal(3, set.CallsReceived("run_workflow"));

        // failOpen covers limits only: a call that needs a person is refused on both.
        var payment = new Dictionary<string, object?> { ["amount"] = 10, ["phone"] = "254712345678" };
        Assert.Equal("store_unavailable", ReplicaSet.RefusalCode(await openClient.CallToolAsync("b2c_payment", payment, cancellationToken: Cancellation)));
        Assert.Equal("store_unavailable", ReplicaSet.RefusalCode(await closedClient.CallToolAsync("b2c_payment", payment, cancellationToken: Cancellation)));

        // Each replica's audit, in its own file, kept what happened while Redis was away; the unchecked call is logged too.
        using var adminOfOpen = new AdminClient(open.BaseUrl);
        var openRecords = await adminOfOpen.AuditAsync("?tool=run_workflow", r => r.Length == 2);
        Assert.Equal("allowed_unchecked", openRecords[0].GetProperty("code").GetString());
        Assert.Contains("limits unchecked", openRecords[0].GetProperty("message").GetString(), StringComparison.Ordinal);
        await open.WaitForLogAsync("let through with its limits unchecked");
        using var adminOfClosed = new AdminClient(closed.BaseUrl);
        var closedRecords = await adminOfClosed.AuditAsync("?tool=run_workflow", r => r.Length == 2);
        Assert.Equal("store_unavailable", closedRecords[0].GetProperty("code").GetString());
        Assert.False(await StoreReachableAsync(closed));

        // What an operator alerts on: the unchecked call and the failures, on each replica's /metrics.
        var openMetrics = await MetricsAsync(open);
        Assert.Contains("mcpwarden_store_fail_open_total{server=\"fixture\"} 1", openMetrics, StringComparison.Ordinal);
        Assert.Matches("mcpwarden_store_errors_total\\{[^}]*error_type=\"store_unavailable\"[^}]*\\} [1-9]", await MetricsAsync(closed));

        await set.Redis.StartAgainAsync();

        // The same processes and sessions serve again once Redis answers.
        await WaitUntilAdmittedAsync(() => closedClient.CallToolAsync("run_workflow", Workflow, cancellationToken: Cancellation).AsTask());
        // Each replica's connection finds Redis again on its own schedule: the fail-open one lets calls through
        // unchecked until then, so its next checked call is awaited by its own word, not the other replica's.
        await WaitUntilReachableAsync(open);
        Assert.Null(ReplicaSet.RefusalCode(await openClient.CallToolAsync("run_workflow", Workflow, cancellationToken: Cancellation)));
        var recovered = (await adminOfOpen.AuditAsync("?tool=run_workflow", r => r.Length == 3))[0];
        Assert.Equal("allowed", recovered.GetProperty("code").GetString());
    }

    [Fact]
    public async Task RedisDownAtStart_GatewayStartsAndRefuses_ThenServesOnceRedisAnswers()
    {
        await using var set = await ReplicaSet.StartAsync(Policy, string.Empty);
        await using var client = await ReplicaSet.ConnectAsync(set.Replicas[0], ReplicaSet.KeyA, Cancellation);
        await set.Redis.StopAsync();
        await set.Replicas[0].StopAsync();

        await using var restarted = await ServeGatewayProcess.StartAsync(set.Replicas[0].ConfigurationPath);
        await using var late = await ReplicaSet.ConnectAsync(restarted, ReplicaSet.KeyA, Cancellation);
        Assert.Equal("store_unavailable", ReplicaSet.RefusalCode(await late.CallToolAsync("run_workflow", Workflow, cancellationToken: Cancellation)));

        await set.Redis.StartAgainAsync();
        await WaitUntilAdmittedAsync(() => late.CallToolAsync("run_workflow", Workflow, cancellationToken: Cancellation).AsTask());
    }

    private static async Task<string> MetricsAsync(ServeGatewayProcess replica)
    {
        using var http = new HttpClient { BaseAddress = replica.BaseUrl };
        return await http.GetStringAsync(new Uri("/metrics", UriKind.Relative), Cancellation);
    }

    /// <summary>What <c>/healthz</c> says of the store (it answers 200 either way).</summary>
    private static async Task<bool> StoreReachableAsync(ServeGatewayProcess replica)
    {
        using var http = new HttpClient { BaseAddress = replica.BaseUrl };
        using var health = System.Text.Json.JsonDocument.Parse(await http.GetStringAsync(new Uri("/healthz", UriKind.Relative), Cancellation));
        var store = health.RootElement.GetProperty("store");
        Assert.Equal("redis", store.GetProperty("kind").GetString());
        return store.GetProperty("reachable").GetBoolean();
    }

    /// <summary>Waits until the replica's /healthz says its store answers again (it reconnects by itself within seconds).</summary>
    private static async Task WaitUntilReachableAsync(ServeGatewayProcess replica)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (!await StoreReachableAsync(replica))
        {
            await Task.Delay(200, timeout.Token);
        }
    }

    /// <summary>The client reconnects by itself within seconds of Redis answering again; until then calls are refused as unavailable.</summary>
    private static async Task WaitUntilAdmittedAsync(Func<Task<ModelContextProtocol.Protocol.CallToolResult>> call)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (true)
        {
            var code = ReplicaSet.RefusalCode(await call());
            if (code is null)
            {
                return;
            }

            Assert.Equal("store_unavailable", code);
            await Task.Delay(200, timeout.Token);
        }
    }
}
