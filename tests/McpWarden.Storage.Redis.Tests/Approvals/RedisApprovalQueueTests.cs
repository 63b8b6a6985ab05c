using System.Diagnostics;
using McpWarden.Gateway.Approvals;
using McpWarden.Testing;
using StackExchange.Redis;
using Xunit;

namespace McpWarden.Storage.Redis.Tests.Approvals;

/// <summary>The approval-queue contract on a real redis-server, and what replicas sharing it must see.</summary>
public sealed class RedisApprovalQueueTests(RedisServerFixture redis) : ApprovalQueueContract, IClassFixture<RedisServerFixture>, IAsyncDisposable
{
    private readonly OpenedStores _stores = new();

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    protected override IApprovalQueue CreateQueue(TimeProvider time) => _stores.Open(redis.FreshOptions(), time).Approvals;

    [Fact]
    public async Task TwoReplicas_DecidedOnTheOther_TheWaitReturnsWithinASecond()
    {
        // The poll is a minute away: only the notification can bring the decision this soon.
        var options = redis.FreshOptions() with { ApprovalPollInterval = TimeSpan.FromMinutes(1) };
        var holding = _stores.Open(options, TimeProvider.System).Approvals;
        var deciding = _stores.Open(options, TimeProvider.System).Approvals;
        var approval = await holding.SubmitAsync(Request(), Cancellation);
        var wait = holding.WaitAsync(approval.Id, Cancellation).AsTask();
        await WaitUntilSubscribedAsync(options);
        Assert.False(wait.IsCompleted);

        var decidedAt = Stopwatch.StartNew();
        Assert.Equal(ApprovalDecisionResult.Decided, await deciding.DecideAsync(approval.Id, true, "ok", "admin", Cancellation));

        var ended = await wait.WaitAsync(TimeSpan.FromSeconds(1), TimeProvider.System, Cancellation);
        Assert.True(decidedAt.Elapsed < TimeSpan.FromSeconds(1), $"seen after {decidedAt.Elapsed}");
        Assert.Equal((ApprovalState.Approved, "admin", "ok"), (ended.State, ended.DecidedBy, ended.Reason));
        Assert.True(await holding.TryUseAsync(approval.Id, Binding, Cancellation));
    }

    [Fact]
    public async Task TwoReplicas_ANotificationLost_TheWaitSeesTheDecisionByPolling()
    {
        var options = redis.FreshOptions() with { ApprovalPollInterval = TimeSpan.FromMilliseconds(100) };
        var holding = _stores.Open(options, TimeProvider.System).Approvals;
        var inside = _stores.Inspect(options);
        var approval = await holding.SubmitAsync(Request(), Cancellation);
        var wait = holding.WaitAsync(approval.Id, Cancellation).AsTask();

        // A decision written as the script writes it, but never published: what a replica reconnecting meanwhile misses.
        await inside.Database.HashSetAsync(inside.Key("approval:" + approval.Id), [new("state", "denied"), new("decided_at", "1"), new("decided_by", "admin")]);

        var ended = await wait.WaitAsync(TimeSpan.FromSeconds(10), TimeProvider.System, Cancellation);
        Assert.Equal((ApprovalState.Denied, "admin"), (ended.State, ended.DecidedBy));
    }

    [Fact]
    public async Task TwoReplicas_FiftyDecisionsRacing_ExactlyOneIsTaken()
    {
        var options = redis.FreshOptions();
        var one = _stores.Open(options, Clock).Approvals;
        var two = _stores.Open(options, Clock).Approvals;
        var approval = await one.SubmitAsync(Request(), Cancellation);

        var results = await Task.WhenAll(Enumerable.Range(0, 50).Select(i => Task.Run(async () =>
            (Approve: i % 3 == 0, By: "admin-" + i, Result: await (i % 2 == 0 ? one : two).DecideAsync(approval.Id, i % 3 == 0, null, "admin-" + i, Cancellation)))));

        var winner = Assert.Single(results, r => r.Result == ApprovalDecisionResult.Decided);
        Assert.All(results.Where(r => r != winner), r => Assert.Equal(ApprovalDecisionResult.NotPending, r.Result));
        foreach (var queue in new[] { one, two })
        {
            var decided = await queue.GetAsync(approval.Id, Cancellation);
            Assert.Equal((winner.Approve ? ApprovalState.Approved : ApprovalState.Denied, winner.By), (decided!.State, decided.DecidedBy));
        }
    }

    [Fact]
    public async Task TwoReplicas_FiftyUsesRacing_ExactlyOneSucceeds()
    {
        var options = redis.FreshOptions();
        var one = _stores.Open(options, Clock).Approvals;
        var two = _stores.Open(options, Clock).Approvals;
        var approval = await one.SubmitAsync(Request(), Cancellation);
        Assert.Equal(ApprovalDecisionResult.Decided, await two.DecideAsync(approval.Id, true, null, "admin", Cancellation));

        var used = await Task.WhenAll(Enumerable.Range(0, 50).Select(i => Task.Run(async () => await (i % 2 == 0 ? one : two).TryUseAsync(approval.Id, Binding, Cancellation))));

        Assert.Single(used, u => u);
        Assert.Equal(ApprovalState.Used, (await one.GetAsync(approval.Id, Cancellation))!.State);
        Assert.Equal([approval.Id], (await two.ListAsync(ApprovalState.Used, Cancellation)).Select(a => a.Id));
        Assert.Empty(await two.ListAsync(ApprovalState.Approved, Cancellation));
    }

