using McpWarden.Gateway.Approvals;
using McpWarden.Gateway.Configuration;
using McpWarden.Gateway.Storage;
using McpWarden.Storage.Redis;
using McpWarden.Storage.Sqlite;

namespace McpWarden.Cli;

/// <summary>
/// Opens the store a configuration names: the embedded database file by default; Redis for counters, approvals and
/// pins shared by replicas (with this replica's audit log in its own file); memory for <c>--ephemeral</c>.
/// </summary>
internal static class StoreOpener
{
    /// <summary>
    /// The stores, or why they cannot be opened (the gateway then refuses to start). A Redis that does not answer
    /// yet is no reason: the gateway starts, refuses what needs Redis, and serves fully once Redis answers.
    /// </summary>
    public static async Task<(GatewayStores? Stores, string? Problem)> OpenAsync(GatewayConfiguration configuration, bool ephemeral, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        if (ephemeral)
        {
            return (GatewayStores.InMemory(time), null);
        }

        if (configuration.Store.Path is not { } path)
        {
            return (null, "the configuration names no store");
        }

        SqliteStore file;
        try
        {
            file = SqliteStore.Open(path, time, new SqliteStoreOptions { Synchronous = configuration.Store.FullSync ? SqliteSynchronous.Full : SqliteSynchronous.Normal });
        }
        catch (Exception e) when (e is SqliteStoreException or IOException or UnauthorizedAccessException or Microsoft.Data.Sqlite.SqliteException)
        {
            return (null, $"cannot open the store {path}: {e.Message}");
        }

        if (configuration.Store.Redis is not { } redis)
        {
            return (new GatewayStores(file.Counters, file.Approvals, file.Audit, file.Pins, file) { Kind = "sqlite", Admissions = file.Counters }, null);
        }

        try
        {
            var shared = await RedisStore.OpenAsync(Options(redis), time).ConfigureAwait(false);
            // Beside Redis the file keeps only this replica's audit log; counters, approvals and pins are shared.
            return (new GatewayStores(shared.Counters, shared.Approvals, file.Audit, shared.Pins, new Owners(shared, file)) { LimitsFailOpen = redis.FailOpen, Kind = "redis", IsReachable = () => shared.IsConnected }, null);
        }
        catch (Exception e) when (e is ArgumentException or IOException or System.Security.Cryptography.CryptographicException)
        {
            file.Dispose();
            return (null, $"cannot use the Redis store at {redis.Endpoint}: {e.Message}");
        }
    }

    /// <summary>
    /// At start: approvals held by a gateway that is gone are abandoned. A store that cannot be reached now is no
    /// reason not to start; its orphans end at their expiry, and are abandoned at the next start.
    /// </summary>
    public static async Task AbandonOrphansAsync(GatewayStores stores, TextWriter error, string command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stores);
        ArgumentNullException.ThrowIfNull(error);
        try
        {
            await stores.Approvals.AbandonOrphansAsync(GatewayInstance.IsAlive, cancellationToken).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Whatever the store answers, the gateway starts: the orphans end at their expiry either way.
        catch (Exception e) when (e is not OperationCanceledException)
#pragma warning restore CA1031
        {
            await error.WriteLineAsync($"{command}: warning: held calls of earlier runs could not be abandoned ({e.Message}); they end at their expiry").ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Why the audit log cannot be read, if it cannot (a store that has never been written, say). Beside Redis this
    /// is this replica's own log.
    /// </summary>
    public static string? AuditReaderProblem(GatewayConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return configuration.Store.Path is { } path && !File.Exists(path)
            ? $"no audit log at {path}: no gateway has run with this configuration's store yet"
            : null;
    }

    /// <summary>Whether there may be pins to read: always with Redis (they live there); with the file, once a gateway has created it.</summary>
    public static bool MayHavePins(GatewayConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return configuration.Store.Redis is not null || configuration.Store.Path is not { } path || File.Exists(path);
    }

    private static RedisStoreOptions Options(RedisDefinition redis) => new()
    {
        Endpoint = redis.Endpoint,
        Password = redis.Password,
        Tls = redis.Tls,
        TlsServerName = redis.TlsServerName,
        TlsCaFile = redis.TlsCaFile,
        KeyPrefix = redis.KeyPrefix,
    };

    /// <summary>Disposes both stores of a Redis configuration: the shared connection and this replica's file.</summary>
    private sealed class Owners(RedisStore shared, SqliteStore file) : IDisposable
    {
        public void Dispose()
        {
            shared.Dispose();
            file.Dispose();
        }
    }
}
