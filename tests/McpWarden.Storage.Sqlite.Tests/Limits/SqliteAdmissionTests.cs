using System.Diagnostics;
using McpWarden.Gateway.Audit;
using McpWarden.Gateway.Configuration;
using McpWarden.Gateway.Enforcement;
using McpWarden.Gateway.Storage;
using McpWarden.Gateway.Time;
using McpWarden.Policy.Compilation;
using McpWarden.Policy.Evaluation;
using McpWarden.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace McpWarden.Storage.Sqlite.Tests.Limits;

/// <summary>
/// An admitted call's units and audit record in one write (one commit, both or neither), and outcomes that ride in
/// the next commit instead of paying for one of their own.
/// </summary>
public sealed class SqliteAdmissionTests : IDisposable
{
    private static readonly CompiledPolicy Limits = Policies.Load("""
        {"version":"1","default":"deny","tools":{
          "two": {"limits":[{"counter":"per_grant","window":60,"max":2,"scope":"grant"},{"counter":"global","window":60,"max":100}]}
        }}
        """);

    private readonly TempStores _stores = new();
    private readonly ManualTimeProvider _clock = new(ManualTimeProvider.TestEpoch);

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    private static IReadOnlyList<LimitObligation> Obligations() =>
        PolicyEvaluator.Evaluate(Limits, Policies.Call("two"), ToolSnapshot.Everything).Obligations;

    private static AuditRecord Record() => new()
    {
        Time = ManualTimeProvider.TestEpoch,
        Grant = "g1",
        Session = "session-1",
        Server = "srv",
        Tool = "two",
        Decision = AuditDecisions.Allow,
        Code = "allowed",
        RulePath = "/tools/two",
        Message = "allowed",
        ArgumentsSha256 = new string('0', 64),
        PolicyRevision = "rev-1",
        Evaluation = TimeSpan.FromTicks(10),
        Mode = "enforce",
    };

    private static long Count(SqliteStore store, string sql) => (long)TempStores.Scalar(store.Path, sql)!;

    /// <summary>Makes every insert into the audit table fail, as a full disk or a broken file would fail it.</summary>
    private static void BreakAuditInserts(SqliteStore store)
    {
        using var connection = TempStores.Raw(store.Path);
        using var command = connection.CreateCommand();
        command.CommandText = "CREATE TRIGGER refuse_audit BEFORE INSERT ON audit BEGIN SELECT RAISE(ABORT, 'audit refused'); END";
        command.ExecuteNonQuery();
    }

    [Fact]
    public async Task TryConsumeAndAppendAsync_Room_CommitsTheUnitsAndTheRecordInOneTransaction()
    {
        var store = _stores.Open(_clock);
        var before = store.Commits;

        var admission = await store.Counters.TryConsumeAndAppendAsync(Obligations(), _ => Record(), Cancellation);

        Assert.True(admission.Outcome.Admitted);
        Assert.Equal(before + 1, store.Commits);
        var record = Assert.Single(await store.Audit.QueryAsync(new AuditQuery(), Cancellation));
        Assert.Equal(record.Id, admission.Record!.Id);
        Assert.Equal(2, (await store.Counters.UsageAsync(Cancellation)).Count);
    }

    [Fact]
    public async Task TryConsumeAndAppendAsync_AuditInsertFails_ThrowsAndSpendsNoUnit()
    {
        var store = _stores.Open(_clock);
        BreakAuditInserts(store);

        var failure = await Assert.ThrowsAsync<AuditWriteException>(async () => await store.Counters.TryConsumeAndAppendAsync(Obligations(), _ => Record(), Cancellation));

        Assert.Contains("audit refused", failure.Message, StringComparison.Ordinal);
        Assert.Empty(await store.Counters.UsageAsync(Cancellation));
        Assert.Equal(0, Count(store, "SELECT count(*) FROM counter_units"));
        Assert.Equal(0, Count(store, "SELECT count(*) FROM audit"));
    }

    [Fact]
    public async Task TryConsumeAndAppendAsync_RecordCannotBeMade_ThrowsAndSpendsNoUnit()
    {
        var store = _stores.Open(_clock);

        await Assert.ThrowsAsync<AuditWriteException>(async () => await store.Counters.TryConsumeAndAppendAsync(Obligations(), _ => throw new InvalidOperationException("no record"), Cancellation));

        Assert.Empty(await store.Counters.UsageAsync(Cancellation));
        Assert.Equal(0, Count(store, "SELECT count(*) FROM counter_units"));
    }

