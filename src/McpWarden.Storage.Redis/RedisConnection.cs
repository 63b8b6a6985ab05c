using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using McpWarden.Gateway.Storage;
using StackExchange.Redis;

namespace McpWarden.Storage.Redis;

/// <summary>
/// One multiplexed connection to the shared Redis, and the single place where its failures become
/// <see cref="StoreUnavailableException"/>. The connection reconnects by itself: a store that was unavailable
/// serves again as soon as Redis answers, without a restart.
/// </summary>
internal sealed class RedisConnection : IDisposable
{
    private readonly ConnectionMultiplexer _multiplexer;

    private RedisConnection(ConnectionMultiplexer multiplexer, RedisStoreOptions options)
    {
        _multiplexer = multiplexer;
        Options = options;
    }

    public RedisStoreOptions Options { get; }

    public IDatabase Database => _multiplexer.GetDatabase();

    public ISubscriber Subscriber => _multiplexer.GetSubscriber();

    /// <summary>Whether a command sent now would reach the server.</summary>
    public bool IsConnected => _multiplexer.IsConnected;

    /// <summary>
    /// Connects, or starts connecting in the background when Redis does not answer yet: the gateway starts either
    /// way, and every call that needs the store is refused until it answers.
    /// </summary>
    public static async Task<RedisConnection> OpenAsync(RedisStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var trustedRoots = options.TlsCaFile is { } caFile ? LoadRoots(caFile) : null;
        var configuration = new ConfigurationOptions
        {
            AbortOnConnectFail = false,
            ConnectRetry = 1,
            ConnectTimeout = (int)options.OperationTimeout.TotalMilliseconds,
            SyncTimeout = (int)options.OperationTimeout.TotalMilliseconds,
            ResponseTimeout = (int)options.OperationTimeout.TotalMilliseconds,
            KeepAlive = 5,
            Password = options.Password,
            Ssl = options.Tls,
            SslHost = options.TlsServerName,
            ClientName = "mcpwarden",
        };
        configuration.EndPoints.Add(options.Endpoint);
        if (trustedRoots is not null)
        {
            // Runs during the connect itself (and every reconnect): it must need nothing but the roots.
            configuration.CertificateValidation += (_, certificate, _, errors) => ChainsTo(trustedRoots, certificate, errors);
        }

        var multiplexer = await ConnectionMultiplexer.ConnectAsync(configuration).ConfigureAwait(false);
        return new RedisConnection(multiplexer, options);
    }

    /// <summary>A key under this store's prefix.</summary>
    public RedisKey Key(string name) => Options.KeyPrefix + name;

    /// <summary>
    /// Runs one command (or script) within the operation timeout; a connection, timeout or authentication failure, or a
    /// server that cannot serve now, becomes <see cref="StoreUnavailableException"/>. A command that timed out may still
    /// run later: for a consume that errs towards admitting less.
    /// </summary>
    public async Task<T> RunAsync<T>(Func<IDatabase, Task<T>> command)
    {
        ArgumentNullException.ThrowIfNull(command);
        try
        {
            // StackExchange.Redis 1.2.6 gives asynchronous commands no timeout of their own: a Redis that stopped
            // answering without closing the connection (frozen, blackholed) would hold every call forever.
            return await command(Database).WaitAsync(Options.OperationTimeout).ConfigureAwait(false);
        }
        catch (Exception e) when (IsUnavailability(e))
        {
            throw Unavailable(e);
        }
    }

    /// <summary>The exception that says the store cannot be reached: naming the endpoint and the cause for operators, only the cause for agents.</summary>
    public StoreUnavailableException Unavailable(Exception cause)
    {
        var why = Why(cause);
        return new($"the shared store (Redis at {Options.Endpoint}) is unavailable: {why} ({cause.Message})", $"the gateway's shared store is unreachable ({why})", cause);
    }

    public void Dispose()
    {
        // Dispose alone waits for QUIT's reply until the operation timeout; nothing is owed to the server on the way out.
        _multiplexer.Close(allowCommandsToComplete: false);
        _multiplexer.Dispose();
    }

    // The server answered, but cannot serve now; each prefix opens its error reply.
    private static readonly (string Prefix, string Why)[] RefusingServer =
    [
        ("NOAUTH", "authentication refused"),
        ("WRONGPASS", "authentication refused"),
        ("LOADING", "Redis is loading its data"),
        ("READONLY", "Redis is a read-only replica"),
        ("MASTERDOWN", "Redis lost its primary"),
        ("OOM", "Redis is out of memory"),
        ("BUSY", "Redis is busy running a script"),
        ("MISCONF", "Redis cannot persist its data"),
        ("NOREPLICAS", "Redis has too few replicas"),
        ("TRYAGAIN", "Redis asks to try again"),
        ("CLUSTERDOWN", "the Redis cluster is down"),
    ];

    private static bool IsUnavailability(Exception e) => e switch
    {
        RedisConnectionException or TimeoutException => true,
        RedisServerException server => RefusingServer.Any(r => server.Message.StartsWith(r.Prefix, StringComparison.Ordinal)),
        _ => false,
    };

    private string Why(Exception e) => e switch
    {
        RedisConnectionException connection when Refused(connection) => "authentication refused",
        RedisConnectionException => "no connection",
        TimeoutException => $"no answer within {Options.OperationTimeout.TotalMilliseconds:0} ms",
        RedisServerException server => RefusingServer.FirstOrDefault(r => server.Message.StartsWith(r.Prefix, StringComparison.Ordinal)).Why ?? "refused by Redis",
        _ => "unexpected failure",
    };

    /// <summary>
    /// Whether the connection failed because the server refused the password: said by the failure, by the connection
    /// failure it wraps, or (before the connection has given up) only by the server's reply quoted in its message.
    /// </summary>
    private static bool Refused(RedisConnectionException e)
    {
        for (Exception? failure = e; failure is not null; failure = failure.InnerException)
        {
            if (failure is RedisConnectionException { FailureType: ConnectionFailureType.AuthenticationFailure }
                || failure.Message.Contains("NOAUTH", StringComparison.Ordinal)
                || failure.Message.Contains("WRONGPASS", StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    private static X509Certificate2Collection LoadRoots(string caFile)
    {
        var roots = new X509Certificate2Collection();
        roots.ImportFromPemFile(caFile);
        return roots;
    }

    /// <summary>With a private certificate authority: the server's certificate must chain to it (and carry the right name).</summary>
    private static bool ChainsTo(X509Certificate2Collection trustedRoots, X509Certificate? certificate, SslPolicyErrors errors)
    {
        if (certificate is null || (errors & (SslPolicyErrors.RemoteCertificateNotAvailable | SslPolicyErrors.RemoteCertificateNameMismatch)) != 0)
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(trustedRoots);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        using var server = new X509Certificate2(certificate);
        return chain.Build(server);
    }
}
