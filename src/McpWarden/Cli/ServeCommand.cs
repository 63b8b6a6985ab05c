using System.Net;
using McpWarden.Gateway.Configuration;
using McpWarden.Gateway.Enforcement;
using McpWarden.Gateway.Fronts.Http;
using McpWarden.Gateway.Inventory;
using McpWarden.Gateway.Relay;
using McpWarden.Gateway.Upstreams;
using McpWarden.Admin;
using McpWarden.Gateway;
using McpWarden.Http;
using McpWarden.Gateway.Telemetry;
using McpWarden.Policy.Diagnostics;
using McpWarden.Reload;
using McpWarden.Telemetry;
using McpWarden.Ui;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace McpWarden.Cli;

/// <summary>
/// <c>mcpwarden serve</c>: the gateway over Streamable HTTP. It prints one line <c>listening on URL</c> per
/// address once it accepts connections; its log goes to standard error.
/// </summary>
internal static class ServeCommand
{
    /// <summary>Where the gateway listens unless <c>--urls</c> says otherwise.</summary>
    public const string DefaultUrl = "http://127.0.0.1:8787";

    /// <summary>Sessions unused for this long are closed, and their servers with them.</summary>
    private static readonly TimeSpan IdleTimeout = TimeSpan.FromMinutes(30);

    private const int MaxSessions = 1000;

    /// <summary>
    /// The host reads <c>appsettings.json</c> (logging levels, Kestrel settings) once, at start. Left to reload it, it
    /// watches its content root — the working directory — and every directory under it: a store beside the gateway
    /// then wakes that watcher with each write to its WAL (several per admitted call), and a gateway started in a
    /// home directory sets a watch on every directory in it. The gateway's own configuration has its own watcher.
    /// </summary>
    private const string NoConfigurationReload = "--hostBuilder:reloadConfigOnChange=false";

    public static async Task<int> RunAsync(string configPath, string urls, bool ephemeral, TextWriter output, TextWriter error, CancellationToken cancellationToken)
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

