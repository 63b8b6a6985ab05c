using System.Globalization;
using McpWarden.Load.Measuring;

namespace McpWarden.Load.Counters;

/// <summary>What one <c>load.sh counters</c> run does; every field has an option (see <see cref="Usage"/>).</summary>
internal sealed record CountersOptions
{
    public const string Usage = """
        usage: bench/load.sh counters [--keys 100000] [--duration 10s] [--concurrency 1,16] [--stores memory,sqlite,redis]
          ICounterStore.TryConsumeAsync in-process over --keys distinct budgets (one per session, one limit each:
          a minute's window, a max never reached, so every consume is admitted), spread evenly: each consume takes
          the next key in turn. Per store: a fill (every key consumed once, creating it), then, for each
          concurrency, --duration of consumes by that many callers at once. Reports consumes per second, latency
          percentiles, the managed heap and RSS after, and for SQLite the file's size, for Redis its server's RSS.
          sqlite: a temporary file, synchronous=NORMAL (the default). redis: a real redis-server on a free port
          (/usr/bin/redis-server, or $MCPWARDEN_REDIS_SERVER), without persistence.
          durations: 500ms, 10s, 2m (a bare number is seconds)
        """;

    public int Keys { get; init; } = 100_000;

    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(10);

    public IReadOnlyList<int> Concurrency { get; init; } = [1, 16];

    public IReadOnlyList<string> Stores { get; init; } = ["memory", "sqlite", "redis"];

    public static CountersOptions? Parse(IReadOnlyList<string> args, out string? error)
    {
        var options = new CountersOptions();
        error = null;
        for (var i = 0; i < args.Count; i++)
        {
            var value = i + 1 < args.Count ? args[i + 1] : null;
            switch (args[i])
            {
                case "--keys" when int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var keys) && keys > 0:
                    options = options with { Keys = keys };
                    break;
                case "--duration" when CommandLine.TryDuration(value) is { } duration && duration > TimeSpan.Zero:
                    options = options with { Duration = duration };
                    break;
                case "--concurrency" when ParseList(value) is { } levels:
                    options = options with { Concurrency = levels };
                    break;
                case "--stores" when value?.Split(',') is { } stores && stores.All(s => s is "memory" or "sqlite" or "redis"):
                    options = options with { Stores = stores };
                    break;
                default:
                    error = $"counters: unknown or incomplete option \"{args[i]}\"";
                    return null;
            }

            i++;
        }

        return options;
    }

    private static int[]? ParseList(string? value)
    {
        var parts = value?.Split(',') ?? [];
        var levels = parts.Select(p => int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : 0).ToArray();
        return levels.Length > 0 && levels.All(n => n > 0) ? levels : null;
    }
}