    [Fact]
    public async Task TryConsumeAndAppendAsync_NoRoom_RefusesAndAppendsNothing()
    {
        var store = _stores.Open(_clock);
        await store.Counters.TryConsumeAndAppendAsync(Obligations(), _ => Record(), Cancellation);
        await store.Counters.TryConsumeAndAppendAsync(Obligations(), _ => Record(), Cancellation);

        var refused = await store.Counters.TryConsumeAndAppendAsync(Obligations(), _ => throw new InvalidOperationException("a refused call has no record here"), Cancellation);

        Assert.False(refused.Outcome.Admitted);
        Assert.Null(refused.Record);
        Assert.Contains("per_grant", refused.Outcome.Blocking!.Key, StringComparison.Ordinal);
        Assert.Equal(2, Count(store, "SELECT count(*) FROM audit"));
    }

    [Fact]
    public async Task Gate_AllowedCallWithLimits_OneCommitBeforeItIsForwarded()
    {
        var store = _stores.Open(_clock);
        var gate = Gate(store);
        var before = store.Commits;

        var result = await gate.AdmitAsync(Call(), Cancellation);

        Assert.True(result.Forward);
        Assert.Equal(before + 1, store.Commits);
        var record = Assert.Single(await store.Audit.QueryAsync(new AuditQuery(), Cancellation));
        Assert.Equal((result.AuditId, AuditDecisions.Allow, "srv", "two"), (record.Id, record.Decision, record.Server, record.Tool));
        Assert.Equal(2, (await store.Counters.UsageAsync(Cancellation)).Count);
    }

    [Fact]
    public async Task Gate_AuditCannotBeWritten_RefusesTheCallAndSpendsNoUnit()
    {
        var store = _stores.Open(_clock);
        BreakAuditInserts(store);

        var result = await Gate(store).AdmitAsync(Call(), Cancellation);

        Assert.False(result.Forward);
        Assert.Equal(ReasonCodes.AuditFailed, result.Decision.Code);
        Assert.Equal(0, Count(store, "SELECT count(*) FROM counter_units"));
    }

    [Fact]
    public async Task CompleteAsync_AnotherWriteFollows_RidesInItsCommit()
    {
        var store = _stores.Open(_clock, options: new SqliteStoreOptions { DeferredLinger = TimeSpan.FromHours(1) });
        var appended = await store.Audit.AppendAsync(Record(), Cancellation);
        var before = store.Commits;

        var completing = store.Audit.CompleteAsync(appended.Id, AuditOutcomes.Ok, TimeSpan.FromMilliseconds(3), Cancellation).AsTask();
        Assert.False(completing.IsCompleted);
        await store.Audit.AppendAsync(Record(), Cancellation);
        await completing.WaitAsync(TimeSpan.FromSeconds(10), Cancellation);

        Assert.Equal(before + 1, store.Commits);
        Assert.Equal(AuditOutcomes.Ok, TempStores.Scalar(store.Path, $"SELECT outcome FROM audit WHERE id = {appended.Id}"));
    }

    [Fact]
    public async Task CompleteAsync_RidingInAnotherWritesCommit_ItsAwaiterGoesOnInThatThread_FreeToWriteAgain()
    {
        var store = _stores.Open(_clock, options: new SqliteStoreOptions { DeferredLinger = TimeSpan.FromHours(1) });
        var appended = await store.Audit.AppendAsync(Record(), Cancellation);
        int? continuedOn = null;
        var completing = store.Audit.CompleteAsync(appended.Id, AuditOutcomes.Ok, TimeSpan.Zero, Cancellation).AsTask();
        var wroteAgain = completing.ContinueWith(
            _ =>
            {
                continuedOn = Environment.CurrentManagedThreadId;
                // The batch that committed the outcome has released its lock: this write is a batch of its own, not one nested in it.
                return store.Audit.AppendAsync(Record(), CancellationToken.None).AsTask();
            },
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default).Unwrap();

        // The writer is idle, so this write runs in this thread, takes the outcome with it, and no pool thread is woken for the outcome's awaiter.
        await store.Audit.AppendAsync(Record(), Cancellation);

        Assert.Equal(Environment.CurrentManagedThreadId, continuedOn);
        await wroteAgain.WaitAsync(TimeSpan.FromSeconds(10), Cancellation);
        Assert.Equal(AuditOutcomes.Ok, TempStores.Scalar(store.Path, $"SELECT outcome FROM audit WHERE id = {appended.Id}"));
        Assert.Equal(3L, Count(store, "SELECT count(*) FROM audit"));
    }

