using McpWarden.Gateway.Configuration;
using McpWarden.Gateway.Enforcement;
using McpWarden.Gateway.Fronts;
using McpWarden.Gateway.Fronts.Http;
using McpWarden.Gateway.Relay;
using McpWarden.Gateway.Telemetry;
using McpWarden.Gateway.Upstreams;
using McpWarden.Reload;
using McpWarden.Telemetry;
using Microsoft.Extensions.Logging;

namespace McpWarden.Cli;

/// <summary>
/// <c>mcpwarden stdio</c>: the gateway as a stdio MCP server, for desktop clients that start it per
/// conversation: one server, or every configured server behind one session. Standard output carries only protocol; diagnostics and decisions go to standard error.
/// </summary>
internal static class StdioCommand
{
    public static async Task<int> RunAsync(string configPath, string? serverName, string grant, bool ephemeral, TextWriter error, CancellationToken cancellationToken)
    {
        var loaded = ConfigurationLoader.LoadFile(configPath, Environment.GetEnvironmentVariable);
        foreach (var diagnostic in loaded.Diagnostics)
        {
            await error.WriteLineAsync(diagnostic.ToString()).ConfigureAwait(false);
        }

        if (loaded.Configuration is not { } configuration)
        {
            return ExitCodes.BadConfiguration;
        }

        if (grant != GrantAuthenticator.LocalGrant && !configuration.Grants.Any(g => g.Name == grant))
        {
            await error.WriteLineAsync($"stdio: the configuration has no grant \"{grant}\"").ConfigureAwait(false);
            return ExitCodes.BadConfiguration;
        }

        // A grant limited to some servers reaches only those, here as over HTTP.
        var servers = GrantAuthenticator.ServersOf(grant, configuration);
        var names = string.Join(", ", servers.Select(s => s.Name));
        if (servers.Count == 0)
        {
            await error.WriteLineAsync("stdio: the configuration has no servers to serve").ConfigureAwait(false);
            return ExitCodes.BadConfiguration;
        }

        // Without --server, one server is served as it is, and several behind one session as {server}__{tool}.
        var server = serverName is null
            ? servers.Count == 1 ? servers[0] : null
            : servers.FirstOrDefault(s => s.Name == serverName);
        if (serverName is not null && server is null)
        {
            var why = configuration.Servers.Any(s => s.Name == serverName)
                ? $"the grant \"{grant}\" may not reach the server \"{serverName}\" (it may reach: {names})"
                : $"the configuration has no server \"{serverName}\" (it has: {string.Join(", ", configuration.Servers.Select(s => s.Name))})";
            await error.WriteLineAsync("stdio: " + why).ConfigureAwait(false);
            return ExitCodes.BadConfiguration;
        }

        using var loggers = GatewayLogging.Create();
        // The server's process starts now, before the store opens and the rest is set up: a desktop client starts
        // this gateway for every conversation and waits for its initialize answer, which the server gives (the
        // gateway relays the server's capabilities, it does not make them up), so the two starts overlap instead of
        // adding up. Nothing reaches the server before the session below takes the connection; if the gateway stops
        // before that, the connection is closed and the process ends with it.
        using var upstreams = new UpstreamTransportFactory(Environment.GetEnvironmentVariable, loggers);
        await using var pending = PendingUpstreams.Start(upstreams, server is null ? servers : [server], cancellationToken);
        // Disposed last, after the session's calls have ended: their spans and the last metrics are flushed.
        GatewayMetrics.CreateInstruments();
        using var export = TelemetryExport.Start(configuration.Telemetry, Environment.GetEnvironmentVariable, loggers.CreateLogger(typeof(TelemetryExport).FullName!));
        var live = new LiveConfiguration(loaded, TimeProvider.System);
        var (opened, storeProblem) = await StoreOpener.OpenAsync(configuration, ephemeral, TimeProvider.System).ConfigureAwait(false);
        if (opened is null)
        {
            await error.WriteLineAsync("stdio: " + storeProblem).ConfigureAwait(false);
            return ExitCodes.BadConfiguration;
        }

        await using var stores = opened;
        await StoreOpener.AbandonOrphansAsync(stores, error, "stdio", cancellationToken).ConfigureAwait(false);
        var gate = new ToolCallGate(stores, configuration.Audit, TimeProvider.System, loggers.CreateLogger<ToolCallGate>());
        var vetting = new ToolVetting(stores.Pins, stores.Audit, TimeProvider.System, loggers.CreateLogger<ToolVetting>());
        var sessions = new RelaySessionFactory(upstreams, gate, TimeProvider.System, loggers, live, vetting, pending);

        // One conversation, one process: policies, modes and timeouts follow the files; the servers served and how
        // they are reached stay as they started, and a change to them says so in the log.
        var served = servers.Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
        var reloadLogger = loggers.CreateLogger<ConfigurationWatcher>();
        await using var watcher = new ConfigurationWatcher(
            configPath,
            live,
            reloaded => reloaded,
            change =>
            {
                var kept = change.Closed.Where(served.Contains).ToList();
                if (kept.Count > 0)
                {
                    ReloadLog.Kept(reloadLogger, $"{string.Join(", ", kept)} removed or reached differently in the file; this stdio gateway keeps serving it as it started until it is restarted");
                }

                if (server is null && change.Added.Count > 0)
                {
                    ReloadLog.Kept(reloadLogger, $"{string.Join(", ", change.Added)} added in the file; this stdio gateway serves it after a restart");
                }

                return Task.CompletedTask;
            },
            Environment.GetEnvironmentVariable,
            TimeProvider.System,
            reloadLogger);
        watcher.Start(loaded.Files);
        using var front = new StdioFront(
            (sessionId, toClient, cancellation) => server is null
                ? sessions.OpenAggregateAsync(servers, grant, sessionId, toClient, cancellation)
                : sessions.OpenAsync(server, grant, sessionId, toClient, cancellation),
            loggers,
            configuration.MaxMessageBytes);
        // Set up, the gateway now mostly waits for the server's start and the client's first messages: the
        // poisoning scan's expressions are built meanwhile, on a core the server's start leaves idle on a small
        // machine, instead of when the first tools/list is answered. A list that comes sooner waits for the
        // same construction, never for a second one.
        _ = Task.Run(McpWarden.Catalog.Scanning.PoisoningScanner.Prepare, CancellationToken.None);
        await front.RunAsync(Console.OpenStandardInput(), Console.OpenStandardOutput(), cancellationToken).ConfigureAwait(false);
        return ExitCodes.Success;
    }
}
