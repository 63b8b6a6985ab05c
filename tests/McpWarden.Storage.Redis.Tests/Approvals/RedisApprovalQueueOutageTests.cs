using System.Diagnostics;
using McpWarden.Gateway.Approvals;
using McpWarden.Gateway.Storage;
using McpWarden.Gateway.Time;
using McpWarden.Testing;
using Xunit;

namespace McpWarden.Storage.Redis.Tests.Approvals;

/// <summary>
/// The approval queue while its Redis is down: a redis-server of each test's own, writing every command to its
/// append-only file so that its data outlives being killed, as a production Redis's would.
/// </summary>
public sealed class RedisApprovalQueueOutageTests : IAsyncLifetime
{
    private static readonly ApprovalBinding Binding = new("g1", "pay", "stk_push", new string('a', 64), "rev-1");

    private readonly OpenedStores _stores = new();
    private readonly string _directory = Directory.CreateTempSubdirectory("mcpwarden-redis-").FullName;
    private RedisServer? _server;

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    private RedisServer Server => _server!;

    public async ValueTask InitializeAsync() =>
        _server = await RedisServer.StartAsync("--appendonly", "yes", "--appendfsync", "always", "--dir", _directory);

    [Fact]
    public async Task EveryMethod_RedisStopped_ThrowsStoreUnavailableNamingTheEndpoint()
    {
        var queue = Open(TimeProvider.System);
        var approval = await queue.SubmitAsync(Request(), Cancellation);
        await Server.StopAsync();

        var calls = new Dictionary<string, Func<Task>>
        {
            ["submit"] = () => queue.SubmitAsync(Request(), Cancellation).AsTask(),
            ["get"] = () => queue.GetAsync(approval.Id, Cancellation).AsTask(),
            ["list"] = () => queue.ListAsync(ApprovalState.Pending, Cancellation).AsTask(),
            ["decide"] = () => queue.DecideAsync(approval.Id, true, null, "admin", Cancellation).AsTask(),
            ["use"] = () => queue.TryUseAsync(approval.Id, Binding, Cancellation).AsTask(),
            ["abandon"] = () => queue.AbandonAsync(approval.Id, "session closed", Cancellation).AsTask(),
            ["orphans"] = () => queue.AbandonOrphansAsync(_ => false, Cancellation).AsTask(),
            // A wait that never read its approval, and did not submit it here, cannot know how long to wait.
            ["wait"] = () => Open(TimeProvider.System).WaitAsync(approval.Id, Cancellation).AsTask(),
        };
        foreach (var (name, call) in calls)
        {
            var failure = await Assert.ThrowsAsync<StoreUnavailableException>(call);
            Assert.True(failure.Message.Contains(Server.Endpoint, StringComparison.Ordinal), $"{name}: {failure.Message}");
        }
    }

    [Fact]
    public async Task Wait_RedisStoppedWhileWaiting_KeepsWaiting_AndReturnsTheDecisionOnceRedisIsBack()
    {
        var holding = Open(TimeProvider.System);
        var deciding = Open(TimeProvider.System);
        var approval = await holding.SubmitAsync(Request(), Cancellation);
        var wait = holding.WaitAsync(approval.Id, Cancellation).AsTask();

        await Server.StopAsync();
        // Real time must pass for the wait to poll a Redis that is down (every 100 ms); nothing to await shows it did.
        await Task.Delay(TimeSpan.FromMilliseconds(500), Cancellation);
        await Assert.ThrowsAsync<StoreUnavailableException>(() => deciding.GetAsync(approval.Id, Cancellation).AsTask());
        await Assert.ThrowsAsync<StoreUnavailableException>(() => deciding.DecideAsync(approval.Id, true, null, "admin", Cancellation).AsTask());
        await Assert.ThrowsAsync<StoreUnavailableException>(() => holding.GetAsync(approval.Id, Cancellation).AsTask());
        Assert.False(wait.IsCompleted);

        await Server.StartAgainAsync();
        var decided = await WhenRedisAnswersAsync(() => deciding.DecideAsync(approval.Id, true, "back", "admin", Cancellation).AsTask());
        Assert.Equal(ApprovalDecisionResult.Decided, decided);

        var ended = await wait.WaitAsync(TimeSpan.FromSeconds(30), TimeProvider.System, Cancellation);
        Assert.Equal((ApprovalState.Approved, "admin", "back"), (ended.State, ended.DecidedBy, ended.Reason));
        Assert.True(await WhenRedisAnswersAsync(() => holding.TryUseAsync(approval.Id, Binding, Cancellation).AsTask()));
    }

