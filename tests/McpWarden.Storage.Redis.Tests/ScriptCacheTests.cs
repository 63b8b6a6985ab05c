using McpWarden.Catalog.Pinning;
using McpWarden.Gateway.Approvals;
using McpWarden.Gateway.Time;
using Xunit;

namespace McpWarden.Storage.Redis.Tests;

/// <summary>
/// A Redis that restarted (or was flushed) has forgotten every script the stores sent it: each store's next call must
/// send its script again rather than fail, or a replica would refuse every held call and list after a Redis restart.
/// </summary>
public sealed class ScriptCacheTests(RedisServerFixture redis) : IClassFixture<RedisServerFixture>, IAsyncLifetime
{
    private readonly OpenedStores _stores = new();
    private RedisAdmin? _admin;

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _admin = await RedisAdmin.ConnectAsync(redis.Server.Endpoint);

    public async ValueTask DisposeAsync()
    {
        _admin?.Dispose();
        await _stores.DisposeAsync();
    }

    [Fact]
    public async Task Approvals_ServerForgotTheScripts_StillSubmitDecideAndUse()
    {
        var queue = _stores.Open(redis.FreshOptions(), new ManualTimeProvider(ManualTimeProvider.TestEpoch)).Approvals;
        var binding = new ApprovalBinding("g", "s", "t", new string('a', 64), "r1");
        var request = new ApprovalRequest(binding, "session", "{}", "/tools/t", "held", TimeSpan.FromMinutes(5), "host/1/1");
        await queue.SubmitAsync(request, Cancellation);

        await _admin!.Server.ScriptFlushAsync();
        var approval = await queue.SubmitAsync(request, Cancellation);
        await _admin.Server.ScriptFlushAsync();
        Assert.Equal(ApprovalDecisionResult.Decided, await queue.DecideAsync(approval.Id, approve: true, null, "admin", Cancellation));
        await _admin.Server.ScriptFlushAsync();
        Assert.True(await queue.TryUseAsync(approval.Id, binding, Cancellation));
    }

    [Fact]
    public async Task Pins_ServerForgotTheScripts_StillCheckAndAccept()
    {
        var pins = _stores.Open(redis.FreshOptions(), new ManualTimeProvider(ManualTimeProvider.TestEpoch)).Pins;
        await pins.CheckAsync("fs", [ToolFingerprint.Of(Tool("Reads"))], Cancellation);

        await _admin!.Server.ScriptFlushAsync();
        var changed = ToolFingerprint.Of(Tool("Reads and mails"));
        Assert.True((await pins.CheckAsync("fs", [changed], Cancellation))[0].NewlyChanged);
        await _admin.Server.ScriptFlushAsync();
        Assert.Equal(Gateway.Pinning.PinAcceptance.Accepted, await pins.AcceptAsync("fs", "read", changed.Fingerprint, Cancellation));
    }

    private static Catalog.Definitions.ToolDefinition Tool(string description) =>
        Catalog.Definitions.ToolDefinition.ListFrom(System.Text.Json.JsonDocument.Parse($$$"""[{"name":"read","description":"{{{description}}}","inputSchema":{"type":"object"}}]""").RootElement)[0];
}
