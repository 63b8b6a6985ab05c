using McpWarden.Gateway.Approvals;
using McpWarden.Gateway.Audit;
using McpWarden.Gateway.Time;
using McpWarden.Policy.Compilation;
using McpWarden.Policy.Evaluation;
using McpWarden.Storage.Sqlite.Database;
using McpWarden.Testing;
using Xunit;

namespace McpWarden.Storage.Sqlite.Tests;

/// <summary>What only a store on a real file can show: reopening, several stores on one file, the file's own settings.</summary>
public sealed class SqliteStoreTests : IDisposable
{
    private static readonly CompiledPolicy Limits = Policies.Load("""
        {"version":"1","default":"deny","tools":{
          "ten":   {"limits":[{"counter":"ten","window":60,"max":10}]},
          "many":  {"limits":[{"counter":"many","window":60,"max":25}]},
          "spend": {"limits":[{"counter":"spend","window":"day","max":100,"cost":"amount"}]}
        }}
        """);

    private static readonly ApprovalBinding Binding = new("g1", "pay", "stk_push", new string('a', 64), "rev-1");

    private readonly TempStores _stores = new();
    private readonly ManualTimeProvider _clock = new(ManualTimeProvider.TestEpoch);

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    private static IReadOnlyList<LimitObligation> Obligations(string tool, string arguments = "{}") =>
        PolicyEvaluator.Evaluate(Limits, Policies.Call(tool, arguments), ToolSnapshot.Everything).Obligations;

    private static ApprovalRequest Request(TimeSpan? timeout = null) =>
        new(Binding, "session-1", "{}", "$.tools.stk_push", "payments need a person", timeout ?? TimeSpan.FromMinutes(5), "host/1/1");

    private static AuditRecord Record(string tool) => new()
    {
        Time = ManualTimeProvider.TestEpoch,
        Grant = "g1",
        Session = "session-1",
        Server = "srv",
        Tool = tool,
        Decision = AuditDecisions.Allow,
        Code = "allowed",
        RulePath = "$.tools.ten",
        Message = "allowed",
        ArgumentsSha256 = new string('0', 64),
        PolicyRevision = "rev-1",
        Evaluation = TimeSpan.FromTicks(10),
        Mode = "enforce",
    };

    [Fact]
    public void Open_NewFile_IsAWalFileMarkedAsOursWithEveryTable()
    {
        var store = _stores.Open(_clock);

        Assert.Equal("wal", TempStores.Scalar(store.Path, "PRAGMA journal_mode"));
        Assert.Equal((long)StoreSchema.ApplicationId, TempStores.Scalar(store.Path, "PRAGMA application_id"));
        Assert.Equal((long)StoreSchema.CurrentVersion, TempStores.Scalar(store.Path, "PRAGMA user_version"));
        foreach (var table in new[] { "counter_units", "audit", "approvals", "pins" })
        {
            Assert.Equal(1L, TempStores.Scalar(store.Path, $"SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '{table}'"));
        }

        Assert.Equal(
            "server,tool,fingerprint,definition,pinned_at,accepted_at,changed_fingerprint,changed_definition,changed_at",
            TempStores.Scalar(store.Path, "SELECT group_concat(name) FROM (SELECT name FROM pragma_table_info('pins') ORDER BY cid)"));
    }

    [Theory]
    [InlineData(SqliteSynchronous.Normal, "1")]
    [InlineData(SqliteSynchronous.Full, "2")]
    public void Open_Synchronous_IsWhatTheOptionsSay(SqliteSynchronous synchronous, string pragma)
    {
        var store = _stores.Open(_clock, options: new SqliteStoreOptions { Synchronous = synchronous });

        Assert.Equal(pragma, store.Pragma("synchronous"));
        Assert.Equal("5000", store.Pragma("busy_timeout"));
    }

    [Fact]
    public async Task Open_SeveralAtOnceOnANewFile_AllSucceedOnOneSchema()
    {
        // Several gateways started together on a new file: one creates the schema while the others look at the
        // file. The window is short, so it is tried on many new files.
        for (var round = 0; round < 40; round++)
        {
            var path = Path.Combine(_stores.DirectoryPath, $"race-{round}.db");
            await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Task.Run(() => _stores.Open(_clock, path), Cancellation)));

