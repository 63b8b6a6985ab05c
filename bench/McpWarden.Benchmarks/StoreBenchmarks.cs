using BenchmarkDotNet.Attributes;
using McpWarden.Gateway.Audit;
using McpWarden.Gateway.Limits;
using McpWarden.Policy;
using McpWarden.Policy.Evaluation;
using McpWarden.Storage.Sqlite;

namespace McpWarden.Benchmarks;

/// <summary>
/// The stores behind a decision: a consume of one limit, and an audit append — in memory, and in the SQLite
/// file (WAL; synchronous NORMAL, the default, and FULL). One caller at a time, then 16 at once, where the
/// SQLite writer groups the 16 writes into few transactions (the figure is per call).
/// </summary>
[MemoryDiagnoser]
public class StoreBenchmarks
{
    private const int Concurrent = 16;

    private string _directory = string.Empty;
    private SqliteStore? _sqlite;
    private ICounterStore _counters = null!;
    private IAuditSink _audit = null!;
    private IReadOnlyList<LimitObligation> _obligations = null!;
    private AuditRecord _record = null!;

    [Params("InMemory", "Sqlite", "SqliteFull")]
    public string Store { get; set; } = "InMemory";

    [GlobalSetup]
    public void Setup()
    {
        // The system clock and a minute's window: the budget's log fills to its bound (1024 slices) and stays there.
        var policy = PolicyLoader.LoadText("bench.json", """
            {"version":"1","default":"deny","tools":{"t":{"limits":[{"counter":"c","window":"minute","max":1000000000000,"scope":"global"}]}}}
            """).Policy ?? throw new InvalidOperationException("the benchmark policy does not load");
        _obligations = PolicyEvaluator.Evaluate(policy, new ToolCall("bench", "t", default, "agent", "session"), ToolSnapshot.Everything).Obligations;
        _record = new AuditRecord
        {
            Time = TimeProvider.System.GetUtcNow(),
            Grant = "agent",
            Session = "session-1",
            Server = "bench",
            Tool = "t",
            Decision = AuditDecisions.Allow,
            Code = ReasonCodes.Allowed,
            RulePath = "$.tools.t",
            Message = "allowed",
            ArgumentsSha256 = new string('0', 64),
            PolicyRevision = "rev-1",
            Evaluation = TimeSpan.FromTicks(8_000),
            Mode = "enforce",
        };

        if (Store == "InMemory")
        {
            _counters = new InMemoryCounterStore(TimeProvider.System);
            _audit = new InMemoryAuditSink();
        }
        else
        {
            _directory = Path.Combine(Path.GetTempPath(), "mcpwarden-bench-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(_directory);
            var options = new SqliteStoreOptions { Synchronous = Store == "SqliteFull" ? SqliteSynchronous.Full : SqliteSynchronous.Normal };
            _sqlite = SqliteStore.Open(Path.Combine(_directory, "bench.db"), TimeProvider.System, options);
            _counters = _sqlite.Counters;
            _audit = _sqlite.Audit;
        }

        if (!TryConsume().AsTask().GetAwaiter().GetResult().Admitted)
        {
            throw new InvalidOperationException("benchmark setup was refused; the budget should never fill");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _sqlite?.Dispose();
        if (_directory.Length > 0)
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Benchmark]
    public ValueTask<CounterOutcome> TryConsume() => _counters.TryConsumeAsync(_obligations);

    [Benchmark(OperationsPerInvoke = Concurrent)]
    public Task TryConsume16AtOnce()
    {
        var calls = new Task[Concurrent];
        for (var i = 0; i < Concurrent; i++)
        {
            calls[i] = _counters.TryConsumeAsync(_obligations).AsTask();
        }

        return Task.WhenAll(calls);
    }

    [Benchmark]
    public ValueTask<AuditRecord> Append() => _audit.AppendAsync(_record);

    [Benchmark(OperationsPerInvoke = Concurrent)]
    public Task Append16AtOnce()
    {
        var calls = new Task[Concurrent];
        for (var i = 0; i < Concurrent; i++)
        {
            calls[i] = _audit.AppendAsync(_record).AsTask();
        }

        return Task.WhenAll(calls);
    }
}
