using McpWarden.Testing;
using Xunit;

namespace McpWarden.Storage.Redis.Tests;

/// <summary>One redis-server for a test class; each store under test takes its own key prefix, so nothing is shared between tests.</summary>
public sealed class RedisServerFixture : IAsyncLifetime
{
    private RedisServer? _server;
    private int _stores;

    public RedisServer Server => _server ?? throw new InvalidOperationException("not started");

    /// <summary>Options for a fresh store: the shared server under a key prefix no other store uses.</summary>
    public RedisStoreOptions FreshOptions() =>
        new() { Endpoint = Server.Endpoint, KeyPrefix = $"test{Interlocked.Increment(ref _stores)}:" };

    public async ValueTask InitializeAsync() => _server = await RedisServer.StartAsync();

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
