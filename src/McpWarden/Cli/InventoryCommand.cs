using McpWarden.Gateway.Configuration;
using McpWarden.Gateway.Inventory;
using McpWarden.Gateway.Storage;
using McpWarden.Gateway.Upstreams;
using Microsoft.Extensions.Logging;

namespace McpWarden.Cli;

/// <summary>
/// <c>mcpwarden inventory --config FILE [--json] [--server NAME]</c>: every tool of every configured server (or
/// one), with its category, risk and rationale, the rule that governs it, its pin state and scan findings.
/// Servers are asked directly, as the gateway asks them; one that cannot be listed is reported and the exit
/// status stays 0 (the report is complete about it). A configuration that does not load exits 2.
/// </summary>
internal static class InventoryCommand
{
    public static async Task<int> RunAsync(string configPath, string? serverName, bool json, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var (configuration, servers, status) = await SelectAsync("inventory", configPath, serverName, error).ConfigureAwait(false);
        if (configuration is null)
        {
            return status;
        }

        var (opened, problem) = await OpenStoreAsync(configuration).ConfigureAwait(false);
        if (problem is not null)
        {
            await error.WriteLineAsync("inventory: " + problem).ConfigureAwait(false);
            return ExitCodes.Invalid;
        }

        await using var stores = opened;
        if (stores is null)
        {
            await error.WriteLineAsync($"inventory: no store at {configuration.Store.Path} yet, so no tool has been pinned: every pin state is unpinned").ConfigureAwait(false);
        }

        using var loggers = Loggers();
        using var transports = new UpstreamTransportFactory(Environment.GetEnvironmentVariable, loggers);
        var service = new InventoryService(new UpstreamProbe(transports, TimeProvider.System));
        var report = await service.BuildAsync(servers, configuration.Servers, stores?.Pins, cancellationToken).ConfigureAwait(false);

        if (json)
        {
            await output.WriteLineAsync(InventoryJson.Write(report, indented: true)).ConfigureAwait(false);
        }
        else
        {
            InventoryTable.Write(report, output);
        }

        var tools = report.Servers.Sum(s => s.Tools.Count);
        var visible = report.Servers.Sum(s => s.Tools.Count(t => t.Visible));
        var unlisted = report.Servers.Where(s => s.Error is not null).Select(s => s.Name).ToList();
        await error.WriteLineAsync($"inventory: {report.Servers.Count} server{Plural(report.Servers.Count)}, {tools} tool{Plural(tools)}, {visible} visible to agents"
            + (unlisted.Count > 0 ? $"; not listed: {string.Join(", ", unlisted)}" : string.Empty)).ConfigureAwait(false);
        return ExitCodes.Success;
    }

    /// <summary>
    /// Loads the configuration and picks the servers named (all without a name). Null configuration (with the
    /// status to exit with, the reasons written) when it does not load or names no such server.
    /// </summary>
    internal static async Task<(GatewayConfiguration? Configuration, IReadOnlyList<ServerDefinition> Servers, int Status)> SelectAsync(
        string command, string configPath, string? serverName, TextWriter error)
    {
        var loaded = ConfigurationLoader.LoadFile(configPath, Environment.GetEnvironmentVariable);
        if (loaded.Configuration is not { } configuration)
        {
            foreach (var diagnostic in loaded.Diagnostics)
            {
                await error.WriteLineAsync(diagnostic.ToString()).ConfigureAwait(false);
            }

            return (null, [], ExitCodes.BadConfiguration);
        }

        if (serverName is null)
        {
            return (configuration, configuration.Servers, ExitCodes.Success);
        }

        if (configuration.Servers.FirstOrDefault(s => s.Name == serverName) is { } server)
        {
            return (configuration, [server], ExitCodes.Success);
        }

        await error.WriteLineAsync($"{command}: no server is named \"{serverName}\"; the configured servers are {Names(configuration)}").ConfigureAwait(false);
        return (null, [], ExitCodes.BadConfiguration);
    }

    /// <summary>
    /// The gateway's log, less the SDK's warnings: these commands report a server that failed themselves, and the
    /// SDK's warning would repeat it with a stack trace.
    /// </summary>
    internal static ILoggerFactory Loggers() => LoggerFactory.Create(builder =>
    {
        GatewayLogging.Configure(builder);
        builder.AddFilter("ModelContextProtocol", LogLevel.Error);
    });

    internal static string Names(GatewayConfiguration configuration) => string.Join(", ", configuration.Servers.Select(s => s.Name));

    /// <summary>
    /// The configuration's store, to read pins from; none (and no problem) when its file does not exist yet:
    /// the inventory only reads, so it does not create a store a gateway has never used.
    /// </summary>
    private static async Task<(GatewayStores? Stores, string? Problem)> OpenStoreAsync(GatewayConfiguration configuration)
    {
        if (!StoreOpener.MayHavePins(configuration))
        {
            return (null, null);
        }

        var (stores, problem) = await StoreOpener.OpenAsync(configuration, ephemeral: false, TimeProvider.System).ConfigureAwait(false);
        return stores is null ? (null, $"cannot read the pins: {problem}") : (stores, null);
    }

    private static string Plural(int count) => count == 1 ? string.Empty : "s";
}