        var addresses = urls.Split([';', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (ListenProblem(addresses, configuration) is { } problem)
        {
            await error.WriteLineAsync("serve: " + problem).ConfigureAwait(false);
            return ExitCodes.BadConfiguration;
        }

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [NoConfigurationReload] });
        builder.Logging.ClearProviders();
        builder.Logging.AddConfiguration(builder.Configuration.GetSection("Logging"));
        GatewayLogging.Configure(builder.Logging);
        builder.WebHost.UseUrls(addresses);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            // The handler reads bodies against the configured limit itself, to answer with an error that names it;
            // it drains a body up to twice the limit so the client hears that answer.
            kestrel.Limits.MaxRequestBodySize = (2L * configuration.MaxMessageBytes) + (64 * 1024);
        });
        await using var app = builder.Build();

        var loggers = app.Services.GetRequiredService<ILoggerFactory>();
        // Before anything that makes spans or measurements, and disposed after all of it: stopping flushes the export.
        GatewayMetrics.CreateInstruments();
        using var prometheus = new PrometheusMetrics(meter => meter.Name == GatewayMetrics.MeterName);
        using var export = TelemetryExport.Start(configuration.Telemetry, Environment.GetEnvironmentVariable, loggers.CreateLogger(typeof(TelemetryExport).FullName!));
        var live = new LiveConfiguration(loaded, TimeProvider.System);
        // INVARIANT: the stores live as long as the process, so budgets carry over every reload.
        var (opened, storeProblem) = await StoreOpener.OpenAsync(configuration, ephemeral, TimeProvider.System).ConfigureAwait(false);
        if (opened is null)
        {
            await error.WriteLineAsync("serve: " + storeProblem).ConfigureAwait(false);
            return ExitCodes.BadConfiguration;
        }

        await using var stores = opened;
        // Calls held by an earlier run died with it: their approvals are abandoned, never left to be approved.
        await StoreOpener.AbandonOrphansAsync(stores, error, "serve", cancellationToken).ConfigureAwait(false);
        var gate = new ToolCallGate(stores, configuration.Audit, TimeProvider.System, loggers.CreateLogger<ToolCallGate>());
        var vetting = new ToolVetting(stores.Pins, stores.Audit, TimeProvider.System, loggers.CreateLogger<ToolVetting>());
        using var transports = new UpstreamTransportFactory(Environment.GetEnvironmentVariable, loggers);
        var relays = new RelaySessionFactory(transports, gate, TimeProvider.System, loggers, live, vetting);
        await using var registry = new HttpSessionRegistry(TimeProvider.System, loggers, IdleTimeout, MaxSessions);
        var loopbackOnly = addresses.All(IsLoopbackUrl);
        var origins = new OriginCheck(loopbackOnly);
        var handler = new McpHttpHandler(live, registry, relays, new GrantAuthenticator(live), origins, app.Lifetime.ApplicationStopping);
        McpEndpoints.Map(app, handler, live, registry, origins, stores);
        MetricsEndpoint.Map(app, prometheus, new MetricsAccess(origins, loopbackOnly, () => live.Current.Telemetry.MetricsTokenSha256));

        var reloadLogger = loggers.CreateLogger<ConfigurationWatcher>();
        await using var watcher = new ConfigurationWatcher(
            configPath,
            live,
            reloaded => loopbackOnly ? reloaded : RequireGrants(reloaded),
            async change =>
            {
                // Sessions of a server that is gone, or reached differently, end; clients reconnect to what is configured now.
                var closed = change.Closed.Count > 0 ? await registry.CloseServingAsync(change.Closed).ConfigureAwait(false) : 0;
                if (change.GrantsChanged)
                {
                    // Requests are authenticated afresh anyway; a session its grant may no longer use ends too.
                    var configuration = live.Current;
                    closed += await registry.CloseWhereAsync(session => GrantLost(session, configuration)).ConfigureAwait(false);
                }

                if (closed > 0)
                {
                    ReloadLog.SessionsClosed(reloadLogger, closed);
                }
            },
            Environment.GetEnvironmentVariable,
            TimeProvider.System,
            reloadLogger);
        watcher.Start(loaded.Files);
        var inventory = new InventoryService(new UpstreamProbe(transports, TimeProvider.System));
        var adminTokens = new AdminAuthenticator(() => live.Current.AdminTokenSha256);
        var uiSessions = new UiSessions(TimeProvider.System, () => live.Current.AdminTokenSha256);
        new AdminApi(stores, live, new AdminAccess(origins, adminTokens, uiSessions), TimeProvider.System, inventory, vetting, watcher.ReloadNowAsync).Map(app);
        new UiEndpoints(UiAssets.Load(), uiSessions, adminTokens, origins, new LoginThrottle(TimeProvider.System)).Map(app);

        // Sessions close (their streams end, their server processes are stopped) as soon as shutdown begins,
        // so open streams do not hold the host up for its whole drain timeout.
        using var closeSessions = app.Lifetime.ApplicationStopping.Register(() => registry.DisposeAsync().AsTask().GetAwaiter().GetResult());
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.ToList();
        // The Origin check and the reload's "grants required" rule were chosen for loopback-only --urls: an address
        // bound beyond it would make both wrong, whether or not grants are configured now.
        if (loopbackOnly && bound.FirstOrDefault(address => !IsLoopbackUrl(address)) is { } exposed)
        {
            // Kestrel can also be pointed elsewhere by its own settings (appsettings.json, Kestrel__ variables).
            await error.WriteLineAsync($"serve: --urls asked for loopback only, but the gateway was bound to {exposed} (by Kestrel's own settings); without grants it listens on loopback only, and with them name the address in --urls; stopping").ConfigureAwait(false);
            await app.StopAsync(CancellationToken.None).ConfigureAwait(false);
            return ExitCodes.BadConfiguration;
        }

        foreach (var address in bound)
        {
            await output.WriteLineAsync($"listening on {address}").ConfigureAwait(false);
        }

        await output.FlushAsync(cancellationToken).ConfigureAwait(false);
        await app.WaitForShutdownAsync(cancellationToken).ConfigureAwait(false);
        return ExitCodes.Success;
    }

    /// <summary>Why a session's grant may no longer use it after a reload, or null when it still may.</summary>
    private static string? GrantLost(HttpSession session, GatewayConfiguration configuration)
    {
        if (configuration.Grants.Count == 0)
        {
            return session.Grant == GrantAuthenticator.LocalGrant ? null : $"the grant {session.Grant} is no longer configured";
        }

        if (!configuration.Grants.Any(g => g.Name == session.Grant))
        {
            return $"the grant {session.Grant} is no longer configured";
        }

        // A server gone from the configuration is another reason, already dealt with.
        var reachable = GrantAuthenticator.ServersOf(session.Grant, configuration).Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
        return session.Servers.FirstOrDefault(s => !reachable.Contains(s) && configuration.Servers.Any(c => c.Name == s)) is { } lost ? $"the grant {session.Grant} may no longer reach {lost}" : null;
    }

    /// <summary>
    /// Listening beyond loopback, a reload may not take every grant away: every caller would then be trusted.
    /// Such a configuration is refused like an invalid one.
    /// </summary>
    private static ConfigurationLoadResult RequireGrants(ConfigurationLoadResult loaded) =>
        loaded.Configuration is { Grants.Count: 0 } configuration
            ? new ConfigurationLoadResult(null, [.. loaded.Diagnostics, new Diagnostic(
                DiagnosticCodes.GrantsRequired,
                DiagnosticSeverity.Error,
                DisplayPath.Of(configuration.Path),
                "/grants",
                SourcePosition.Start,
                "the gateway listens beyond loopback, so the configuration must keep at least one grant: without grants every caller would be trusted")]) { Files = loaded.Files }
            : loaded;

    /// <summary>Why the gateway may not listen where it was asked to, if it may not.</summary>
    private static string? ListenProblem(string[] addresses, GatewayConfiguration configuration)
    {
        if (addresses.Length == 0)
        {
            return "--urls names no address";
        }

        foreach (var address in addresses)
        {
            if (!Uri.TryCreate(address, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttp || uri.PathAndQuery != "/")
            {
                return $"\"{address}\" is not an http://HOST:PORT address (terminate TLS in front of the gateway)";
            }

            if (configuration.Grants.Count == 0 && !IsLoopbackUrl(address))
            {
                return $"without grants every caller is trusted, so the gateway listens on loopback only, not on {address}; add grants to the configuration to listen there";
            }
        }

        return null;
    }

    private static bool IsLoopbackUrl(string address) =>
        Uri.TryCreate(address, UriKind.Absolute, out var uri) && (OriginCheck.IsLoopback(uri.Host) || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip)));
}
