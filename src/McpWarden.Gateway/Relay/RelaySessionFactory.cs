using McpWarden.Gateway.Configuration;
using McpWarden.Gateway.Enforcement;
using McpWarden.Gateway.Upstreams;
using Microsoft.Extensions.Logging;
using ModelContextProtocol.Protocol;

namespace McpWarden.Gateway.Relay;

/// <summary>
/// Opens client sessions: each one gets its own connection to the server (or to each server, for an aggregated
/// session), under that server's policy, and opens it again the same way when it ends.
/// </summary>
public sealed class RelaySessionFactory
{
    private readonly UpstreamTransportFactory _upstreams;
    private readonly ToolCallGate _gate;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _loggers;

    public RelaySessionFactory(UpstreamTransportFactory upstreams, ToolCallGate gate, TimeProvider time, ILoggerFactory loggers)
    {
        _upstreams = upstreams;
        _gate = gate;
        _time = time;
        _loggers = loggers;
    }

    /// <summary>Connects to the server and returns the session, not yet started.</summary>
    /// <param name="sessionId">The id limits with <c>"scope": "session"</c> count under.</param>
    public async Task<IRelaySession> OpenAsync(ServerDefinition server, string grant, string sessionId, Func<JsonRpcMessage, Task> toClient, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(server);
        var upstream = await _upstreams.ConnectAsync(server, cancellationToken).ConfigureAwait(false);
        return new ProxySession(
            server,
            grant,
            sessionId,
            upstream,
            toClient,
            _gate,
            _time,
            _loggers.CreateLogger<ProxySession>(),
            reconnect: cancellation => _upstreams.ConnectAsync(server, cancellation));
    }

    /// <summary>
    /// Connects to every server at once and returns one session for all of them (tools named
    /// <c>{server}__{tool}</c>), not yet started. A server that cannot be reached is logged and left out; when
    /// none can be, this throws. Which servers a grant may reach is the caller's to decide: every server given is served.
    /// </summary>
    /// <param name="servers">The servers, in configured order (the first to list a resource URI serves it).</param>
    /// <param name="sessionId">The id limits with <c>"scope": "session"</c> count under, on every server.</param>
    public async Task<IRelaySession> OpenAggregateAsync(IReadOnlyList<ServerDefinition> servers, string grant, string sessionId, Func<JsonRpcMessage, Task> toClient, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(servers);
        var byName = servers.ToDictionary(s => s.Name, StringComparer.Ordinal);
        return await AggregateSession.OpenAsync(
            servers.Select(s => s.Name).ToArray(),
            (name, toAggregate, cancellation) => OpenAsync(byName[name], grant, sessionId, toAggregate, cancellation),
            toClient,
            _loggers.CreateLogger<AggregateSession>(),
            cancellationToken).ConfigureAwait(false);
    }
}
