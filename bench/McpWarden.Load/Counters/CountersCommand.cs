using System.Globalization;
using McpWarden.Gateway.Limits;
using McpWarden.Load.Measuring;
using McpWarden.Policy.Evaluation;
using McpWarden.Storage.Redis;
using McpWarden.Storage.Sqlite;

namespace McpWarden.Load.Counters;

/// <summary>
/// <c>load.sh counters</c>: consumes per second of each counter store with 100,000 live budgets, and what the budgets
/// cost in memory and on disk. See docs/benchmarks.md.
/// </summary>
internal static class CountersCommand
{
    public static LoadCommand Command { get; } = new("counters", "ICounterStore.TryConsumeAsync over 100,000 budgets: in memory, SQLite, Redis", RunAsync);

    private static async Task<int> RunAsync(string[] args, TextWriter output)
    {
        if (args is ["--help" or "-h"])
        {
            await output.WriteLineAsync(CountersOptions.Usage).ConfigureAwait(false);
            return 0;
        }

        if (CountersOptions.Parse(args, out var error) is not { } options)
        {
            await output.WriteLineAsync(error + "\n" + CountersOptions.Usage).ConfigureAwait(false);
            return 2;
        }

        var obligations = CounterKeys.Build(options.Keys);
        // The heap with the obligations made and no store yet: each store's figure is the heap after it, less this.
        var baseline = ManagedHeap();
        await output.WriteLineAsync($"counters: {options.Keys:N0} keys, {options.Duration.TotalSeconds:0.#} s per concurrency level ({string.Join(", ", options.Concurrency)}), {Environment.ProcessorCount} cores, load average {ProcFs.LoadAverage()}").ConfigureAwait(false);
        var results = new List<CountersStoreResult>();
        foreach (var store in options.Stores)
        {
            results.Add(await RunStoreAsync(store, obligations, baseline, options, output).ConfigureAwait(false));
        }

        await output.WriteLineAsync(Table(results)).ConfigureAwait(false);
        await output.WriteLineAsync($"counters: load average after {ProcFs.LoadAverage()}").ConfigureAwait(false);
        var refused = results.Sum(r => r.Phases.Sum(p => p.Refused));
        if (refused > 0)
        {
            await output.WriteLineAsync($"counters: FAILED: {refused} consumes refused, where every budget had room").ConfigureAwait(false);
            return 1;
        }

        return 0;
    }

    private static async Task<CountersStoreResult> RunStoreAsync(string name, IReadOnlyList<LimitObligation>[] obligations, long baseline, CountersOptions options, TextWriter output)
    {
        var directory = Directory.CreateTempSubdirectory("mcpwarden-counters-").FullName;
        RedisProcess? redis = null;
        SqliteStore? sqlite = null;
        RedisStore? shared = null;
        try
        {
            ICounterStore store;
            switch (name)
            {
                case "memory":
                    store = new InMemoryCounterStore(TimeProvider.System);
                    break;
                case "sqlite":
                    sqlite = SqliteStore.Open(Path.Combine(directory, "counters.db"), TimeProvider.System, new SqliteStoreOptions { Synchronous = SqliteSynchronous.Normal });
                    store = sqlite.Counters;
                    break;
                default:
                    redis = await RedisProcess.StartAsync().ConfigureAwait(false);
                    shared = await RedisStore.OpenAsync(new RedisStoreOptions { Endpoint = $"127.0.0.1:{redis.Port.ToString(CultureInfo.InvariantCulture)}" }, TimeProvider.System).ConfigureAwait(false);
                    store = shared.Counters;
                    break;
            }

            var phases = new List<CountersPhase>();
            // Every key once, so that the timed phases run with all of them live.
            var fill = await CountersLoad.FillAsync(store, obligations, callers: options.Concurrency.Max()).ConfigureAwait(false);
            phases.Add(fill);
            await output.WriteLineAsync(Line(name, fill)).ConfigureAwait(false);
            foreach (var callers in options.Concurrency)
            {
                var phase = await CountersLoad.RunAsync(store, obligations, callers, options.Duration).ConfigureAwait(false);
                phases.Add(phase);
                await output.WriteLineAsync(Line(name, phase)).ConfigureAwait(false);
            }

            var heapAfter = ManagedHeap();
            var outside = name switch
            {
                "sqlite" => "file " + Mib(Directory.GetFiles(directory).Sum(f => new FileInfo(f).Length)),
                "redis" => "redis-server RSS " + Mib(RssBytes(redis!.Id)),
                _ => "-",
            };
            GC.KeepAlive(store);
            return new CountersStoreResult(name, phases, heapAfter - baseline, RssBytes(Environment.ProcessId), outside);
        }
        finally
        {
            shared?.Dispose();
            sqlite?.Dispose();
            if (redis is not null)
            {
                await redis.DisposeAsync().ConfigureAwait(false);
            }

            Directory.Delete(directory, recursive: true);
        }
    }

    private static string Line(string store, CountersPhase phase) => FormattableString.Invariant(
        $"counters: {store} {phase.Name} x{phase.Callers}: {phase.Consumes:N0} consumes in {phase.Elapsed.TotalSeconds:F1} s, {phase.PerSecond:N0}/s");

    private static string Table(List<CountersStoreResult> results)
    {
        var lines = new List<string>
        {
            "store   phase    callers  consumes/s |   p50 µs    p99 µs  p99.9 µs     max µs | heap growth  B/key | RSS after | outside",
        };
        foreach (var result in results)
        {
            var keys = result.Phases[0].Consumes;
            foreach (var phase in result.Phases)
            {
                var latency = phase.Latency;
                lines.Add(FormattableString.Invariant(
                    $"{result.Store,-7} {phase.Name,-8} {phase.Callers,7} {phase.PerSecond,11:N0} | {latency.PercentileMicroseconds(50),8:N0} {latency.PercentileMicroseconds(99),9:N0} {latency.PercentileMicroseconds(99.9),9:N0} {latency.Max.TotalMicroseconds,10:N0} | {Mib(result.ManagedGrowth),11} {result.ManagedGrowth / Math.Max(1, keys),6:N0} | {Mib(result.Rss),9} | {result.Outside}"));
            }
        }

        return string.Join('\n', lines);
    }

    /// <summary>The managed heap after full, compacting collections (finalizers run between them), so that what the previous store left is gone.</summary>
    private static long ManagedHeap()
    {
        System.Runtime.GCSettings.LargeObjectHeapCompactionMode = System.Runtime.GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        return GC.GetTotalMemory(forceFullCollection: false);
    }

    private static string Mib(long bytes) => FormattableString.Invariant($"{bytes / (1024.0 * 1024):F1} MiB");

    /// <summary>VmRSS of a process in bytes (0 where /proc cannot tell).</summary>
    private static long RssBytes(int processId) => (ProcFs.StatusKiB(processId, "VmRSS:") ?? 0) * 1024;
}
