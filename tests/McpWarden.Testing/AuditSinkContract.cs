using McpWarden.Gateway.Audit;
using McpWarden.Gateway.Time;
using Xunit;

namespace McpWarden.Testing;

/// <summary>
/// What every <see cref="IAuditSink"/> must do, whatever keeps the records: each implementation's test
/// class derives from this and supplies <see cref="CreateSink"/>.
/// </summary>
public abstract class AuditSinkContract
{
    private static readonly DateTimeOffset Start = ManualTimeProvider.TestEpoch;

    /// <summary>A fresh, empty sink.</summary>
    protected abstract IAuditSink CreateSink();

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    /// <summary>A record with every required field; the optional ones left empty.</summary>
    protected static AuditRecord Record(
        int minute = 0, string grant = "g1", string server = "srv", string tool = "read", string decision = AuditDecisions.Allow, string code = "allowed") => new()
    {
        Time = Start.AddMinutes(minute),
        Grant = grant,
        Session = "session-1",
        Server = server,
        Tool = tool,
        Decision = decision,
        Code = code,
        RulePath = "$.tools.read",
        Message = "allowed by rule",
        ArgumentsSha256 = "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a",
        PolicyRevision = "rev-1",
        Evaluation = TimeSpan.FromTicks(12_345),
        Mode = "enforce",
    };

    [Fact]
    public async Task Append_EveryField_ComesBackAsWrittenWithAnId()
    {
        var sink = CreateSink();
        var full = Record(decision: AuditDecisions.Hold, code: "approval_required") with
        {
            Time = new DateTimeOffset(2026, 3, 4, 5, 6, 7, 891, TimeSpan.Zero).AddTicks(2345),
            Arguments = """{"amount":12.5,"to":"ké 😀"}""",
            ApprovalId = "0123456789abcdef0123456789abcdef",
            Outcome = AuditOutcomes.ToolError,
            UpstreamLatency = TimeSpan.FromTicks(987_654_321),
            Mode = "observe",
        };
        var bare = Record(minute: 1);

        var storedFull = await sink.AppendAsync(full, Cancellation);
        var storedBare = await sink.AppendAsync(bare, Cancellation);

        Assert.True(storedFull.Id > 0);
        Assert.True(storedBare.Id > storedFull.Id);
        Assert.Equal(full with { Id = storedFull.Id }, storedFull);
        var found = await sink.QueryAsync(new AuditQuery(), Cancellation);
        Assert.Equal([storedBare, storedFull], found);
        Assert.Null(found[0].Arguments);
        Assert.Null(found[0].UpstreamLatency);
    }

    [Fact]
    public async Task Append_ManyAtOnce_EachGetsItsOwnId()
    {
        var sink = CreateSink();
        var stored = await Task.WhenAll(Enumerable.Range(0, 200).Select(i => Task.Run(async () => await sink.AppendAsync(Record(minute: i % 7), Cancellation))));

        Assert.Equal(200, stored.Select(r => r.Id).Distinct().Count());
        var found = await sink.QueryAsync(new AuditQuery { Limit = 1000 }, Cancellation);
        Assert.Equal(stored.Select(r => r.Id).OrderDescending(), found.Select(r => r.Id));
    }

    public static TheoryData<string> Filters => ["since", "until", "decision", "code", "grant", "server", "tool", "before", "all"];

    [Theory]
    [MemberData(nameof(Filters))]
    public async Task Query_Filter_ReturnsExactlyTheMatchingRecordsNewestFirst(string filter)
    {
        var sink = CreateSink();
        var stored = new List<AuditRecord>();
        foreach (var record in new[]
        {
            Record(minute: 0, grant: "g1", server: "pay", tool: "stk_push", decision: AuditDecisions.Deny, code: "rate_limited"),
            Record(minute: 1, grant: "g2", server: "pay", tool: "balance"),
            Record(minute: 2, grant: "g1", server: "files", tool: "read"),
            Record(minute: 3, grant: "g2", server: "files", tool: "delete", decision: AuditDecisions.Hold, code: "approval_required"),
            Record(minute: 4, grant: "g1", server: "pay", tool: "stk_push", decision: AuditDecisions.Allow, code: "approved"),
            Record(minute: 5, grant: "g3", server: "files", tool: "read", decision: AuditDecisions.Deny, code: "default_deny"),
        })
        {
            stored.Add(await sink.AppendAsync(record, Cancellation));
        }

        var query = filter switch
        {
            // Since is inclusive and Until exclusive: minute 2 is in the first and not in the second.
            "since" => new AuditQuery { Since = Start.AddMinutes(2) },
            "until" => new AuditQuery { Until = Start.AddMinutes(2) },
            "decision" => new AuditQuery { Decision = AuditDecisions.Deny },
            "code" => new AuditQuery { Code = "approval_required" },
            "grant" => new AuditQuery { Grant = "g1" },
            "server" => new AuditQuery { Server = "pay" },
            "tool" => new AuditQuery { Tool = "read" },
            "before" => new AuditQuery { BeforeId = stored[3].Id },
            "all" => new AuditQuery
            {
                Since = Start.AddMinutes(1), Until = Start.AddMinutes(5), Grant = "g1", Server = "pay", Tool = "stk_push",
                Decision = AuditDecisions.Allow, Code = "approved", BeforeId = stored[5].Id,
            },
            _ => throw new ArgumentOutOfRangeException(nameof(filter)),
        };

        var expected = Enumerable.Reverse(stored).Where(query.Matches).ToList();
        Assert.NotEmpty(expected);
        Assert.NotEqual(stored.Count, expected.Count);
        Assert.Equal(expected, await sink.QueryAsync(query, Cancellation));
    }

