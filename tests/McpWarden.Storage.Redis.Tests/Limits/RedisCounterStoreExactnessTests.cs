using McpWarden.Gateway.Time;
using Xunit;

namespace McpWarden.Storage.Redis.Tests.Limits;

/// <summary>
/// Spend caps are exact decimals in the scripts, not Lua's doubles: a cent more than the max is never admitted, and
/// the largest and finest values a decimal holds count exactly.
/// </summary>
public sealed class RedisCounterStoreExactnessTests(RedisServerFixture redis) : IClassFixture<RedisServerFixture>, IDisposable
{
    private const string Smallest = "0.0000000000000000000000000001";

    private readonly ManualTimeProvider _clock = new(ManualTimeProvider.TestEpoch);
    private readonly List<RedisStore> _stores = [];

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task TryConsume_ThreeTimes33_33ThenACent_AdmitsTheCentThatFillsTheMaxAndNotTheNext()
    {
        var counters = await OpenAsync();
        var policy = Budgets.Spend("100");
        for (var i = 0; i < 3; i++)
        {
            Assert.True((await counters.TryConsumeAsync(Budgets.Pay(policy, "33.33"), Cancellation)).Admitted);
        }

        var last = await counters.TryConsumeAsync(Budgets.Pay(policy, "0.01"), Cancellation);
        Assert.True(last.Admitted);
        Assert.Equal(100m, last.Fullest!.Value.Used);

        var over = await counters.TryConsumeAsync(Budgets.Pay(policy, "0.01"), Cancellation);
        Assert.False(over.Admitted);
        Assert.Equal(TimeSpan.FromDays(1), over.RetryAfter);
    }

    [Fact]
    public async Task TryConsume_PointOnePlusPointTwo_FillsAMaxOfPointThreeExactly()
    {
        var counters = await OpenAsync();
        var policy = Budgets.Spend("0.3");
        Assert.True((await counters.TryConsumeAsync(Budgets.Pay(policy, "0.1"), Cancellation)).Admitted);
        // In doubles 0.1 + 0.2 is 0.30000000000000004: more than 0.3, so this would be refused.
        var second = await counters.TryConsumeAsync(Budgets.Pay(policy, "0.2"), Cancellation);
        Assert.True(second.Admitted);
        Assert.Equal(0.3m, second.Fullest!.Value.Used);

        Assert.False((await counters.TryConsumeAsync(Budgets.Pay(policy, Smallest), Cancellation)).Admitted);
        Assert.True((await counters.CheckAsync(Budgets.Pay(policy, "0"), Cancellation)).Admitted);
    }

    [Fact]
    public async Task TryConsume_AThousandTenths_AddUpToExactlyTheMax()
    {
        var counters = await OpenAsync();
        var policy = Budgets.Spend("100");
        for (var i = 0; i < 1000; i++)
        {
            Assert.True((await counters.TryConsumeAsync(Budgets.Pay(policy, "0.1"), Cancellation)).Admitted, $"payment {i + 1} should fit");
        }

        Assert.False((await counters.TryConsumeAsync(Budgets.Pay(policy, Smallest), Cancellation)).Admitted);
        Assert.Equal(100m, Assert.Single(await counters.UsageAsync(Cancellation)).Used);
    }

    [Fact]
    public async Task TryConsume_TheLargestDecimal_IsCountedToTheLastUnit()
    {
        var counters = await OpenAsync();
        var max = decimal.MaxValue.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var policy = Budgets.Spend(max);

        Assert.True((await counters.TryConsumeAsync(Budgets.Pay(policy, (decimal.MaxValue - 1).ToString(System.Globalization.CultureInfo.InvariantCulture)), Cancellation)).Admitted);
        var full = await counters.TryConsumeAsync(Budgets.Pay(policy, "1"), Cancellation);
        Assert.Equal(decimal.MaxValue, full.Fullest!.Value.Used);

        // The sum the check needs is larger than any decimal; the script holds it exactly and refuses.
        var refused = await counters.TryConsumeAsync(Budgets.Pay(policy, Smallest), Cancellation);
        Assert.False(refused.Admitted);
        Assert.Equal(TimeSpan.FromDays(1), refused.RetryAfter);
        Assert.False((await counters.TryConsumeAsync(Budgets.Pay(policy, max), Cancellation)).Admitted);
        Assert.Equal(decimal.MaxValue, Assert.Single(await counters.UsageAsync(Cancellation)).Used);
    }

    [Fact]
    public async Task TryConsume_TheFinestDecimals_AreCountedToTheLastPlace()
    {
        var counters = await OpenAsync();
        // 28 decimal places, every digit significant: the most precise max a decimal holds.
        var policy = Budgets.Spend("7.9228162514264337593543950335");

        Assert.True((await counters.TryConsumeAsync(Budgets.Pay(policy, "7.9228162514264337593543950334"), Cancellation)).Admitted);
        var last = await counters.TryConsumeAsync(Budgets.Pay(policy, Smallest), Cancellation);
        Assert.True(last.Admitted);
        Assert.Equal(7.9228162514264337593543950335m, last.Fullest!.Value.Used);
        Assert.False((await counters.TryConsumeAsync(Budgets.Pay(policy, Smallest), Cancellation)).Admitted);
    }

    [Fact]
    public async Task TryConsume_SpendsMergedIntoOneEntry_StayExact()
    {
        var counters = await OpenAsync();
        var policy = Budgets.Spend("1000.03");
        // At one instant all of these share one log entry, whose units are the exact sum.
        foreach (var amount in new[] { "1000.01", "0.01", "0.01" })
        {
            Assert.True((await counters.TryConsumeAsync(Budgets.Pay(policy, amount), Cancellation)).Admitted);
        }

        Assert.False((await counters.TryConsumeAsync(Budgets.Pay(policy, "0.01"), Cancellation)).Admitted);
        Assert.Equal(1000.03m, Assert.Single(await counters.UsageAsync(Cancellation)).Used);
    }

    [Fact]
    public async Task TryConsume_NegativeUnits_FailClosedSayingWhy()
    {
        var counters = await OpenAsync();
        var payment = Budgets.Pay(Budgets.Spend("100"), "1")[0];
        // The evaluator refuses a negative cost; a caller that sends one anyway gets an error, not a refilled budget.
        var failure = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await counters.TryConsumeAsync([payment with { Units = -5 }], Cancellation));
        Assert.Contains("-5", failure.Message, StringComparison.Ordinal);
        Assert.Contains(payment.Key, failure.Message, StringComparison.Ordinal);
        Assert.Empty(await counters.UsageAsync(Cancellation));
    }

    public void Dispose()
    {
        foreach (var store in _stores)
        {
            store.Dispose();
        }
    }

    private async Task<Gateway.Limits.ICounterStore> OpenAsync()
    {
        var store = await RedisStore.OpenAsync(redis.FreshOptions(), _clock);
        _stores.Add(store);
        return store.Counters;
    }
}
