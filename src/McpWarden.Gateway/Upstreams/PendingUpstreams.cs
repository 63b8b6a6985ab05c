using McpWarden.Gateway.Configuration;
using ModelContextProtocol.Protocol;

namespace McpWarden.Gateway.Upstreams;

/// <summary>
/// Connections to servers started before the gateway is ready to serve, for a front that knows its servers from the
/// start (stdio: one conversation, one process). A server process takes a while to start; starting it while the
/// gateway opens its store and the rest lets the two overlap instead of adding up, and the client's
/// <c>initialize</c> is answered that much sooner. Nothing is sent to a server before a session takes its
/// connection: a session opened over it relays and enforces exactly as over one it opened itself.
/// </summary>
public sealed class PendingUpstreams : IAsyncDisposable
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, (ServerDefinition Server, Task<ITransport> Connecting)> _started = new(StringComparer.Ordinal);

    private PendingUpstreams()
    {
    }

    /// <summary>Starts connecting to every server given, each as <see cref="UpstreamTransportFactory.ConnectAsync"/> does.</summary>
    public static PendingUpstreams Start(UpstreamTransportFactory upstreams, IEnumerable<ServerDefinition> servers, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(upstreams);
        ArgumentNullException.ThrowIfNull(servers);
        var pending = new PendingUpstreams();
        foreach (var server in servers)
        {
            pending._started[server.Name] = (server, upstreams.ConnectAsync(server, cancellationToken));
        }

        return pending;
    }

    /// <summary>
    /// The connection started for <paramref name="server"/>, once: from here the caller owns it (and disposes it). Null
    /// when none was started for it, it was taken already, or the server is now reached differently than when it was
    /// started (a connection is only ever used for the definition it was made from).
    /// </summary>
    public Task<ITransport>? Take(ServerDefinition server)
    {
        ArgumentNullException.ThrowIfNull(server);
        lock (_lock)
        {
            if (!_started.TryGetValue(server.Name, out var started) || !ReferenceEquals(started.Server.Upstream, server.Upstream))
            {
                return null;
            }

            _started.Remove(server.Name);
            return started.Connecting;
        }
    }

    /// <summary>Closes every connection no session took (the gateway stopped before serving): no server process outlives the gateway.</summary>
    public async ValueTask DisposeAsync()
    {
        List<Task<ITransport>> left;
        lock (_lock)
        {
            left = [.. _started.Values.Select(s => s.Connecting)];
            _started.Clear();
        }

        foreach (var connecting in left)
        {
            try
            {
                var transport = await connecting.ConfigureAwait(false);
                await transport.DisposeAsync().ConfigureAwait(false);
            }
#pragma warning disable CA1031 // A connection that failed or fails to close leaves nothing to close; the gateway is stopping either way.
            catch (Exception)
#pragma warning restore CA1031
            {
            }
        }
    }
}