            Assert.Equal((long)StoreSchema.CurrentVersion, TempStores.Scalar(path, "PRAGMA user_version"));
            Assert.Equal(1L, TempStores.Scalar(path, "SELECT count(*) FROM sqlite_master WHERE name = 'counter_units'"));
        }
    }

    [Fact]
    public async Task Open_AVersionOneFile_MigratesThePinsKeepingThem()
    {
        // A file written before changed definitions were kept: the pins table without its changed_* columns.
        var store = _stores.Open(_clock);
        _stores.Close(store);
        using (var raw = TempStores.Raw(store.Path))
        using (var command = raw.CreateCommand())
        {
            command.CommandText = """
                ALTER TABLE pins DROP COLUMN changed_fingerprint;
                ALTER TABLE pins DROP COLUMN changed_definition;
                ALTER TABLE pins DROP COLUMN changed_at;
                INSERT INTO pins (server, tool, fingerprint, definition, pinned_at) VALUES ('fs', 'read', 'abc', '{"name":"read"}', 0);
                PRAGMA user_version = 1;
                """;
            command.ExecuteNonQuery();
        }

        var migrated = _stores.Open(_clock);

        Assert.Equal((long)StoreSchema.CurrentVersion, TempStores.Scalar(migrated.Path, "PRAGMA user_version"));
        var pin = Assert.Single(await migrated.Pins.ListAsync(null, Cancellation));
        Assert.Equal(("fs", "read", "abc", null), (pin.Server, pin.Tool, pin.Pinned.Fingerprint, pin.Changed));
    }

    [Fact]
    public void Open_NewerSchema_IsRefusedSayingSo()
    {
        var store = _stores.Open(_clock);
        _stores.Close(store);
        TempStores.Scalar(store.Path, "PRAGMA user_version = 99");

        var refused = Assert.Throws<SqliteStoreException>(() => _stores.Open(_clock));

        Assert.Contains("version 99", refused.Message);
        Assert.Contains("newer McpWarden", refused.Message);
        Assert.Equal(99L, TempStores.Scalar(store.Path, "PRAGMA user_version"));
    }

    [Fact]
    public void Open_ForeignSqliteFile_IsRefusedAndLeftAsItWas()
    {
        var path = Path.Combine(_stores.DirectoryPath, "other.db");
        TempStores.Scalar(path, "CREATE TABLE notes (text TEXT); INSERT INTO notes VALUES ('mine')");

        var refused = Assert.Throws<SqliteStoreException>(() => _stores.Open(_clock, path));

        Assert.Contains("not a McpWarden store", refused.Message);
        Assert.Equal("delete", TempStores.Scalar(path, "PRAGMA journal_mode"));
        Assert.Equal(0L, TempStores.Scalar(path, "SELECT count(*) FROM sqlite_master WHERE name = 'audit'"));
        Assert.Equal("mine", TempStores.Scalar(path, "SELECT text FROM notes"));
    }

    [Fact]
    public void Open_NotADatabase_IsRefusedAndLeftAsItWas()
    {
        var path = Path.Combine(_stores.DirectoryPath, "config.json");
        var text = """{"this": "is a configuration file, not a database, and long enough to have a header's worth of bytes"}""";
        File.WriteAllText(path, text);

        var refused = Assert.Throws<SqliteStoreException>(() => _stores.Open(_clock, path));

        Assert.Contains("not a SQLite database", refused.Message);
        Assert.Equal(text, File.ReadAllText(path));
    }

    [Fact]
    public async Task Reopen_CountersApprovalsAndAuditAreAsLeft()
    {
        var first = _stores.Open(_clock);
        for (var i = 0; i < 10; i++)
        {
            Assert.True((await first.Counters.TryConsumeAsync(Obligations("ten"), Cancellation)).Admitted);
        }

        var approved = await first.Approvals.SubmitAsync(Request(), Cancellation);
        var pending = await first.Approvals.SubmitAsync(Request(), Cancellation);
        await first.Approvals.DecideAsync(approved.Id, true, "fine", "admin", Cancellation);
        var record = await first.Audit.AppendAsync(Record("ten"), Cancellation);
        await first.Audit.CompleteAsync(record.Id, AuditOutcomes.Ok, TimeSpan.FromMilliseconds(20), Cancellation);
        _stores.Close(first);

        var second = _stores.Open(_clock);
        var refused = await second.Counters.TryConsumeAsync(Obligations("ten"), Cancellation);
        Assert.False(refused.Admitted);
        Assert.Equal(TimeSpan.FromSeconds(60), refused.RetryAfter);
        Assert.Equal((ApprovalState.Approved, "fine"), ((await second.Approvals.GetAsync(approved.Id, Cancellation))!.State, (await second.Approvals.GetAsync(approved.Id, Cancellation))!.Reason));
        Assert.Equal([pending.Id], (await second.Approvals.ListAsync(ApprovalState.Pending, Cancellation)).Select(a => a.Id));
        Assert.True(await second.Approvals.TryUseAsync(approved.Id, Binding, Cancellation));
        Assert.Equal(
            record with { Outcome = AuditOutcomes.Ok, UpstreamLatency = TimeSpan.FromMilliseconds(20) },
            Assert.Single(await second.Audit.QueryAsync(new AuditQuery(), Cancellation)));

        // A new record after reopening never takes an id already given.
        Assert.True((await second.Audit.AppendAsync(Record("ten"), Cancellation)).Id > record.Id);
    }

    [Fact]
    public async Task TryConsume_Admitted_IsInTheFileBeforeItReturns()
    {
        var store = _stores.Open(_clock);

        Assert.True((await store.Counters.TryConsumeAsync(Obligations("spend", """{"amount": 12.34}"""), Cancellation)).Admitted);

        // Read through a connection of its own, with the store still open: the units are committed.
        Assert.Equal("12.34", TempStores.Scalar(store.Path, "SELECT units FROM counter_units"));
    }

    [Fact]
    public async Task TryConsume_TwoStoresOnOneFile_AdmitExactlyTheLastUnitsBetweenThem()
    {
        var one = _stores.Open(_clock);
        var two = _stores.Open(_clock);
        for (var i = 0; i < 20; i++)
        {
            Assert.True((await (i % 2 == 0 ? one : two).Counters.TryConsumeAsync(Obligations("many"), Cancellation)).Admitted);
        }

        // 5 units left of 25; 16 workers on the two stores race 320 calls for them.
        var obligations = Obligations("many");
        var admitted = 0;
        await Task.WhenAll(Enumerable.Range(0, 16).Select(worker => Task.Run(async () =>
        {
            var store = worker % 2 == 0 ? one : two;
            for (var i = 0; i < 20; i++)
            {
                if ((await store.Counters.TryConsumeAsync(obligations, Cancellation)).Admitted)
                {
                    Interlocked.Increment(ref admitted);
                }
            }
        })));

        Assert.Equal(5, admitted);
        Assert.False((await one.Counters.CheckAsync(obligations, Cancellation)).Admitted);
        Assert.False((await two.Counters.CheckAsync(obligations, Cancellation)).Admitted);
    }

    [Fact]
    public async Task Decide_TwoStoresOnOneFile_ExactlyOneDecidesAndOneUses()
    {
        var one = _stores.Open(_clock);
        var two = _stores.Open(_clock);
        var approval = await one.Approvals.SubmitAsync(Request(), Cancellation);

        var decided = await Task.WhenAll(Enumerable.Range(0, 40).Select(i => Task.Run(async () =>
            await (i % 2 == 0 ? one : two).Approvals.DecideAsync(approval.Id, true, null, "admin", Cancellation))));
        var used = await Task.WhenAll(Enumerable.Range(0, 40).Select(i => Task.Run(async () =>
            await (i % 2 == 0 ? one : two).Approvals.TryUseAsync(approval.Id, Binding, Cancellation))));

        Assert.Single(decided, d => d == ApprovalDecisionResult.Decided);
        Assert.Single(used, u => u);
    }

    [Fact]
    public async Task Wait_DecisionTakenByAnotherStore_IsSeenAtTheNextPoll()
    {
        var waiting = _stores.Open(_clock);
        var deciding = _stores.Open(_clock);
        var approval = await waiting.Approvals.SubmitAsync(Request(), Cancellation);

        var wait = waiting.Approvals.WaitAsync(approval.Id, Cancellation).AsTask();
        Assert.Equal(ApprovalDecisionResult.Decided, await deciding.Approvals.DecideAsync(approval.Id, false, "no", "admin", Cancellation));
        Assert.False(wait.IsCompleted);
        _clock.Advance(SqliteStoreOptions.Default.ApprovalPollInterval);

        var ended = await wait.WaitAsync(TimeSpan.FromSeconds(30), TimeProvider.System, Cancellation);
        Assert.Equal((ApprovalState.Denied, "no"), (ended.State, ended.Reason));
    }

    [Fact]
    public async Task Wait_ExpiryWhileAnotherStoreWatches_OnlyOneOutcome()
    {
        var one = _stores.Open(_clock);
        var two = _stores.Open(_clock);
        var approval = await one.Approvals.SubmitAsync(Request(TimeSpan.FromSeconds(10)), Cancellation);

        var wait = one.Approvals.WaitAsync(approval.Id, Cancellation).AsTask();
        _clock.Advance(TimeSpan.FromSeconds(10));
        var ended = await wait.WaitAsync(TimeSpan.FromSeconds(30), TimeProvider.System, Cancellation);

        Assert.Equal(ApprovalState.TimedOut, ended.State);
        Assert.Equal(ApprovalDecisionResult.NotPending, await two.Approvals.DecideAsync(approval.Id, true, null, "admin", Cancellation));
    }

    [Fact]
    public async Task TryConsume_ManySmallCosts_SumExactly()
    {
        var store = _stores.Open(_clock);
        // 0.1 a thousand times is exactly 100 in decimals, not in doubles; each lands in a row of its own.
        for (var i = 0; i < 1000; i++)
        {
            Assert.True((await store.Counters.TryConsumeAsync(Obligations("spend", """{"amount": 0.1}"""), Cancellation)).Admitted, $"payment {i + 1} should fit");
            _clock.Advance(TimeSpan.FromSeconds(85));
        }

        Assert.Equal(1000L, TempStores.Scalar(store.Path, "SELECT count(*) FROM counter_units"));
        Assert.False((await store.Counters.TryConsumeAsync(Obligations("spend", """{"amount": 0.0000001}"""), Cancellation)).Admitted);
        Assert.True((await store.Counters.TryConsumeAsync(Obligations("spend", """{"amount": 0}"""), Cancellation)).Admitted);
    }

    [Fact]
    public async Task TryConsume_ManyCallsInOneWindow_KeepAboutOneRowPerSliceOfTheWindow()
    {
        var store = _stores.Open(_clock);
        var obligations = Obligations("spend", """{"amount": 0.001}""");
        // A day's window in 1024 slices of 84.375 s; 20,000 calls 5 s apart cover about 1,185 slices.
        for (var i = 0; i < 20_000; i++)
        {
            Assert.True((await store.Counters.TryConsumeAsync(obligations, Cancellation)).Admitted);
            _clock.Advance(TimeSpan.FromSeconds(5));
        }

        var rows = (long)TempStores.Scalar(store.Path, "SELECT count(*) FROM counter_units")!;
        Assert.InRange(rows, 1000, 1300);
        Assert.Equal("20.000", TempStores.Scalar(store.Path, "SELECT sum(units) FROM counter_units") is double sum ? sum.ToString("F3", System.Globalization.CultureInfo.InvariantCulture) : null);
    }

    [Fact]
    public async Task Reopen_RowsPastTheirWindow_AreSwept()
    {
        var store = _stores.Open(_clock);
        Assert.True((await store.Counters.TryConsumeAsync(Obligations("ten"), Cancellation)).Admitted);
        _clock.Advance(TimeSpan.FromSeconds(30));
        Assert.True((await store.Counters.TryConsumeAsync(Obligations("spend", """{"amount": 1}"""), Cancellation)).Admitted);
        _stores.Close(store);
        _clock.Advance(TimeSpan.FromSeconds(30));

        store = _stores.Open(_clock);

        // The minute's row left its window as the store opened; the day's row stays.
        Assert.Equal("1", TempStores.Scalar(store.Path, "SELECT group_concat(units) FROM counter_units"));
    }

    [Fact]
    public async Task SweepWhileServing_ForgetsSummariesOfBudgetsChargedOnlyZero_AStepAtATime()
    {
        var store = _stores.Open(_clock);
        // A zero-unit charge keeps a summary but no row: 1,500 such budgets.
        var zero = Obligations("spend", """{"amount":0}""")[0];
        for (var i = 0; i < 1_500; i++)
        {
            Assert.True((await store.Counters.TryConsumeAsync([zero with { Key = FormattableString.Invariant($"zero-{i:D5}") }], Cancellation)).Admitted);
        }

        Assert.Equal("1500", TempStores.Scalar(store.Path, "SELECT CAST(count(*) AS TEXT) FROM counter_budgets"));

        // A sweep runs every 4,096 consumes and checks 1,024 summaries: the second one has checked them all.
        for (var i = 1_500; i < 2 * 4_096; i++)
        {
            Assert.True((await store.Counters.TryConsumeAsync([zero with { Key = "zero-00000" }], Cancellation)).Admitted);
        }

        // Only the budget still being charged has a summary (saved again by the consume that swept).
        Assert.Equal("1", TempStores.Scalar(store.Path, "SELECT CAST(count(*) AS TEXT) FROM counter_budgets"));
    }

    [Fact]
    public async Task Reopen_AfterRowsWereSwept_TheBudgetCountsOnlyWhatIsLeft()
    {
        var store = _stores.Open(_clock);
        for (var i = 0; i < 10; i++)
        {
            Assert.True((await store.Counters.TryConsumeAsync(Obligations("ten"), Cancellation)).Admitted);
        }

        _stores.Close(store);
        _clock.Advance(TimeSpan.FromSeconds(61));
        store = _stores.Open(_clock);

        // The sweep at open deleted the rows; the budget's summary must not still count them.
        for (var i = 0; i < 10; i++)
        {
            Assert.True((await store.Counters.TryConsumeAsync(Obligations("ten"), Cancellation)).Admitted, $"call {i + 1} should fit in an empty window");
        }

        Assert.False((await store.Counters.TryConsumeAsync(Obligations("ten"), Cancellation)).Admitted);
    }

    [Fact]
    public async Task TryConsume_ReloadChangesTheWindow_CountsFromTheRowsNotAStaleSum()
    {
        var minute = Policies.Load("""{"version":"1","default":"deny","tools":{"t":{"limits":[{"counter":"c","window":60,"max":10}]}}}""");
        var halfMinute = Policies.Load("""{"version":"1","default":"deny","tools":{"t":{"limits":[{"counter":"c","window":30,"max":10}]}}}""");
        IReadOnlyList<LimitObligation> Under(CompiledPolicy policy) => PolicyEvaluator.Evaluate(policy, Policies.Call("t"), ToolSnapshot.Everything).Obligations;
        var store = _stores.Open(_clock);
        for (var i = 0; i < 8; i++)
        {
            Assert.True((await store.Counters.TryConsumeAsync(Under(minute), Cancellation)).Admitted);
        }

        _clock.Advance(TimeSpan.FromSeconds(40));
        // Under 30 s the first 8 have left the window: all 10 fit.
        for (var i = 0; i < 10; i++)
        {
            Assert.True((await store.Counters.TryConsumeAsync(Under(halfMinute), Cancellation)).Admitted, $"call {i + 1} should fit the 30 s window");
        }

        // Back under 60 s, all 18 are in the window: one more fits only once 9 have left, so when the 10 taken now do.
        var refused = await store.Counters.TryConsumeAsync(Under(minute), Cancellation);
        Assert.False(refused.Admitted);
        Assert.Equal(TimeSpan.FromSeconds(60), refused.RetryAfter);
    }

    [Fact]
    public async Task TryConsume_ThisProcessClockIsBehindAnother_StillSeesEveryUnitInItsWindow()
    {
        var ahead = new ManualTimeProvider(ManualTimeProvider.TestEpoch + TimeSpan.FromSeconds(70));
        var behind = _stores.Open(_clock);
        var other = _stores.Open(ahead);
        for (var i = 0; i < 6; i++)
        {
            Assert.True((await behind.Counters.TryConsumeAsync(Obligations("ten"), Cancellation)).Admitted);
        }

        // 70 s ahead, the first 6 have left the window: 4 more fit there, and its summary counts only those.
        for (var i = 0; i < 4; i++)
        {
            Assert.True((await other.Counters.TryConsumeAsync(Obligations("ten"), Cancellation)).Admitted);
        }

        // By the clock behind, all 10 are in the window: it must recount rather than trust that summary.
        Assert.False((await behind.Counters.TryConsumeAsync(Obligations("ten"), Cancellation)).Admitted);
        Assert.False((await behind.Counters.CheckAsync(Obligations("ten"), Cancellation)).Admitted);
    }

    [Fact]
    public async Task Batch_OneWriteFails_TheOthersStillCommit()
    {
        var store = _stores.Open(_clock);
        var writes = Enumerable.Range(0, 40).Select(i => i % 4 == 0
            ? Task.Run(async () => { await store.Audit.CompleteAsync(1_000_000 + i, AuditOutcomes.Ok, TimeSpan.Zero, Cancellation); return false; })
            : Task.Run(async () => (await store.Audit.AppendAsync(Record("t" + i), Cancellation)).Id > 0)).ToArray();

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Task.WhenAll(writes));

        Assert.Equal(30, writes.Count(w => w.IsCompletedSuccessfully && w.Result));
        Assert.Equal(30, (await store.Audit.QueryAsync(new AuditQuery { Limit = 100 }, Cancellation)).Count);
    }

    [Fact]
    public async Task Dispose_QueuedWrites_AreCommittedFirst()
    {
        var store = _stores.Open(_clock);
        var appends = Enumerable.Range(0, 50).Select(i => store.Audit.AppendAsync(Record("t" + i), Cancellation).AsTask()).ToArray();
        _stores.Close(store);

        await Task.WhenAll(appends);
        Assert.Equal(50L, TempStores.Scalar(store.Path, "SELECT count(*) FROM audit"));
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await store.Audit.AppendAsync(Record("late"), Cancellation));
    }

    [Fact]
    public async Task Write_WhenTheWriterIsIdle_RunsOnTheCallersThread()
    {
        var store = _stores.Open(_clock);

        var append = store.Audit.AppendAsync(Record("idle"), Cancellation);

        // Complete on return: committed on this thread, no hand-off to the writer and back.
        Assert.True(append.IsCompletedSuccessfully);
        Assert.True((await append).Id > 0);
        Assert.Equal(1, store.InlineBatches);
        Assert.Equal(1, store.Commits);
        Assert.Equal(1L, TempStores.Scalar(store.Path, "SELECT count(*) FROM audit"));
    }

    [Fact]
    public async Task Writes_WhileABatchRuns_QueueAndCommitTogether()
    {
        var store = _stores.Open(_clock);
        using var other = TempStores.Raw(store.Path);
        using var locked = other.BeginTransaction(deferred: false);

        // The first caller runs inline and waits on the other connection's write lock; the rest queue behind it.
        var appends = Enumerable.Range(0, 40).Select(i => Task.Run(async () => await store.Audit.AppendAsync(Record("t" + i), Cancellation))).ToArray();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Cancellation);
        timeout.CancelAfter(TimeSpan.FromSeconds(4));
        while (store.QueuedWrites < 39)
        {
            await Task.Delay(5, timeout.Token);
        }

        locked.Rollback();
        await Task.WhenAll(appends);

        Assert.Equal(1, store.InlineBatches);
        Assert.Equal(2, store.Commits);
        Assert.Equal(40L, TempStores.Scalar(store.Path, "SELECT count(*) FROM audit"));
    }

    [Fact]
    public async Task Write_InlineBatchCannotBegin_FailsThatCallerOnly_TheNextWriteCommits()
    {
        var store = _stores.Open(_clock, options: new SqliteStoreOptions { BusyTimeout = TimeSpan.FromMilliseconds(200) });
        using (var other = TempStores.Raw(store.Path))
        using (var locked = other.BeginTransaction(deferred: false))
        {
            await Assert.ThrowsAnyAsync<Exception>(async () => await store.Audit.AppendAsync(Record("busy"), Cancellation));
            Assert.Equal(1, store.InlineBatches);
            locked.Rollback();
        }

        Assert.True((await store.Audit.AppendAsync(Record("after"), Cancellation)).Id > 0);
        Assert.Equal(1, store.Commits);
        Assert.Equal(1L, TempStores.Scalar(store.Path, "SELECT count(*) FROM audit"));
    }

    public void Dispose() => _stores.Dispose();
}
