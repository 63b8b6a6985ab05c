using McpWarden.Storage.Redis.Approvals;
using McpWarden.Storage.Redis.Limits;
using McpWarden.Storage.Redis.Pinning;

namespace McpWarden.Storage.Redis;

/// <summary>
/// The state several gateway replicas share through one Redis: counters (one Lua script checks and consumes every
/// limit of a call atomically), approvals (held on one replica, decided on any) and pins. The audit log stays
/// with each replica. Time comes from the gateway's clock, passed to every script, so replicas must keep their
/// clocks in step (NTP). See <c>docs/deploy.md</c>.
/// </summary>
public sealed class RedisStore : IDisposable
{
    private readonly RedisConnection _connection;

    private RedisStore(RedisConnection connection, TimeProvider time)
    {
        _connection = connection;
        Counters = new RedisCounterStore(connection, time);
        Approvals = new RedisApprovalQueue(connection, time);
        Pins = new RedisPinStore(connection, time);
    }

    public RedisCounterStore Counters { get; }

    public RedisApprovalQueue Approvals { get; }

    public RedisPinStore Pins { get; }

    /// <summary>Whether Redis answers now.</summary>
    public bool IsConnected => _connection.IsConnected;

    /// <summary>Connects; when Redis does not answer yet the store still opens, refusing what needs it until Redis answers.</summary>
    public static async Task<RedisStore> OpenAsync(RedisStoreOptions options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        return new RedisStore(await RedisConnection.OpenAsync(options).ConfigureAwait(false), time);
    }

    public void Dispose() => _connection.Dispose();
}
