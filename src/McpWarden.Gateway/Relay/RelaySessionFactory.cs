using McpWarden.Gateway.Configuration;
using McpWarden.Gateway.Enforcement;
using McpWarden.Gateway.Upstreams;
using Microsoft.Extensions.Logging;
using ModelContextProtocol.Protocol;

namespace McpWarden.Gateway.Relay;

/// <summary>
/// Opens client sessions: each one gets its own connection to the server (or to each server, for an aggregated
/// session), under that server's policy, and opens it again the same way when it ends. Given the live
/// configuration, a session follows its server's policy, mode and timeout through reloads for as long as the
/// server is reached the same way.
/// </summary>
public sealed class RelaySessionFactory
{
    private readonly UpstreamTransportFactory _upstreams;
    private readonly ToolCallGate _gate;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _loggers;
    private readonly LiveConfiguration? _live;
    private readonly ToolVetting? _vetting;
    private readonly PendingUpstreams? _pending;

    /// <param name="live">The configuration reloads swap; without it, a session keeps the definition it was opened with.</param>
    /// <param name="vetting">Pins and scans every tool list; without it (tests of the relay alone) lists are not vetted.</param>
    /// <param name="pending">Connections started ahead (stdio); a session's first connection to a server is taken from there when one is waiting.</param>
    public RelaySessionFactory(UpstreamTransportFactory upstreams, ToolCallGate gate, TimeProvider time, ILoggerFactory loggers, LiveConfiguration? live = null, ToolVetting? vetting = null, PendingUpstreams? pending = null)
    {
        _pending = pending;
        _vetting = vetting;
        _live = live;
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
        var upstream = await (_pending?.Take(server) ?? _upstreams.ConnectAsync(server, cancellationToken)).ConfigureAwait(false);
        return new ProxySession(
            server,
            grant,
            sessionId,
            upstream,
            toClient,
            _gate,
            _time,
            _loggers.CreateLogger<ProxySession>(),
            reconnect: cancellation => _upstreams.ConnectAsync(server, cancellation),
            current: Following(server),
            vetting: _vetting);
    }

    /// <summary>
    /// The server's definition now, while it is still reached through the same upstream; a server removed or
    /// reached differently keeps the definition the session was opened with until the host closes the session.
    /// </summary>
    private Func<ServerDefinition>? Following(ServerDefinition opened)
    {
        if (_live is not { } live)
        {
            return null;
        }

        var name = opened.Name;
        var upstream = opened.Upstream;
        return () => live.Server(name) is { } now && ReferenceEquals(now.Upstream, upstream) ? now : opened;
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
