namespace McpWarden.Gateway.Configuration;

/// <summary>The Redis that replicas share for counters, approvals and pins (<c>store.redis</c> and its settings).</summary>
/// <param name="Endpoint"><c>HOST:PORT</c>.</param>
public sealed record RedisDefinition(string Endpoint)
{
    /// <summary>The <c>AUTH</c> password, expanded from the environment; never printed.</summary>
    public string? Password { get; init; }

    /// <summary>Whether to speak TLS (<c>"tls": true</c> or an object).</summary>
    public bool Tls { get; init; }

    /// <summary>The name the server's certificate must carry, when it is not the endpoint's host.</summary>
    public string? TlsServerName { get; init; }

    /// <summary>A PEM file (absolute) of the private certificate authority the server's certificate must chain to.</summary>
    public string? TlsCaFile { get; init; }

    /// <summary>Prepended to every key; replicas enforcing one budget share it.</summary>
    public string KeyPrefix { get; init; } = DefaultKeyPrefix;

    /// <summary>
    /// When Redis cannot be reached, let calls through with their limits unchecked (logged and counted) instead of
    /// refusing them. Approvals and pins never fail open.
    /// </summary>
    public bool FailOpen { get; init; }

    public const string DefaultKeyPrefix = "mcpwarden:";

    // A record prints every property: the password must never reach a log that way.
    private bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append("Endpoint = ").Append(Endpoint)
            .Append(", Password = ").Append(Password is null ? "(none)" : "(set)")
            .Append(", Tls = ").Append(Tls)
            .Append(", KeyPrefix = ").Append(KeyPrefix)
            .Append(", FailOpen = ").Append(FailOpen);
        return true;
    }
}