    [Fact]
    public async Task CompleteAsync_DeferredAfterTheTimerWasArmed_WaitsItsOwnLinger_RatherThanCommittingWhenTheTimerFires()
    {
        // Steady traffic, slowed down: each outcome is taken by the next call's commit, and the timer armed for
        // the first must not give the latest a commit of its own before that one has waited the whole linger.
        var linger = TimeSpan.FromSeconds(2);
        var store = _stores.Open(_clock, options: new SqliteStoreOptions { DeferredLinger = linger });
        var first = await store.Audit.AppendAsync(Record(), Cancellation);
        var started = Stopwatch.StartNew();
        _ = store.Audit.CompleteAsync(first.Id, AuditOutcomes.Ok, TimeSpan.Zero, Cancellation).AsTask();
        await Task.Delay(linger / 2, Cancellation);
        var second = await store.Audit.AppendAsync(Record(), Cancellation);
        var before = store.Commits;
        var completing = store.Audit.CompleteAsync(second.Id, AuditOutcomes.Ok, TimeSpan.Zero, Cancellation).AsTask();

        // Past the first timer's due time (after `linger`), before the second outcome's linger is over (after 1.5 × linger).
        await Task.Delay((linger * 1.25) - started.Elapsed, Cancellation);
        Assert.True(started.Elapsed < linger * 1.5, "the machine was too slow for this test's schedule");
        Assert.Equal(before, store.Commits);
        Assert.Equal(AuditOutcomes.Ok, TempStores.Scalar(store.Path, $"SELECT outcome FROM audit WHERE id = {first.Id}"));

        await completing.WaitAsync(TimeSpan.FromSeconds(10), Cancellation);
        Assert.Equal(before + 1, store.Commits);
        Assert.Equal(AuditOutcomes.Ok, TempStores.Scalar(store.Path, $"SELECT outcome FROM audit WHERE id = {second.Id}"));
    }

    [Fact]
    public async Task CompleteAsync_NothingElseWritten_IsCommittedOnItsOwn()
    {
        var store = _stores.Open(_clock);
        var appended = await store.Audit.AppendAsync(Record(), Cancellation);

        await store.Audit.CompleteAsync(appended.Id, AuditOutcomes.ToolError, TimeSpan.FromMilliseconds(3), Cancellation).AsTask().WaitAsync(TimeSpan.FromSeconds(10), Cancellation);

        Assert.Equal(AuditOutcomes.ToolError, TempStores.Scalar(store.Path, $"SELECT outcome FROM audit WHERE id = {appended.Id}"));
    }

    [Fact]
    public async Task Dispose_OutcomeStillWaitingForACommit_IsCommittedBeforeTheFileCloses()
    {
        var store = _stores.Open(_clock, options: new SqliteStoreOptions { DeferredLinger = TimeSpan.FromHours(1) });
        var appended = await store.Audit.AppendAsync(Record(), Cancellation);
        var completing = store.Audit.CompleteAsync(appended.Id, AuditOutcomes.Ok, TimeSpan.FromMilliseconds(3), Cancellation).AsTask();

        _stores.Close(store);

        await completing.WaitAsync(TimeSpan.FromSeconds(10), Cancellation);
        Assert.Equal(AuditOutcomes.Ok, TempStores.Scalar(store.Path, $"SELECT outcome FROM audit WHERE id = {appended.Id}"));
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await store.Audit.CompleteAsync(appended.Id, AuditOutcomes.Error, TimeSpan.Zero, Cancellation));
    }

    public void Dispose() => _stores.Dispose();

    private ToolCallGate Gate(SqliteStore store) =>
        new(new GatewayStores(store.Counters, store.Approvals, store.Audit, store.Pins) { Kind = "sqlite", Admissions = store.Counters }, AuditSettings.Default, _clock, NullLogger<ToolCallGate>.Instance);

    private static GateCall Call() =>
        new(
            new ServerDefinition("srv", new StdioUpstreamDefinition("server", [], new Dictionary<string, string>(), "/"), Limits, "inline", EnforcementMode.Enforce, TimeSpan.FromSeconds(30)),
            Policies.Call("two"),
            ToolSnapshot.Everything,
            "session-label",
            () => Limits);
}
