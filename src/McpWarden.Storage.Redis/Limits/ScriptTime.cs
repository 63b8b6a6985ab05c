namespace McpWarden.Storage.Redis.Limits;

/// <summary>
/// Instants as the counter scripts take them: whole microseconds since the Unix epoch, which a Lua number (a
/// double) holds exactly until 2^53 µs, in the year 2255. Ticks are ten times finer, so the gateway rounds: down
/// for the instant entries are compared with, up for the stamp new units get, so that units leave the window
/// late, never early.
/// </summary>
internal static class ScriptTime
{
    /// <summary>The largest microsecond count a double holds exactly, with every smaller one.</summary>
    public const long MaxExact = 1L << 53;

    public static long FloorMicroseconds(DateTimeOffset instant) => SinceEpoch(instant) / 10;

    public static long CeilingMicroseconds(DateTimeOffset instant) => (SinceEpoch(instant) + 9) / 10;

    /// <summary>A duration in whole microseconds, rounded up (a window a little long errs late).</summary>
    public static long CeilingMicroseconds(TimeSpan duration) => (duration.Ticks + 9) / 10;

    public static DateTimeOffset Instant(long microseconds) => DateTimeOffset.UnixEpoch.AddTicks(checked(microseconds * 10));

    private static long SinceEpoch(DateTimeOffset instant)
    {
        var ticks = instant.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;
        if (ticks < 0 || ticks / 10 >= MaxExact / 2)
        {
            throw new InvalidOperationException($"the clock reads {instant:O}, outside what the Redis counter scripts count exactly (1970 to 2112)");
        }

        return ticks;
    }
}
