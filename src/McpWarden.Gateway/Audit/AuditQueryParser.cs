using System.Globalization;
using System.Text.Json;

namespace McpWarden.Gateway.Audit;

/// <summary>
/// Reads an audit query from named text values (the admin API's query string, the CLI's options):
/// <c>since</c>, <c>until</c> (ISO 8601 times, or a duration ago such as <c>15m</c>, <c>2h</c>, <c>7d</c>),
/// <c>decision</c>, <c>code</c>, <c>grant</c>, <c>server</c>, <c>tool</c>, <c>before</c> (a record id) and <c>limit</c>.
/// </summary>
public static class AuditQueryParser
{
    public static (AuditQuery? Query, string? Problem) Parse(Func<string, string?> value, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(value);
        var query = new AuditQuery
        {
            Decision = value("decision"),
            Code = value("code"),
            Grant = value("grant"),
            Server = value("server"),
            Tool = value("tool"),
        };

        if (query.Decision is { } decision && !AuditDecisions.All.Contains(decision))
        {
            return (null, $"decision must be one of {string.Join(", ", AuditDecisions.All)}; got {Quote(decision)}");
        }

        foreach (var (name, apply) in new (string, Func<DateTimeOffset, AuditQuery>)[] { ("since", t => query with { Since = t }), ("until", t => query with { Until = t }) })
        {
            if (value(name) is not { } text)
            {
                continue;
            }

            if (TryReadTime(text, now) is not { } time)
            {
                return (null, $"{name} must be an ISO 8601 time such as 2026-01-31T12:00:00Z, or a duration ago such as 90s, 15m, 2h or 7d; got {Quote(text)}");
            }

            query = apply(time);
        }

        if (value("before") is { } before)
        {
            if (!long.TryParse(before, NumberStyles.None, CultureInfo.InvariantCulture, out var id) || id < 1)
            {
                return (null, $"before must be a record id (a positive whole number); got {Quote(before)}");
            }

            query = query with { BeforeId = id };
        }

        if (value("limit") is { } limit)
        {
            if (!int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out var count) || count is < 1 or > AuditQuery.MaxLimit)
            {
                return (null, $"limit must be a whole number from 1 to {AuditQuery.MaxLimit}; got {Quote(limit)}");
            }

            query = query with { Limit = count };
        }

        return (query, null);
    }

    private static DateTimeOffset? TryReadTime(string text, DateTimeOffset now)
    {
        if (text.Length >= 2 && char.IsAsciiDigit(text[0]) && "smhd".Contains(text[^1], StringComparison.Ordinal)
            && int.TryParse(text.AsSpan(0, text.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var amount))
        {
            var seconds = text[^1] switch
            {
                's' => (double)amount,
                'm' => amount * 60.0,
                'h' => amount * 3600.0,
                _ => amount * 86400.0,
            };

            // Further back than the calendar goes is simply "since the beginning".
            return seconds >= (now - DateTimeOffset.MinValue).TotalSeconds ? DateTimeOffset.MinValue : now - TimeSpan.FromSeconds(seconds);
        }

        // A time without an offset would depend on the reader's zone: only explicit times are accepted.
        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time) && text.Contains('T', StringComparison.Ordinal)
            && (text.EndsWith('Z') || text.LastIndexOfAny(['+', '-']) > text.IndexOf('T', StringComparison.Ordinal))
            ? time
            : null;
    }

    private static string Quote(string text) => JsonSerializer.Serialize(text);
}
