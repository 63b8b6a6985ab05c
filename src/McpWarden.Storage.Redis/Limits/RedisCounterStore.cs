namespace McpWarden.Storage.Redis.Limits;

// SCAFFOLD: becomes the port implementation on its own branch; nothing opens a Redis store until then.
public sealed class RedisCounterStore
{
    private readonly RedisConnection _connection;
    private readonly TimeProvider _time;

    internal RedisCounterStore(RedisConnection connection, TimeProvider time)
    {
        _connection = connection;
        _time = time;
    }
}
