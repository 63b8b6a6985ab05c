namespace McpWarden.Storage.Redis.Tests;

/// <summary>The stores (and raw connections, to look inside Redis) a test opened, closed when it ends.</summary>
public sealed class OpenedStores : IAsyncDisposable
{
    private readonly List<IDisposable> _opened = [];

    /// <summary>Opens a store; two opened with the same options are two replicas sharing one Redis.</summary>
    public RedisStore Open(RedisStoreOptions options, TimeProvider time)
    {
        // The contracts create their stores synchronously; opening never waits for an unreachable Redis. Off the
        // test's synchronization context, which the connecting client's continuations would otherwise wait for.
        var store = Task.Run(() => RedisStore.OpenAsync(options, time)).GetAwaiter().GetResult();
        lock (_opened)
        {
            _opened.Add(store);
        }

        return store;
    }

    /// <summary>A connection of its own under the same prefix, to read and write keys as the store lays them out.</summary>
    internal RedisConnection Inspect(RedisStoreOptions options)
    {
        var connection = Task.Run(() => RedisConnection.OpenAsync(options)).GetAwaiter().GetResult();
        lock (_opened)
        {
            _opened.Add(connection);
        }

        return connection;
    }

    public async ValueTask DisposeAsync()
    {
        IDisposable[] opened;
        lock (_opened)
        {
            opened = [.. _opened];
            _opened.Clear();
        }

        // Awaited off the test's synchronization context: the client's close waits on continuations queued to it,
        // so a test blocked in a synchronous dispose would wait out the client's timeout (2 s a store).
        await Task.Run(() =>
        {
            foreach (var each in opened)
            {
                each.Dispose();
            }
        }).ConfigureAwait(false);
    }
}
