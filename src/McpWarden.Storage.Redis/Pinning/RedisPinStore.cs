namespace McpWarden.Storage.Redis.Pinning;

// SCAFFOLD: becomes the port implementation on its own branch; nothing opens a Redis store until then.
public sealed class RedisPinStore
{
    private readonly RedisConnection _connection;
    private readonly TimeProvider _time;

    internal RedisPinStore(RedisConnection connection, TimeProvider time)
    {
        _connection = connection;
        _time = time;
    }
}
