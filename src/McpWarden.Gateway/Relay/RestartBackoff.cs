namespace McpWarden.Gateway.Relay;

/// <summary>
/// How a session brings its server back after the connection ends. Attempts wait <see cref="FirstDelay"/>, then
/// twice as long each time, never more than <see cref="MaxDelay"/>; after <see cref="MaxAttempts"/> in a row the
/// session gives up. A server that dies again within <see cref="StableAfter"/> of coming back continues the count,
/// so one that crashes on every start is given up on instead of being restarted forever.
/// </summary>
/// <remarks>
/// No jitter: each session restarts its own connection, and the gateway has no source of randomness to spread
/// many sessions' attempts with that tests could control.
/// </remarks>
internal sealed record RestartBackoff(TimeSpan FirstDelay, TimeSpan MaxDelay, int MaxAttempts, TimeSpan StableAfter)
{
    /// <summary>0.5 s, 1 s, 2 s, 4 s, 8 s, 16 s: about half a minute of trying before giving up.</summary>
    public static RestartBackoff Default { get; } = new(TimeSpan.FromSeconds(0.5), TimeSpan.FromSeconds(30), 6, TimeSpan.FromSeconds(60));

    /// <summary>The wait before attempt <paramref name="attempt"/>, counting from 1.</summary>
    public TimeSpan DelayBefore(int attempt)
    {
        // Past 2^20 times the first delay the cap has long been reached; the bound keeps the product finite.
        var delay = FirstDelay * Math.Pow(2, Math.Clamp(attempt - 1, 0, 20));
        return delay < MaxDelay ? delay : MaxDelay;
    }
}
