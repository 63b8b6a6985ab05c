using McpWarden.Gateway.Configuration;
using Microsoft.Extensions.Logging;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace McpWarden.Gateway.Upstreams;

/// <summary>Opens the connection to one configured server, with the SDK's client transports (and never its client).</summary>
public sealed class UpstreamTransportFactory
{
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
                _loggers),
            _ => throw new ArgumentException($"unknown upstream kind {server.Upstream.GetType().Name}", nameof(server)),
        };

        return await transport.ConnectAsync(cancellationToken).ConfigureAwait(false);
    }
}