    [Fact]
    public async Task TwoReplicas_OneAbandonsItsOrphans_AnOwnerJudgedAliveKeepsItsCall()
    {
        var options = redis.FreshOptions();
        var one = _stores.Open(options, Clock).Approvals;
        var two = _stores.Open(options, Clock).Approvals;
        var held = await one.SubmitAsync(Request(owner: "other-host/10/1"), Cancellation);
        var orphan = await one.SubmitAsync(Request(owner: "this-host/20/1"), Cancellation);

        Assert.Equal(1, await two.AbandonOrphansAsync(owner => owner.StartsWith("other-host/", StringComparison.Ordinal), Cancellation));

        Assert.Equal([held.Id], (await one.ListAsync(ApprovalState.Pending, Cancellation)).Select(a => a.Id));
        var abandoned = await one.GetAsync(orphan.Id, Cancellation);
        Assert.Equal((ApprovalState.Abandoned, "gateway", "the gateway holding the call stopped"), (abandoned!.State, abandoned.DecidedBy, abandoned.Reason));
    }

    [Fact]
    public async Task List_SameInstant_KeepsTheOrderOfSubmission()
    {
        var queue = CreateQueue(Clock);
        var submitted = new List<string>();
        for (var i = 0; i < 12; i++)
        {
            submitted.Add((await queue.SubmitAsync(Request(), Cancellation)).Id);
        }

        Assert.Equal(submitted, (await queue.ListAsync(ApprovalState.Pending, Cancellation)).Select(a => a.Id));
    }

    [Fact]
    public async Task Settled_CarriesTheRetentionAsItsTtl_PendingItsTimeoutPlusTheRetention()
    {
        var options = redis.FreshOptions();
        var queue = _stores.Open(options, Clock).Approvals;
        var inside = _stores.Inspect(options);
        var approval = await queue.SubmitAsync(Request(), Cancellation);

        var pendingTtl = await inside.Database.KeyTimeToLiveAsync(inside.Key("approval:" + approval.Id));
        Assert.InRange(pendingTtl!.Value, options.ApprovalRetention + Timeout - TimeSpan.FromMinutes(1), options.ApprovalRetention + Timeout);

        await queue.DecideAsync(approval.Id, true, null, "admin", Cancellation);
        var decidedTtl = await inside.Database.KeyTimeToLiveAsync(inside.Key("approval:" + approval.Id));
        Assert.InRange(decidedTtl!.Value, options.ApprovalRetention - TimeSpan.FromMinutes(1), options.ApprovalRetention);

        Assert.True(await queue.TryUseAsync(approval.Id, Binding, Cancellation));
        var usedTtl = await inside.Database.KeyTimeToLiveAsync(inside.Key("approval:" + approval.Id));
        Assert.InRange(usedTtl!.Value, options.ApprovalRetention - TimeSpan.FromMinutes(1), options.ApprovalRetention);
        Assert.Equal(TimeSpan.FromDays(7), options.ApprovalRetention);
    }

    [Fact]
    public async Task Settled_PastTheRetention_LeavesRedisAndItsIndex()
    {
        var options = redis.FreshOptions() with { ApprovalRetention = TimeSpan.FromMilliseconds(300) };
        var queue = _stores.Open(options, Clock).Approvals;
        var inside = _stores.Inspect(options);
        var old = await queue.SubmitAsync(Request(), Cancellation);
        var listed = await queue.SubmitAsync(Request(), Cancellation);
        var recent = await queue.SubmitAsync(Request(), Cancellation);
        await queue.DecideAsync(old.Id, true, null, "admin", Cancellation);
        await queue.DecideAsync(listed.Id, true, null, "admin", Cancellation);
        await WaitUntilGoneAsync(inside, old.Id);
        await WaitUntilGoneAsync(inside, listed.Id);

        // The next approval into the index trims the entries older than the retention…
        await queue.DecideAsync(recent.Id, true, null, "admin", Cancellation);
        var index = inside.Key("approvals:approved");
        Assert.Equal([recent.Id], (await inside.Database.SortedSetRangeByRankAsync(index)).Select(id => id.ToString()));

        // …and a list drops an entry whose approval expired, without waiting for that.
        await inside.Database.SortedSetAddAsync(index, listed.Id, 0);
        await WaitUntilGoneAsync(inside, recent.Id);
        Assert.Empty(await queue.ListAsync(ApprovalState.Approved, Cancellation));
        Assert.Equal(0, await inside.Database.SortedSetLengthAsync(index));
        Assert.Null(await queue.GetAsync(old.Id, Cancellation));
    }

    public ValueTask DisposeAsync() => _stores.DisposeAsync();

    /// <summary>Until the approval's key has expired (Redis's clock, real time).</summary>
    private static async Task WaitUntilGoneAsync(RedisConnection inside, string id)
    {
        var waiting = Stopwatch.StartNew();
        while (await inside.Database.KeyExistsAsync(inside.Key("approval:" + id)))
        {
            Assert.True(waiting.Elapsed < TimeSpan.FromSeconds(30), $"the approval {id} did not expire");
            await Task.Delay(50, Cancellation);
        }
    }

    /// <summary>Until a replica listens on the transitions' channel (a wait subscribes before its first read).</summary>
    private async Task WaitUntilSubscribedAsync(RedisStoreOptions options)
    {
        var inside = _stores.Inspect(options);
        var waiting = Stopwatch.StartNew();
        while (true)
        {
            var answer = (RedisResult[])(await inside.Database.ExecuteAsync("PUBSUB", "NUMSUB", options.KeyPrefix + "approvals:settled"))!;
            if ((long)answer[1] > 0)
            {
                return;
            }

            Assert.True(waiting.Elapsed < TimeSpan.FromSeconds(30), "no replica subscribed to the approvals' channel");
            await Task.Delay(20, Cancellation);
        }
    }
}
