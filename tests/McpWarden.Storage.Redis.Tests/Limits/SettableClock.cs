namespace McpWarden.Storage.Redis.Tests.Limits;

/// <summary>A clock a test sets to any instant, backwards included (as a clock stepped by NTP, or a replica behind another).</summary>
internal sealed class SettableClock(DateTimeOffset start) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = start;

    public override DateTimeOffset GetUtcNow() => Now;
}