    [Fact]
    public async Task Wait_RedisDownRightAfterTheSubmit_WaitsOnTheKnownExpiry_AndReturnsTheDecisionOnceBack()
    {
        var holding = Open(TimeProvider.System);
        var approval = await holding.SubmitAsync(Request(), Cancellation);
        await Server.StopAsync();

        var wait = holding.WaitAsync(approval.Id, Cancellation).AsTask();
        await Assert.ThrowsAsync<StoreUnavailableException>(() => holding.GetAsync(approval.Id, Cancellation).AsTask());
        Assert.False(wait.IsCompleted);

        await Server.StartAgainAsync();
        Assert.Equal(ApprovalDecisionResult.Decided, await WhenRedisAnswersAsync(() => Open(TimeProvider.System).DecideAsync(approval.Id, false, null, "admin", Cancellation).AsTask()));
        var ended = await wait.WaitAsync(TimeSpan.FromSeconds(30), TimeProvider.System, Cancellation);
        Assert.Equal(ApprovalState.Denied, ended.State);
    }

    [Fact]
    public async Task Notifications_AfterRedisRestarts_ReachTheWaitsAgain()
    {
        // The poll is a minute away: only a notification can bring the decision within a second.
        var holding = Open(TimeProvider.System, pollInterval: TimeSpan.FromMinutes(1));
        var deciding = Open(TimeProvider.System);
        var before = await holding.SubmitAsync(Request(), Cancellation);
        var firstWait = holding.WaitAsync(before.Id, Cancellation).AsTask();
        await deciding.DecideAsync(before.Id, true, null, "admin", Cancellation);
        await firstWait.WaitAsync(TimeSpan.FromSeconds(30), TimeProvider.System, Cancellation);

        await Server.StopAsync();
        await Server.StartAgainAsync();
        var after = await WhenRedisAnswersAsync(() => holding.SubmitAsync(Request(), Cancellation).AsTask());
        var wait = holding.WaitAsync(after.Id, Cancellation).AsTask();
        await WaitUntilSubscribedAgainAsync();
        Assert.Equal(ApprovalDecisionResult.Decided, await WhenRedisAnswersAsync(() => deciding.DecideAsync(after.Id, false, null, "admin", Cancellation).AsTask()));

        var ended = await wait.WaitAsync(TimeSpan.FromSeconds(1), TimeProvider.System, Cancellation);
        Assert.Equal(ApprovalState.Denied, ended.State);
    }

    [Fact]
    public async Task Wait_RedisStillDownAtTheExpiry_ThrowsStoreUnavailable()
    {
        var clock = new ManualTimeProvider(ManualTimeProvider.TestEpoch);
        var holding = Open(clock);
        var approval = await holding.SubmitAsync(Request(), Cancellation);
        var wait = holding.WaitAsync(approval.Id, Cancellation).AsTask();
        await Server.StopAsync();
        await Assert.ThrowsAsync<StoreUnavailableException>(() => holding.GetAsync(approval.Id, Cancellation).AsTask());

        clock.Advance(TimeSpan.FromMinutes(5) - TimeSpan.FromSeconds(1));
        Assert.False(wait.IsCompleted);
        clock.Advance(TimeSpan.FromSeconds(1));

        var failure = await Assert.ThrowsAsync<StoreUnavailableException>(() => wait.WaitAsync(TimeSpan.FromSeconds(30), TimeProvider.System, Cancellation));
        Assert.Contains(Server.Endpoint, failure.Message, StringComparison.Ordinal);
    }

    public async ValueTask DisposeAsync()
    {
        await _stores.DisposeAsync();
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        Directory.Delete(_directory, recursive: true);
    }

    private static ApprovalRequest Request() =>
        new(Binding, "session-1", """{"amount":100}""", "$.tools.stk_push", "payments need a person", TimeSpan.FromMinutes(5), "host/1/1");

    private Redis.Approvals.RedisApprovalQueue Open(TimeProvider time, TimeSpan? pollInterval = null) => _stores.Open(Options(pollInterval), time).Approvals;

    private RedisStoreOptions Options(TimeSpan? pollInterval = null) => new()
    {
        Endpoint = Server.Endpoint,
        KeyPrefix = "outage:",
        OperationTimeout = TimeSpan.FromMilliseconds(500),
        ApprovalPollInterval = pollInterval ?? TimeSpan.FromMilliseconds(100),
    };

    /// <summary>Until the multiplexer, reconnected, has subscribed to the transitions' channel again.</summary>
    private async Task WaitUntilSubscribedAgainAsync()
    {
        var inside = _stores.Inspect(Options());
        var waiting = Stopwatch.StartNew();
        while (true)
        {
            var answer = (StackExchange.Redis.RedisResult[])(await WhenRedisAnswersAsync(() => inside.RunAsync(db => db.ExecuteAsync("PUBSUB", "NUMSUB", "outage:approvals:settled"))))!;
            if ((long)answer[1] > 0)
            {
                return;
            }

            Assert.True(waiting.Elapsed < TimeSpan.FromSeconds(30), "no store subscribed again after Redis restarted");
            await Task.Delay(50, Cancellation);
        }
    }

    /// <summary>Retries while the connection has not yet noticed that Redis is back.</summary>
    private static async Task<T> WhenRedisAnswersAsync<T>(Func<Task<T>> call)
    {
        var waiting = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                return await call();
            }
            catch (StoreUnavailableException) when (waiting.Elapsed < TimeSpan.FromSeconds(30))
            {
                await Task.Delay(100, Cancellation);
            }
        }
    }
}
