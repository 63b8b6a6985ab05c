using System.Collections.Concurrent;
using System.Net;

namespace McpWarden.Ui;

/// <summary>
/// Slows guessing of the admin token through the login form: after <see cref="MaxFailures"/> failed logins from
/// one address within <see cref="Window"/>, that address is refused until the window has passed. The token is
/// 256 random bits, so this is about noise in the log and wasted work more than about the odds of a guess.
/// </summary>
internal sealed class LoginThrottle
{
    public const int MaxFailures = 10;

    public static readonly TimeSpan Window = TimeSpan.FromMinutes(5);

    /// <summary>Addresses remembered at most; beyond it the table starts afresh rather than grow.</summary>
    private const int MaxAddresses = 10_000;

    private readonly ConcurrentDictionary<string, Failures> _failures = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;

    public LoginThrottle(TimeProvider time) => _time = time;

    /// <summary>How long the address must wait before it may try again, or null when it may try now.</summary>
    public TimeSpan? WaitFor(IPAddress? address)
    {
        if (!_failures.TryGetValue(Key(address), out var failures))
        {
            return null;
        }

        var left = failures.Since + Window - _time.GetUtcNow();
        return failures.Count >= MaxFailures && left > TimeSpan.Zero ? left : null;
    }

    public void Failed(IPAddress? address)
    {
        if (_failures.Count >= MaxAddresses)
        {
            _failures.Clear();
        }

        var now = _time.GetUtcNow();
        _failures.AddOrUpdate(
            Key(address),
            _ => new Failures(now, 1),
            (_, failures) => now - failures.Since > Window ? new Failures(now, 1) : failures with { Count = failures.Count + 1 });
    }

    public void Succeeded(IPAddress? address) => _failures.TryRemove(Key(address), out _);

    private static string Key(IPAddress? address) => address?.ToString() ?? "unknown";

    private sealed record Failures(DateTimeOffset Since, int Count);
}
