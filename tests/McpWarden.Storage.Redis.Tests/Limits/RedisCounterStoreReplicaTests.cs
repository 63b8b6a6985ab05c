using McpWarden.Gateway.Limits;
using McpWarden.Gateway.Time;
using McpWarden.Policy.Evaluation;
using McpWarden.Testing;
using Xunit;

namespace McpWarden.Storage.Redis.Tests.Limits;

/// <summary>Two stores on two connections with one key prefix, as two gateway replicas sharing one Redis.</summary>
public sealed class RedisCounterStoreReplicaTests(RedisServerFixture redis) : IClassFixture<RedisServerFixture>, IDisposable
{
    private readonly ManualTimeProvider _clock = new(ManualTimeProvider.TestEpoch);
    private readonly List<RedisStore> _stores = [];

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task TryConsume_64ConcurrentCallsThroughTwoReplicas_AdmitExactlyAGlobalMaxOf50()
    {
        var (a, b) = await OpenReplicasAsync();
        var policy = Budgets.Spend("50", scope: "global");
        var outcomes = await RaceAsync(a, b, Enumerable.Range(0, 64).Select(i => Budgets.Obligations(policy, "call", grant: $"agent-{i}")).ToArray());

        Assert.Equal(50, outcomes.Count(o => o.Admitted));
        Assert.All(outcomes.Where(o => !o.Admitted), o => Assert.Equal(TimeSpan.FromSeconds(60), o.RetryAfter));
        Assert.Equal(50m, Assert.Single(await a.UsageAsync(Cancellation)).Used);
        Assert.Equal(await a.UsageAsync(Cancellation), await b.UsageAsync(Cancellation));
    }

    [Fact]
    public async Task TryConsume_PaymentsSplitAcrossTwoReplicas_NeverSpendMoreThanTheMax()
    {
        var (a, b) = await OpenReplicasAsync();
        var policy = Budgets.Spend("100");
        // Seeded, so a failure replays: 64 payments of 0.01 to 5.00 that add up to well over the max.
        var random = new Random(8);
        var amounts = Enumerable.Range(0, 64).Select(_ => random.Next(1, 501) / 100m).ToArray();
        Assert.True(amounts.Sum() > 150m);

        var outcomes = await RaceAsync(a, b, amounts.Select(amount => Budgets.Pay(policy, amount.ToString(System.Globalization.CultureInfo.InvariantCulture))).ToArray());
        var spent = amounts.Where((_, i) => outcomes[i].Admitted).Sum();
        // Some payment was refused, so when it came more than 100 - 5.00 was spent; it never goes down.
        Assert.InRange(spent, 95.01m, 100m);
        Assert.Equal(spent, Assert.Single(await b.UsageAsync(Cancellation)).Used);

        // What is left is exactly what either replica still admits, to the cent.
        var rest = 100m - spent;
        if (rest > 0)
        {
            Assert.False((await b.TryConsumeAsync(Budgets.Pay(policy, (rest + 0.01m).ToString(System.Globalization.CultureInfo.InvariantCulture)), Cancellation)).Admitted);
            Assert.True((await a.TryConsumeAsync(Budgets.Pay(policy, rest.ToString(System.Globalization.CultureInfo.InvariantCulture)), Cancellation)).Admitted);
        }

        Assert.False((await b.TryConsumeAsync(Budgets.Pay(policy, "0.01"), Cancellation)).Admitted);
        Assert.Equal(100m, Assert.Single(await a.UsageAsync(Cancellation)).Used);
    }

    public void Dispose()
    {
        foreach (var store in _stores)
        {
            store.Dispose();
        }
    }

    /// <summary>Sends every call at once, alternating replicas; the outcomes are in the order of <paramref name="calls"/>.</summary>
    private static async Task<CounterOutcome[]> RaceAsync(ICounterStore a, ICounterStore b, IReadOnlyList<LimitObligation>[] calls)
    {
        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var racing = calls.Select((call, i) => Task.Run(async () =>
        {
            await go.Task;
            return await (i % 2 == 0 ? a : b).TryConsumeAsync(call, Cancellation);
        })).ToArray();
        go.SetResult();
        return await Task.WhenAll(racing);
    }

    [Fact]
    public async Task TryConsume_AReplicaOnAShorterWindow_NeverErasesWhatALongerWindowStillCounts()
    {
        // A rollout: one replica still has "spend" per day, the other already per hour.
        var (daily, hourly) = await OpenReplicasAsync();
        var perDay = Policies.Load("""{"version":"1","default":"deny","tools":{"pay":{"limits":[{"counter":"spend","window":"day","max":10,"cost":"amount"}]}}}""");
        var perHour = Policies.Load("""{"version":"1","default":"deny","tools":{"pay":{"limits":[{"counter":"spend","window":"hour","max":10,"cost":"amount"}]}}}""");
        Assert.True((await daily.TryConsumeAsync(Budgets.Pay(perDay, "10"), Cancellation)).Admitted);

        _clock.Advance(TimeSpan.FromHours(2));
        Assert.True((await hourly.TryConsumeAsync(Budgets.Pay(perHour, "1"), Cancellation)).Admitted);

        // The day's 10 are still in the day's window: the daily replica has no room, as long as the day lasts.
        Assert.False((await daily.TryConsumeAsync(Budgets.Pay(perDay, "1"), Cancellation)).Admitted);
        _clock.Advance(TimeSpan.FromHours(21));
        Assert.False((await daily.TryConsumeAsync(Budgets.Pay(perDay, "0.5"), Cancellation)).Admitted);
        _clock.Advance(TimeSpan.FromHours(1));
        Assert.True((await daily.TryConsumeAsync(Budgets.Pay(perDay, "9"), Cancellation)).Admitted);
    }

    private async Task<(ICounterStore A, ICounterStore B)> OpenReplicasAsync()
    {
        var options = redis.FreshOptions();
        var a = await RedisStore.OpenAsync(options, _clock);
        _stores.Add(a);
        var b = await RedisStore.OpenAsync(options, _clock);
        _stores.Add(b);
        return (a.Counters, b.Counters);
    }
}
