namespace McpWarden.Storage.Redis;

/// <summary>How to reach the Redis that replicas share, and how its keys are named.</summary>
public sealed record RedisStoreOptions
{
    /// <summary><c>HOST:PORT</c>.</summary>
    public required string Endpoint { get; init; }

    /// <summary>The <c>AUTH</c> password (<c>requirepass</c>), if the server wants one.</summary>
    public string? Password { get; init; }

    /// <summary>Whether to speak TLS to the server.</summary>
    public bool Tls { get; init; }

    /// <summary>The name the server's certificate must carry, when it is not the endpoint's host.</summary>
    public string? TlsServerName { get; init; }

    /// <summary>A PEM file of the certificate authority the server's certificate must chain to (a private CA), instead of the system's roots.</summary>
    public string? TlsCaFile { get; init; }

    /// <summary>
    /// Prepended to every key, so that one Redis can serve several independent gateways (and tests can run side
    /// by side). Replicas that enforce one budget must use the same prefix.
    /// </summary>
    public string KeyPrefix { get; init; } = "mcpwarden:";

    /// <summary>How long one command may take before the store counts as unavailable.</summary>
    public TimeSpan OperationTimeout { get; init; } = TimeSpan.FromSeconds(2);

    // A record prints every property: the password must never reach a log that way.
    private bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append("Endpoint = ").Append(Endpoint)
            .Append(", Password = ").Append(Password is null ? "(none)" : "(set)")
            .Append(", Tls = ").Append(Tls)
            .Append(", KeyPrefix = ").Append(KeyPrefix);
        return true;
    }

    /// <summary>How often a held call looks for a decision taken on another replica, besides the notification it is sent.</summary>
    public TimeSpan ApprovalPollInterval { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// How long a settled approval (decided, timed out, abandoned, used) stays readable after its last transition,
    /// for the admin API and the audit trail's links, before Redis drops it; counted by Redis's own clock (key TTL).
    /// </summary>
    /// <value>7 days.</value>
    public TimeSpan ApprovalRetention { get; init; } = TimeSpan.FromDays(7);
}
