using McpWarden.Gateway.Configuration;
using Microsoft.Extensions.Logging;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace McpWarden.Gateway.Upstreams;

/// <summary>Opens the connection to one configured server, with the SDK's client transports (and never its client).</summary>
public sealed class UpstreamTransportFactory : IDisposable
{
    /// <summary>
    /// The connections to every HTTP server, shared by all their sessions: a pool per server origin, so an idle
    /// session holds only its own GET stream and no pooled connection, handler or pool of its own (each used to
    /// cost about 10 KiB, see docs/benchmarks.md). It carries nothing of any client's: a server's headers are
    /// its configuration's, added to each request; no credentials, and no cookies (each session keeps its own,
    /// <see cref="SessionCookieHandler"/>). It lives as long as the factory, which outlives every session.
    /// </summary>
    private readonly SocketsHttpHandler _httpConnections = new()
    {
        UseCookies = false,
        // A session used to resolve the server's name when it opened: a shared connection is not kept forever,
        // so a server that moves is found again within minutes.
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
    };

    /// <summary>The process of each server configured <c>"shared": true</c>, by server name, while any session uses it.</summary>
    private readonly Dictionary<string, SharedServer> _shared = new(StringComparer.Ordinal);
    private readonly Lock _sharedGate = new();
    private readonly Func<string, string?> _gatewayEnvironment;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _logger;

    public UpstreamTransportFactory(Func<string, string?> gatewayEnvironment, ILoggerFactory loggers)
    {
        _gatewayEnvironment = gatewayEnvironment;
        _loggers = loggers;
        _logger = loggers.CreateLogger<UpstreamTransportFactory>();
    }

    public async Task<ITransport> ConnectAsync(ServerDefinition server, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(server);
        if (server.Upstream is StdioUpstreamDefinition { Shared: true } shared)
        {
            return await LeaseAsync(server.Name, shared, cancellationToken).ConfigureAwait(false);
        }

        IClientTransport transport = server.Upstream switch
        {
            StdioUpstreamDefinition stdio => Stdio(server.Name, stdio),
            HttpUpstreamDefinition http => new HttpClientTransport(
                new HttpClientTransportOptions
                {
                    Name = server.Name,
                    Endpoint = http.Url,
                    AdditionalHeaders = http.Headers.ToDictionary(),
                    TransportMode = http.Kind switch
                    {
                        HttpUpstreamKind.StreamableHttp => HttpTransportMode.StreamableHttp,
                        HttpUpstreamKind.Sse => HttpTransportMode.Sse,
                        _ => HttpTransportMode.AutoDetect,
                    },
                },
                // Per session: its cookies and the client's own timeout; the connections under it are shared.
                new HttpClient(new SessionCookieHandler(_httpConnections)),
                _loggers,
                ownsHttpClient: true),
            _ => throw new ArgumentException($"unknown upstream kind {server.Upstream.GetType().Name}", nameof(server)),
        };

        return await transport.ConnectAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A session's lease on the server's shared process, started by the first session (again after it died or every session left).</summary>
    private async Task<ITransport> LeaseAsync(string name, StdioUpstreamDefinition definition, CancellationToken cancellationToken)
    {
        SharedServer server;
        SharedServerLease lease;
        lock (_sharedGate)
        {
            var running = _shared.TryGetValue(name, out var existing) && UpstreamEquality.Same(existing.Definition, definition) ? existing.TryLease() : null;
            if (running is null)
            {
                // None yet, one that ended, or one started the way the configuration said before a reload: a new process.
                existing = new SharedServer(name, definition, token => Stdio(name, definition).ConnectAsync(token), _logger);
                _shared[name] = existing;
                running = existing.TryLease()!;
            }

            (server, lease) = (existing!, running);
        }

        try
        {
            await server.WaitStartedAsync(cancellationToken).ConfigureAwait(false);
            return lease;
        }
        catch
        {
            await lease.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private StdioClientTransport Stdio(string name, StdioUpstreamDefinition stdio) => new(
        new StdioClientTransportOptions
        {
            Name = name,
            Command = stdio.Command,
            Arguments = [.. stdio.Arguments],
            WorkingDirectory = stdio.WorkingDirectory,
            // The SDK inherits the whole environment by default; a proxy must not hand its secrets on.
            InheritEnvironmentVariables = false,
            EnvironmentVariables = SafeEnvironment.For(stdio.Environment, _gatewayEnvironment),
            // A server's own diagnostics belong in the gateway's log, marked as its.
            StandardErrorLines = line => Relay.RelayLog.ServerStandardError(_logger, name, new Relay.Untrusted(line)),
        },
        _loggers);

    /// <summary>Closes the shared HTTP connections; only once no session uses them (at shutdown).</summary>
    public void Dispose() => _httpConnections.Dispose();
}
