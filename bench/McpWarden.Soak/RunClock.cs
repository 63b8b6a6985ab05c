namespace McpWarden.Soak;

/// <summary>Seconds since the run began, from the monotonic clock: every time in the report is on this scale.</summary>
internal sealed class RunClock(TimeProvider time)
{
    private readonly long _start = time.GetTimestamp();

    public double Now => time.GetElapsedTime(_start).TotalSeconds;
}
