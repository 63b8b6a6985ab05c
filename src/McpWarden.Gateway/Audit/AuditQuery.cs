namespace McpWarden.Gateway.Audit;

/// <summary>
/// Which audit records to read, newest first. Every filter is optional; all given must match. Paging goes
/// backwards: pass the smallest id of one page as <see cref="BeforeId"/> to get the next.
/// </summary>
public sealed record AuditQuery
{
    /// <summary>The most records one query returns.</summary>
    public const int MaxLimit = 10_000;

    /// <summary>Records at or after this time.</summary>
    public DateTimeOffset? Since { get; init; }

    /// <summary>Records before this time.</summary>
    public DateTimeOffset? Until { get; init; }

    public string? Decision { get; init; }

    public string? Code { get; init; }

    public string? Grant { get; init; }

    public string? Server { get; init; }

    public string? Tool { get; init; }

    /// <summary>Only records with a smaller id.</summary>
    public long? BeforeId { get; init; }

    /// <summary>How many records at most, from 1 to <see cref="MaxLimit"/>.</summary>
    public int Limit { get; init; } = 100;

    /// <summary>Whether a record passes every filter (for stores that filter in memory).</summary>
    public bool Matches(AuditRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return (Since is not { } since || record.Time >= since)
            && (Until is not { } until || record.Time < until)
            && (Decision is null || record.Decision == Decision)
            && (Code is null || record.Code == Code)
            && (Grant is null || record.Grant == Grant)
            && (Server is null || record.Server == Server)
            && (Tool is null || record.Tool == Tool)
            && (BeforeId is not { } before || record.Id < before);
    }
}
