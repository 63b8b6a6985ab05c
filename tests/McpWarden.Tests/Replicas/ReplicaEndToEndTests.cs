using System.Net;
using McpWarden.Tests.Gateway;
using ModelContextProtocol.Client;
using Xunit;

namespace McpWarden.Tests.Replicas;

/// <summary>Two real <c>mcpwarden serve</c> replicas sharing one real Redis, in front of the fixture server.</summary>
public sealed class ReplicaFixture : IAsyncLifetime
{
    public const int GlobalMax = 50;
    public const int GrantMax = 10;

    internal ReplicaSet Set { get; private set; } = null!;

    public async ValueTask InitializeAsync() => Set = await ReplicaSet.StartAsync(
        $$"""
        { "version": "1", "default": "deny", "tools": {
            "test_simple_text": { "limits": [ { "counter": "everyone", "window": "hour", "max": {{GlobalMax}}, "scope": "global" } ] },
            "run_workflow":     { "limits": [ { "counter": "per_grant", "window": "hour", "max": {{GrantMax}}, "scope": "grant" } ] },
            "b2c_payment":      { "action": "approve", "approval": { "timeout": 120 } } } }
        """,
        string.Empty,
        string.Empty);

    public async ValueTask DisposeAsync()
    {
        if (Set is not null)
        {
            await Set.DisposeAsync();
        }
    }
}

/// <summary>
/// One budget for several replicas: a global limit admits exactly its max across both, a grant's limit holds for its
/// clients wherever they connect, and a call held on one replica is released by a person deciding on the other.
/// </summary>
public sealed class ReplicaEndToEndTests(ReplicaFixture fixture) : IClassFixture<ReplicaFixture>
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    private ReplicaSet Set => fixture.Set;

    [Fact]
    public async Task GlobalLimit_64ClientsSplitAcrossTwoReplicas_AdmitsExactlyItsMax()
    {
        // Half the clients on each replica, of both grants: a global budget knows neither.
        var clients = await Task.WhenAll(Enumerable.Range(0, 64).Select(i =>
            ReplicaSet.ConnectAsync(Set.Replicas[i % 2], i % 4 < 2 ? ReplicaSet.KeyA : ReplicaSet.KeyB, Cancellation)));
        try
        {
            // Two calls each, all at once: 128 calls race for 50 units.
            using var start = new SemaphoreSlim(0);
            var calls = clients.SelectMany(client => Enumerable.Range(0, 2).Select(_ => CallAfterAsync(start, client, "test_simple_text"))).ToList();
            start.Release(calls.Count);
            var codes = await Task.WhenAll(calls);

            Assert.Equal(ReplicaFixture.GlobalMax, codes.Count(code => code is null));
            Assert.All(codes.Where(code => code is not null), code => Assert.Equal("rate_limited", code));
            Assert.Equal(ReplicaFixture.GlobalMax, Set.CallsReceived("test_simple_text"));
        }
        finally
        {
            await DisposeAllAsync(clients);
        }
    }

    [Fact]
    public async Task GrantLimit_OneGrantsClientsOnBothReplicas_ShareOneBudget_AndAnotherGrantKeepsItsOwn()
    {
        var clients = await Task.WhenAll(Enumerable.Range(0, 16).Select(i => ReplicaSet.ConnectAsync(Set.Replicas[i % 2], ReplicaSet.KeyA, Cancellation)));
        await using var other = await ReplicaSet.ConnectAsync(Set.Replicas[1], ReplicaSet.KeyB, Cancellation);
        try
        {
            using var start = new SemaphoreSlim(0);
            var calls = clients.SelectMany(client => Enumerable.Range(0, 2).Select(_ => CallAfterAsync(start, client, "run_workflow"))).ToList();
            start.Release(calls.Count);
            var codes = await Task.WhenAll(calls);

            Assert.Equal(ReplicaFixture.GrantMax, codes.Count(code => code is null));
            Assert.All(codes.Where(code => code is not null), code => Assert.Equal("rate_limited", code));

            // Grant b's budget is its own, on either replica.
            Assert.Null(ReplicaSet.RefusalCode(await other.CallToolAsync("run_workflow", Workflow, cancellationToken: Cancellation)));
            Assert.Equal(ReplicaFixture.GrantMax + 1, Set.CallsReceived("run_workflow"));
        }
        finally
        {
            await DisposeAllAsync(clients);
        }
    }

    [Fact]
    public async Task Approval_RaisedOnReplicaA_ApprovedThroughReplicaBsApi_CompletesForAsClient()
    {
        await using var client = await ReplicaSet.ConnectAsync(Set.Replicas[0], ReplicaSet.KeyA, Cancellation);
        using var adminOfB = new AdminClient(Set.Replicas[1].BaseUrl);

        var call = client.CallToolAsync("b2c_payment", new Dictionary<string, object?> { ["amount"] = 5000, ["phone"] = "254712345678" }, cancellationToken: Cancellation).AsTask();
        var pending = Assert.Single(await adminOfB.PendingAsync(1), p => p.GetProperty("tool").GetString() == "b2c_payment");
        Assert.Equal(("a", "fixture"), (pending.GetProperty("grant").GetString(), pending.GetProperty("server").GetString()));
        Assert.False(call.IsCompleted);
        Assert.Equal(0, Set.CallsReceived("b2c_payment"));

        var (status, decided) = await adminOfB.PostAsync($"/api/approvals/{pending.GetProperty("id").GetString()}/approve", """{"reason":"checked with finance"}""");
        Assert.Equal((HttpStatusCode.OK, "approved"), (status, decided.GetProperty("state").GetString()));

        var result = await call.WaitAsync(TimeSpan.FromSeconds(30), Cancellation);
        Assert.Null(ReplicaSet.RefusalCode(result));
        Assert.Equal(1, Set.CallsReceived("b2c_payment"));

        // The audit log is each replica's own: A, which held and released the call, recorded both decisions.
        using var adminOfA = new AdminClient(Set.Replicas[0].BaseUrl);
        var records = await adminOfA.AuditAsync("?tool=b2c_payment", r => r.Length == 2);
        Assert.Equal(["approved", "approval_required"], records.Select(r => r.GetProperty("code").GetString()!).ToArray());
    }

    private static readonly Dictionary<string, object?> Workflow = new() { ["workflow_id"] = "nightly" };

    private static async Task<string?> CallAfterAsync(SemaphoreSlim start, McpClient client, string tool)
    {
        await start.WaitAsync(Cancellation);
        var arguments = tool == "run_workflow" ? Workflow : new Dictionary<string, object?>();
        return ReplicaSet.RefusalCode(await client.CallToolAsync(tool, arguments, cancellationToken: Cancellation));
    }

    private static async Task DisposeAllAsync(IEnumerable<McpClient> clients)
    {
        foreach (var client in clients)
        {
            await client.DisposeAsync();
        }
    }
}
