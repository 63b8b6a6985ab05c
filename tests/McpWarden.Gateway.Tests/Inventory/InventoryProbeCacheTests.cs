using McpWarden.Gateway.Configuration;
using McpWarden.Gateway.Inventory;
using McpWarden.Gateway.Time;
using Xunit;

namespace McpWarden.Gateway.Tests.Inventory;

public sealed class InventoryProbeCacheTests
{
    private const string Policy = """{ "version": "1", "default": "deny", "tools": {} }""";

    private readonly ManualTimeProvider _time = new(ManualTimeProvider.TestEpoch);
    private readonly List<string> _asked = [];

    [Fact]
    public async Task AProbe_IsKeptForItsLifetime_ThenTakenAgain()
    {
        var cache = new InventoryProbeCache(CountingProbe, _time, TimeSpan.FromSeconds(30));
        ServerDefinition[] servers = [InventoryAssemblerTests.Server("shop", Policy), InventoryAssemblerTests.Server("bank", Policy)];

        var first = await cache.GetAsync(servers, refresh: false, TestContext.Current.CancellationToken);
        _time.Advance(TimeSpan.FromSeconds(29));
        var kept = await cache.GetAsync(servers, refresh: false, TestContext.Current.CancellationToken);
        _time.Advance(TimeSpan.FromSeconds(1));
        var again = await cache.GetAsync(servers, refresh: false, TestContext.Current.CancellationToken);

        Assert.Equal(["shop", "bank"], first.Select(p => p.Probe.Server));
        Assert.Equal(first, kept);
        Assert.Equal(["bank", "bank", "shop", "shop"], _asked.Order(StringComparer.Ordinal));
        Assert.All(again, p => Assert.Equal(ManualTimeProvider.TestEpoch.AddSeconds(30), p.ProbedAt));
    }

    [Fact]
    public async Task Refresh_ProbesAgainAtOnce()
    {
        var cache = new InventoryProbeCache(CountingProbe, _time);
        ServerDefinition[] servers = [InventoryAssemblerTests.Server("shop", Policy)];

        await cache.GetAsync(servers, refresh: false, TestContext.Current.CancellationToken);
        await cache.GetAsync(servers, refresh: true, TestContext.Current.CancellationToken);

        Assert.Equal(["shop", "shop"], _asked);
    }

    [Fact]
    public async Task ANewDefinitionOfTheServer_AfterAReload_IsProbedAgain()
    {
        var cache = new InventoryProbeCache(CountingProbe, _time);
        var before = InventoryAssemblerTests.Server("shop", Policy);
        var reloaded = before with { RequestTimeout = TimeSpan.FromSeconds(5) };

        await cache.GetAsync([before], refresh: false, TestContext.Current.CancellationToken);
        await cache.GetAsync([reloaded], refresh: false, TestContext.Current.CancellationToken);

        Assert.Equal(["shop", "shop"], _asked);
    }

    [Fact]
    public async Task RequestsDuringAProbe_WaitForIt_InsteadOfStartingAnother()
    {
        var answer = new TaskCompletionSource<ProbedServer>(TaskCreationOptions.RunContinuationsAsynchronously);
        var calls = 0;
        var cache = new InventoryProbeCache((server, _) => { Interlocked.Increment(ref calls); return answer.Task; }, _time);
        ServerDefinition[] servers = [InventoryAssemblerTests.Server("shop", Policy)];

        var first = cache.GetAsync(servers, refresh: false, TestContext.Current.CancellationToken);
        var second = cache.GetAsync(servers, refresh: true, TestContext.Current.CancellationToken);
        answer.SetResult(InventoryAssemblerTests.Probe("shop"));

        Assert.Same((await first)[0], (await second)[0]);
        Assert.Equal(1, calls);
    }

    [Fact]
    public async Task AProbeThatThrows_IsReportedAsTheServersError()
    {
        var cache = new InventoryProbeCache((_, _) => throw new InvalidOperationException("boom"), _time);

        var probe = Assert.Single(await cache.GetAsync([InventoryAssemblerTests.Server("shop", Policy)], refresh: false, TestContext.Current.CancellationToken)).Probe;

        Assert.Equal("shop could not be listed: boom", probe.Error);
    }

    private Task<ProbedServer> CountingProbe(ServerDefinition server, CancellationToken cancellationToken)
    {
        lock (_asked)
        {
            _asked.Add(server.Name);
        }

        return Task.FromResult(InventoryAssemblerTests.Probe(server.Name));
    }
}
