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
        IClientTransport transport = server.Upstream switch
        {
            StdioUpstreamDefinition stdio => new StdioClientTransport(
                new StdioClientTransportOptions
                {
                    Name = server.Name,
                    Command = stdio.Command,
                    Arguments = [.. stdio.Arguments],
                    WorkingDirectory = stdio.WorkingDirectory,
                    // The SDK inherits the whole environment by default; a proxy must not hand its secrets on.
                    InheritEnvironmentVariables = false,
                    EnvironmentVariables = SafeEnvironment.For(stdio.Environment, _gatewayEnvironment),
                    // A server's own diagnostics belong in the gateway's log, marked as its.
                    StandardErrorLines = line => Relay.RelayLog.ServerStandardError(_logger, server.Name, new Relay.Untrusted(line)),
                },
                _loggers),
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

    /// <summary>Closes the shared HTTP connections; only once no session uses them (at shutdown).</summary>
    public void Dispose() => _httpConnections.Dispose();
}
