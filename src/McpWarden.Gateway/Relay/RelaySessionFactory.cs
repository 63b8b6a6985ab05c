using McpWarden.Gateway.Configuration;
using McpWarden.Gateway.Enforcement;
using McpWarden.Gateway.Upstreams;
using Microsoft.Extensions.Logging;
using ModelContextProtocol.Protocol;

namespace McpWarden.Gateway.Relay;

/// <summary>Opens client sessions: each one gets its own connection to the server, under the server's policy.</summary>
public sealed class RelaySessionFactory
{
    private readonly UpstreamTransportFactory _upstreams;
    private readonly ToolCallEnforcer _enforcer;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _loggers;

    public RelaySessionFactory(UpstreamTransportFactory upstreams, ToolCallEnforcer enforcer, TimeProvider time, ILoggerFactory loggers)
    {
        _upstreams = upstreams;
        _enforcer = enforcer;
        _time = time;
        _loggers = loggers;
    }

    /// <summary>Connects to the server and returns the session, not yet started.</summary>
    /// <param name="sessionId">The id limits with <c>"scope": "session"</c> count under.</param>
    public async Task<IRelaySession> OpenAsync(ServerDefinition server, string grant, string sessionId, Func<JsonRpcMessage, Task> toClient, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(server);
        var upstream = await _upstreams.ConnectAsync(server, cancellationToken).ConfigureAwait(false);
        return new ProxySession(server, grant, sessionId, upstream, toClient, _enforcer, _time, _loggers.CreateLogger<ProxySession>());
    }
}
