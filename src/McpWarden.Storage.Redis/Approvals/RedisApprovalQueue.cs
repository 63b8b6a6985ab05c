namespace McpWarden.Storage.Redis.Approvals;

// SCAFFOLD: becomes the port implementation on its own branch; nothing opens a Redis store until then.
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1711:Identifiers should not have incorrect suffix", Justification = "It implements the approval queue port.")]
public sealed class RedisApprovalQueue
{
    private readonly RedisConnection _connection;
    private readonly TimeProvider _time;

    internal RedisApprovalQueue(RedisConnection connection, TimeProvider time)
    {
        _connection = connection;
        _time = time;
    }
}
