using McpWarden.Gateway.Configuration;
using McpWarden.Gateway.Storage;
using McpWarden.Storage.Sqlite;

namespace McpWarden.Cli;

/// <summary>Opens the store a configuration names: the embedded database file by default, memory for <c>--ephemeral</c>.</summary>
internal static class StoreOpener
{
    /// <summary>The stores, or why they cannot be opened (the gateway then refuses to start).</summary>
    public static (GatewayStores? Stores, string? Problem) Open(GatewayConfiguration configuration, bool ephemeral, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        if (ephemeral)
        {
            return (GatewayStores.InMemory(time), null);
        }

        if (configuration.Store.Redis is { } redis)
        {
            return (null, $"the store \"redis\": \"{redis.Endpoint}\" is not available in this version; use \"store\": {{\"path\": FILE}} or --ephemeral");
        }

        if (configuration.Store.Path is not { } path)
        {
            return (null, "the configuration names no store");
        }

        try
        {
            var store = SqliteStore.Open(path, time, new SqliteStoreOptions { Synchronous = configuration.Store.FullSync ? SqliteSynchronous.Full : SqliteSynchronous.Normal });
            return (new GatewayStores(store.Counters, store.Approvals, store.Audit, store.Pins, store), null);
        }
        catch (Exception e) when (e is SqliteStoreException or IOException or UnauthorizedAccessException or Microsoft.Data.Sqlite.SqliteException)
        {
            return (null, $"cannot open the store {path}: {e.Message}");
        }
    }

    /// <summary>Why the audit log cannot be read, if it cannot (a store that has never been written, say).</summary>
    public static string? AuditReaderProblem(GatewayConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return configuration.Store.Path is { } path && !File.Exists(path)
            ? $"no audit log at {path}: no gateway has run with this configuration's store yet"
            : null;
    }
}
