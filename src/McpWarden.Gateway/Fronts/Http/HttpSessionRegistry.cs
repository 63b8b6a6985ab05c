using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;

namespace McpWarden.Gateway.Fronts.Http;

/// <summary>
/// The live HTTP sessions. Ids are 256 random bits; a session answers only to the grant that made it and
/// only on the endpoint it was made on, so a leaked id is no key to anything. Sessions left idle (nothing
/// in flight, no GET stream, no message) past the idle timeout are closed, and with them their servers.
/// </summary>
public sealed class HttpSessionRegistry : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, HttpSession> _sessions = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _logger;
    private readonly ITimer _sweep;
    private int _reserved;

    /// <param name="idleTimeout">How long a session may sit unused before it is closed.</param>
    /// <param name="maxSessions">How many sessions may be open at once (each may hold a server process).</param>
    public HttpSessionRegistry(TimeProvider time, ILoggerFactory loggers, TimeSpan idleTimeout, int maxSessions)
    {
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(loggers);
        _time = time;
        _loggers = loggers;
        _logger = loggers.CreateLogger<HttpSessionRegistry>();
        IdleTimeout = idleTimeout;
        MaxSessions = maxSessions;
        var every = idleTimeout / 4 < TimeSpan.FromMinutes(1) ? idleTimeout / 4 : TimeSpan.FromMinutes(1);
        _sweep = time.CreateTimer(_ => _ = CloseIdleAsync(), null, every, every);
    }

    public TimeSpan IdleTimeout { get; }

    public int MaxSessions { get; }

    /// <summary>How many sessions are open.</summary>
    public int Count => _sessions.Count;

    /// <summary>How many sessions are open per target (a server's name, or the aggregate endpoint).</summary>
    public IReadOnlyDictionary<string, int> CountByTarget() =>
        _sessions.Values.GroupBy(s => s.Target, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);

    /// <summary>A new session, registered; null when <see cref="MaxSessions"/> are already open.</summary>
    public HttpSession? Create(string grant, string target)
    {
        if (Interlocked.Increment(ref _reserved) > MaxSessions)
        {
            Interlocked.Decrement(ref _reserved);
            return null;
        }

        var session = new HttpSession(
            Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)),
            "http-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6)),
            grant,
            target,
            _time,
            _loggers.CreateLogger<HttpSession>());
        _sessions[session.Id] = session;
        return session;
    }

    /// <summary>The session with this id, if it belongs to this grant and this endpoint; otherwise, as far as the caller can tell, none.</summary>
    public HttpSession? Find(string id, string grant, string target) =>
        _sessions.TryGetValue(id, out var session) && !session.IsClosed && session.Grant == grant && session.Target == target ? session : null;

    /// <summary>Closes a session and forgets it.</summary>
    public async Task CloseAsync(HttpSession session)
    {
        ArgumentNullException.ThrowIfNull(session);
        if (_sessions.TryRemove(new KeyValuePair<string, HttpSession>(session.Id, session)))
        {
            Interlocked.Decrement(ref _reserved);
            await session.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Closes every session that reaches one of <paramref name="servers"/>, aggregated sessions included: those
    /// servers were removed from the configuration, or are reached differently now. Returns how many closed.
    /// </summary>
    public Task<int> CloseServingAsync(IReadOnlyCollection<string> servers)
    {
        ArgumentNullException.ThrowIfNull(servers);
        return CloseWhereAsync(session => session.Servers.Where(servers.Contains).ToList() is { Count: > 0 } affected
            ? $"the configuration removed {string.Join(", ", affected)} or reaches it differently"
            : null);
    }

    /// <summary>Closes the sessions for which <paramref name="reasonToClose"/> gives a reason (logged); returns how many closed.</summary>
    public async Task<int> CloseWhereAsync(Func<HttpSession, string?> reasonToClose)
    {
        ArgumentNullException.ThrowIfNull(reasonToClose);
        var closing = new List<HttpSession>();
        foreach (var session in _sessions.Values)
        {
            if (reasonToClose(session) is { } reason)
            {
                HttpFrontLog.SessionClosedByReload(_logger, session.Label, reason);
                closing.Add(session);
            }
        }

        await Task.WhenAll(closing.Select(CloseAsync)).ConfigureAwait(false);
        return closing.Count;
    }

    public async ValueTask DisposeAsync()
    {
        await _sweep.DisposeAsync().ConfigureAwait(false);
        await Task.WhenAll(_sessions.Values.Select(CloseAsync)).ConfigureAwait(false);
    }

    private async Task CloseIdleAsync()
    {
        var since = _time.GetTimestamp() - (long)(IdleTimeout.TotalSeconds * _time.TimestampFrequency);
        foreach (var session in _sessions.Values.Where(s => s.IsIdleSince(since)))
        {
            HttpFrontLog.SessionExpired(_logger, session.Label, IdleTimeout);
            await CloseAsync(session).ConfigureAwait(false);
        }
    }
}
