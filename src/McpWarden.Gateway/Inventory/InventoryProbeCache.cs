using McpWarden.Gateway.Configuration;

namespace McpWarden.Gateway.Inventory;

/// <summary>One server's probe and when it was taken.</summary>
public sealed record TimedProbe(ProbedServer Probe, DateTimeOffset ProbedAt);

/// <summary>
/// Keeps each server's probe for a short time, so a page that is reloaded (or several people looking at it) does
/// not start every stdio server again each time. Only the probe is kept: pins are read afresh by whoever
/// assembles the inventory. A probe is kept for one server definition: a reload of the configuration that gives
/// the server a new definition (a new command, URL, policy...) probes it again. Requests that arrive while a
/// probe is under way wait for that probe instead of starting another. <c>refresh</c> probes again at once.
/// </summary>
public sealed class InventoryProbeCache
{
    /// <summary>How long a probe is shown before the server is asked again.</summary>
    public static readonly TimeSpan DefaultLifetime = TimeSpan.FromSeconds(30);

    private readonly Func<ServerDefinition, CancellationToken, Task<ProbedServer>> _probe;
    private readonly TimeProvider _time;
    private readonly TimeSpan _lifetime;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    /// <param name="probe">Asks one server (<see cref="UpstreamProbe.ProbeAsync"/>); it reports failures, never throws them.</param>
    public InventoryProbeCache(Func<ServerDefinition, CancellationToken, Task<ProbedServer>> probe, TimeProvider time, TimeSpan? lifetime = null)
    {
        _probe = probe;
        _time = time;
        _lifetime = lifetime ?? DefaultLifetime;
    }

    /// <summary>Every server's probe, in the order given: a kept one while it is young enough, else a new one.</summary>
    /// <param name="refresh">Probe every server again now, whatever is kept (a probe already under way is waited for: it is new).</param>
    public async Task<IReadOnlyList<TimedProbe>> GetAsync(IReadOnlyList<ServerDefinition> servers, bool refresh, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(servers);
        var tasks = new Task<TimedProbe>[servers.Count];
        for (var i = 0; i < servers.Count; i++)
        {
            tasks[i] = ProbeOf(servers[i], refresh);
        }

        // A caller that gives up stops waiting; the probe itself runs to its end (bounded by the server's timeout) for the next caller.
        return await Task.WhenAll(tasks).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private Task<TimedProbe> ProbeOf(ServerDefinition server, bool refresh)
    {
        lock (_gate)
        {
            if (_entries.TryGetValue(server.Name, out var entry) && ReferenceEquals(entry.Definition, server))
            {
                if (!entry.Task.IsCompleted)
                {
                    return entry.Task;
                }

                if (!refresh && entry.Task.Result.ProbedAt + _lifetime > _time.GetUtcNow())
                {
                    return entry.Task;
                }
            }

            var started = StartAsync(server);
            _entries[server.Name] = new Entry(server, started);
            return started;
        }
    }

    private async Task<TimedProbe> StartAsync(ServerDefinition server)
    {
        // Off the caller's lock and thread: a stdio server's start may block for a while.
        await Task.Yield();
        ProbedServer probe;
        try
        {
            probe = await _probe(server, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            probe = ProbedServer.Failed(server.Name, $"{server.Name} could not be listed: {e.Message}");
        }

        return new TimedProbe(probe, _time.GetUtcNow());
    }

    private sealed record Entry(ServerDefinition Definition, Task<TimedProbe> Task);
}
