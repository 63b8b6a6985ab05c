using McpWarden.Gateway.Audit;
using Xunit;

namespace McpWarden.Gateway.Tests.Audit;

public sealed class AuditQueryParserTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 31, 12, 0, 0, TimeSpan.Zero);

    private static (AuditQuery? Query, string? Problem) Parse(params (string Name, string Value)[] values) =>
        AuditQueryParser.Parse(name => values.FirstOrDefault(v => v.Name == name).Value, Now);

    [Theory]
    [InlineData("90s", 90)]
    [InlineData("15m", 900)]
    [InlineData("2h", 7200)]
    [InlineData("7d", 604800)]
    public void Parse_DurationAgo_IsThatLongBeforeNow(string since, int seconds) =>
        Assert.Equal(Now.AddSeconds(-seconds), Parse(("since", since)).Query!.Since);

    [Fact]
    public void Parse_DurationFurtherBackThanTheCalendar_MeansSinceTheBeginning() =>
        Assert.Equal(DateTimeOffset.MinValue, Parse(("since", "999999999d")).Query!.Since);

    [Fact]
    public void Parse_ExplicitTime_IsRead() =>
        Assert.Equal(new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero), Parse(("until", "2026-01-02T03:04:05Z")).Query!.Until);

    [Theory]
    [InlineData("since", "yesterday")]
    [InlineData("since", "2026-01-02")]
    [InlineData("until", "2026-01-02T03:04:05")]
    [InlineData("decision", "maybe")]
    [InlineData("before", "0")]
    [InlineData("limit", "10001")]
    [InlineData("limit", "-1")]
    public void Parse_BadValue_IsRefusedNamingTheParameter(string name, string value)
    {
        var (query, problem) = Parse((name, value));
        Assert.Null(query);
        Assert.StartsWith(name, problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_Filters_AreAllKept()
    {
        var query = Parse(("decision", "deny"), ("code", "rate_limited"), ("grant", "g"), ("server", "s"), ("tool", "t"), ("before", "42"), ("limit", "7")).Query!;
        Assert.Equal(("deny", "rate_limited", "g", "s", "t", 42L, 7), (query.Decision, query.Code, query.Grant, query.Server, query.Tool, query.BeforeId, query.Limit));
    }
}
