using McpWarden.Gateway.Limits;
using McpWarden.Policy.Evaluation;

namespace McpWarden.Load.Counters;

/// <summary>Callers consuming from one store at once, each taking the next key in turn, so every key is used as often as any other.</summary>
internal static class CountersLoad
{
    /// <summary>Consumes every key once (with <paramref name="callers"/> at once), creating its budget.</summary>
    public static Task<CountersPhase> FillAsync(ICounterStore store, IReadOnlyList<LimitObligation>[] obligations, int callers) =>
        RunAsync(store, obligations, callers, "fill", until: null, total: obligations.Length);

    /// <summary>Consumes for <paramref name="duration"/> with <paramref name="callers"/> at once.</summary>
    public static Task<CountersPhase> RunAsync(ICounterStore store, IReadOnlyList<LimitObligation>[] obligations, int callers, TimeSpan duration) =>
        RunAsync(store, obligations, callers, "steady", duration, total: long.MaxValue);

    private static async Task<CountersPhase> RunAsync(ICounterStore store, IReadOnlyList<LimitObligation>[] obligations, int callers, string name, TimeSpan? until, long total)
    {
        var time = TimeProvider.System;
        long next = -1;
        long refused = 0;
        var began = time.GetTimestamp();
        var workers = Enumerable.Range(0, callers).Select(_ => Task.Run(async () =>
        {
            var latency = new LatencyHistogram();
            while (until is not { } limit || time.GetElapsedTime(began) < limit)
            {
                var turn = Interlocked.Increment(ref next);
                if (turn >= total)
                {
                    break;
                }

                var start = time.GetTimestamp();
                var outcome = await store.TryConsumeAsync(obligations[(int)(turn % obligations.Length)]).ConfigureAwait(false);
                latency.Record(time.GetElapsedTime(start));
                if (!outcome.Admitted)
                {
                    Interlocked.Increment(ref refused);
                }
            }

            return latency;
        })).ToArray();
        var histograms = await Task.WhenAll(workers).ConfigureAwait(false);
        var elapsed = time.GetElapsedTime(began);
        var merged = new LatencyHistogram();
        foreach (var histogram in histograms)
        {
            merged.Add(histogram);
        }

        return new CountersPhase(name, callers, merged.Count, refused, elapsed, merged);
    }
}