    [Fact]
    public async Task Query_PagingByBeforeId_WalksBackwardsWithoutGapsOrRepeats()
    {
        var sink = CreateSink();
        for (var i = 0; i < 25; i++)
        {
            await sink.AppendAsync(Record(minute: i, tool: i % 2 == 0 ? "even" : "odd"), Cancellation);
        }

        var seen = new List<AuditRecord>();
        long? before = null;
        var pages = new List<int>();
        while (true)
        {
            var page = await sink.QueryAsync(new AuditQuery { Tool = "even", BeforeId = before, Limit = 5 }, Cancellation);
            if (page.Count == 0)
            {
                break;
            }

            pages.Add(page.Count);
            seen.AddRange(page);
            before = page[^1].Id;
        }

        Assert.Equal([5, 5, 3], pages);
        Assert.Equal(13, seen.Select(r => r.Id).Distinct().Count());
        Assert.All(seen, r => Assert.Equal("even", r.Tool));
        Assert.Equal(seen.Select(r => r.Id).OrderDescending(), seen.Select(r => r.Id));
        Assert.Equal(Start.AddMinutes(24), seen[0].Time);
        Assert.Equal(Start, seen[^1].Time);
    }

    [Fact]
    public async Task Query_LimitOutOfRange_IsClamped()
    {
        var sink = CreateSink();
        for (var i = 0; i < 3; i++)
        {
            await sink.AppendAsync(Record(minute: i), Cancellation);
        }

        Assert.Single(await sink.QueryAsync(new AuditQuery { Limit = 0 }, Cancellation));
        Assert.Single(await sink.QueryAsync(new AuditQuery { Limit = -5 }, Cancellation));
        Assert.Equal(3, (await sink.QueryAsync(new AuditQuery { Limit = int.MaxValue }, Cancellation)).Count);
    }

    [Fact]
    public async Task Query_Empty_ReturnsNothing()
    {
        var sink = CreateSink();
        Assert.Empty(await sink.QueryAsync(new AuditQuery(), Cancellation));
    }

    [Fact]
    public async Task Complete_RecordsOutcomeAndLatency_LeavingTheRestAsWritten()
    {
        var sink = CreateSink();
        var first = await sink.AppendAsync(Record(minute: 0), Cancellation);
        var second = await sink.AppendAsync(Record(minute: 1), Cancellation);

        await sink.CompleteAsync(first.Id, AuditOutcomes.Timeout, TimeSpan.FromMilliseconds(1500.5), Cancellation);

        var found = await sink.QueryAsync(new AuditQuery(), Cancellation);
        Assert.Equal(first with { Outcome = AuditOutcomes.Timeout, UpstreamLatency = TimeSpan.FromMilliseconds(1500.5) }, found[1]);
        Assert.Equal(second, found[0]);
    }

    [Fact]
    public async Task Complete_Twice_KeepsTheLast()
    {
        var sink = CreateSink();
        var record = await sink.AppendAsync(Record(), Cancellation);

        await sink.CompleteAsync(record.Id, AuditOutcomes.Ok, TimeSpan.FromSeconds(1), Cancellation);
        await sink.CompleteAsync(record.Id, AuditOutcomes.Cancelled, TimeSpan.FromSeconds(2), Cancellation);

        var found = Assert.Single(await sink.QueryAsync(new AuditQuery(), Cancellation));
        Assert.Equal((AuditOutcomes.Cancelled, TimeSpan.FromSeconds(2)), (found.Outcome, found.UpstreamLatency));
    }

    [Fact]
    public async Task Complete_UnknownId_Throws()
    {
        var sink = CreateSink();
        var record = await sink.AppendAsync(Record(), Cancellation);

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await sink.CompleteAsync(record.Id + 1000, AuditOutcomes.Ok, TimeSpan.Zero, Cancellation));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await sink.CompleteAsync(0, AuditOutcomes.Ok, TimeSpan.Zero, Cancellation));
    }
}
