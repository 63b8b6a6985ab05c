using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;

namespace McpWarden.Ui;

/// <summary>
/// The web UI's sign-ins. The browser holds a random session id in an HTTP-only cookie; the gateway keeps only
/// its SHA-256, so neither a memory dump nor a log line can replay a session. Each session has its own CSRF
/// token, which the page sends back with every change. A session ends on logout, after <see cref="IdleTimeout"/>
/// unused, after <see cref="Lifetime"/> in all, and as soon as the admin token it was opened with is replaced.
/// </summary>
internal sealed class UiSessions
{
    public static readonly TimeSpan IdleTimeout = TimeSpan.FromMinutes(30);

    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(12);

    /// <summary>Beyond this many open sessions, the least recently used is closed.</summary>
    public const int MaxSessions = 64;

    private readonly ConcurrentDictionary<string, UiSession> _sessions = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private readonly Func<byte[]?> _adminTokenSha256;

    /// <param name="adminTokenSha256">The configured admin token's hash, read afresh so that a reload applies at once.</param>
    public UiSessions(TimeProvider time, Func<byte[]?> adminTokenSha256)
    {
        _time = time;
        _adminTokenSha256 = adminTokenSha256;
    }

    /// <summary>Opens a session for someone who has just shown the admin token; returns the cookie's value.</summary>
    public (string CookieValue, UiSession Session) Open()
    {
        var cookieValue = RandomText();
        var now = _time.GetUtcNow();
        var session = new UiSession(RandomText(), now, _adminTokenSha256() ?? []) { LastSeen = now };
        _sessions[Hash(cookieValue)] = session;
        EvictBeyondCapacity();
        return (cookieValue, session);
    }

    /// <summary>The live session a cookie names, refreshing its idle time; null when there is none.</summary>
    public UiSession? Find(string? cookieValue)
    {
        if (string.IsNullOrEmpty(cookieValue) || cookieValue.Length > 128)
        {
            return null;
        }

        var key = Hash(cookieValue);
        if (!_sessions.TryGetValue(key, out var session))
        {
            return null;
        }

        var now = _time.GetUtcNow();
        var token = _adminTokenSha256();
        if (now - session.LastSeen >= IdleTimeout || now - session.OpenedAt >= Lifetime ||
            token is null || !CryptographicOperations.FixedTimeEquals(token, session.AdminTokenSha256))
        {
            _sessions.TryRemove(key, out _);
            return null;
        }

        session.LastSeen = now;
        return session;
    }

    public void Close(string? cookieValue)
    {
        if (!string.IsNullOrEmpty(cookieValue))
        {
            _sessions.TryRemove(Hash(cookieValue), out _);
        }
    }

    /// <summary>Whether a request's CSRF token is the session's, compared in constant time.</summary>
    public static bool CsrfMatches(UiSession session, string? presented) =>
        presented is not null &&
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(presented), Encoding.ASCII.GetBytes(session.CsrfToken));

    private void EvictBeyondCapacity()
    {
        while (_sessions.Count > MaxSessions)
        {
            var oldest = _sessions.MinBy(pair => pair.Value.LastSeen);
            _sessions.TryRemove(oldest.Key, out _);
        }
    }

    private static string RandomText() => Base64Url(RandomNumberGenerator.GetBytes(32));

    private static string Hash(string value) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}

/// <summary>One signed-in browser.</summary>
/// <param name="CsrfToken">Sent back by the page in <c>X-CSRF-Token</c> with every change.</param>
/// <param name="AdminTokenSha256">The admin token it was opened with: replacing that token ends the session.</param>
internal sealed record UiSession(string CsrfToken, DateTimeOffset OpenedAt, byte[] AdminTokenSha256)
{
    // Kept as ticks: concurrent requests of one browser update it, and a long is read and written whole.
    private long _lastSeenTicks;

    public DateTimeOffset LastSeen
    {
        get => new(Volatile.Read(ref _lastSeenTicks), TimeSpan.Zero);
        set => Volatile.Write(ref _lastSeenTicks, value.UtcTicks);
    }

    public DateTimeOffset ExpiresAt => OpenedAt + UiSessions.Lifetime < LastSeen + UiSessions.IdleTimeout ? OpenedAt + UiSessions.Lifetime : LastSeen + UiSessions.IdleTimeout;
}
