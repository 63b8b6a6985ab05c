using System.Globalization;
using McpWarden.BenchKit;

namespace McpWarden.Load.HotPath;

/// <summary>
/// What the gateway adds to one call at concurrency 1: the fixture's <c>run_workflow</c> called directly over
/// HTTP, and through <c>mcpwarden serve</c> with its SQLite store and (unless <c>--no-ephemeral</c>) through a
/// second gateway with the in-memory store, one client each, in alternating blocks so that a busy machine's
/// slow moments fall on every target alike. Reports p50/p90/p99 and each process's CPU time per call.
/// </summary>
internal static class HotPathCommand
{
    public static LoadCommand Command { get; } = new("hotpath", "one client: the fixture directly vs through the gateway (SQLite, in memory); latency added and CPU per call", RunAsync);

    private const string Usage = """
        usage: load.sh hotpath [--calls N] [--block N] [--warmup N] [--no-ephemeral] [--baseline DLL] [--keep]
          --calls N       measured calls per target (default 3000)
          --block N       calls per target before switching to the next (default 250)
          --warmup N      unmeasured calls per target first (default 300)
          --no-ephemeral  leave out the gateway with the in-memory store
          --baseline DLL  also through another build's mcpwarden.dll (SQLite, a file of its own), to compare two builds
          --keep          keep the run's directory (configuration, logs, the store)
        """;

    private static async Task<int> RunAsync(string[] args, TextWriter output)
    {
        int calls = 3000, block = 250, warmup = 300;
        bool ephemeral = true, keep = false;
        string? baseline = null;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--calls" when i + 1 < args.Length && int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out calls) && calls > 0:
                case "--block" when i + 1 < args.Length && int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out block) && block > 0:
                case "--warmup" when i + 1 < args.Length && int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out warmup) && warmup >= 0:
                    i++;
                    break;
                case "--baseline" when i + 1 < args.Length && File.Exists(args[i + 1]):
                    baseline = Path.GetFullPath(args[++i]);
                    break;
                case "--no-ephemeral":
                    ephemeral = false;
                    break;
                case "--keep":
                    keep = true;
                    break;
                case "--help" or "-h":
                    await output.WriteLineAsync(Usage).ConfigureAwait(false);
                    return 0;
                default:
                    await output.WriteLineAsync($"hotpath: bad option \"{args[i]}\"\n{Usage}").ConfigureAwait(false);
                    return 2;
            }
        }

        var here = AppContext.BaseDirectory;
        var directory = Directory.CreateTempSubdirectory("mcpwarden-hotpath-").FullName;
        var processes = new List<ListeningProcess>();
        try
        {
            var fixture = await ListeningProcess.StartAsync(Path.Combine(here, "mcpwarden-fixture.dll"), ["http", "--urls", "http://127.0.0.1:0"], Path.Combine(directory, "fixture.log")).ConfigureAwait(false);
            processes.Add(fixture);
            var configuration = HotPathPolicy.Write(directory, fixture.Url);
            var gateway = await ListeningProcess.StartAsync(Path.Combine(here, "mcpwarden.dll"), ["serve", "--config", configuration, "--urls", "http://127.0.0.1:0"], Path.Combine(directory, "gateway.log")).ConfigureAwait(false);
            processes.Add(gateway);
            ListeningProcess? memory = null;
            if (ephemeral)
            {
                memory = await ListeningProcess.StartAsync(Path.Combine(here, "mcpwarden.dll"), ["serve", "--config", configuration, "--urls", "http://127.0.0.1:0", "--ephemeral"], Path.Combine(directory, "gateway-memory.log")).ConfigureAwait(false);
                processes.Add(memory);
            }

            ListeningProcess? other = null;
            if (baseline is not null)
            {
                var otherDirectory = Directory.CreateDirectory(Path.Combine(directory, "baseline")).FullName;
                other = await ListeningProcess.StartAsync(baseline, ["serve", "--config", HotPathPolicy.Write(otherDirectory, fixture.Url), "--urls", "http://127.0.0.1:0"], Path.Combine(otherDirectory, "gateway.log")).ConfigureAwait(false);
                processes.Add(other);
            }

            // One connection per target, kept alive, as one client would.
            using var handler = new SocketsHttpHandler { PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5) };
            using var http = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(30) };
            var targets = new List<HotPathTarget>
            {
                new("direct", await McpHttpSession.OpenAsync(http, fixture.Url, null, CancellationToken.None).ConfigureAwait(false), [fixture.Id]),
                new("gateway, SQLite", await McpHttpSession.OpenAsync(http, GatewayEndpoint(gateway), HotPathPolicy.Key, CancellationToken.None).ConfigureAwait(false), [fixture.Id, gateway.Id]),
            };
            if (memory is not null)
            {
                targets.Add(new("gateway, in memory", await McpHttpSession.OpenAsync(http, GatewayEndpoint(memory), HotPathPolicy.Key, CancellationToken.None).ConfigureAwait(false), [fixture.Id, memory.Id]));
            }

            if (other is not null)
            {
                targets.Add(new("baseline, SQLite", await McpHttpSession.OpenAsync(http, GatewayEndpoint(other), HotPathPolicy.Key, CancellationToken.None).ConfigureAwait(false), [fixture.Id, other.Id]));
            }

            await output.WriteLineAsync($"hotpath: {calls} calls of {HotPathPolicy.Tool} per target, one client, blocks of {block}, after {warmup} to warm up; files in {directory}").ConfigureAwait(false);
            foreach (var target in targets)
            {
                for (var i = 0; i < warmup; i++)
                {
                    await CallAsync(target).ConfigureAwait(false);
                }
            }

            for (var done = 0; done < calls; done += block)
            {
                foreach (var target in targets)
                {
                    await MeasureBlockAsync(target, Math.Min(block, calls - done)).ConfigureAwait(false);
                }
            }

            foreach (var target in targets)
            {
                await target.Session.CloseAsync(CancellationToken.None).ConfigureAwait(false);
            }

            await Report(output, targets).ConfigureAwait(false);
            return 0;
        }
        finally
        {
            foreach (var process in processes)
            {
                await process.DisposeAsync().ConfigureAwait(false);
            }

            if (!keep)
            {
                Directory.Delete(directory, recursive: true);
            }
        }
    }

    private static Uri GatewayEndpoint(ListeningProcess gateway) => new(gateway.Url, "/mcp/" + HotPathPolicy.Server);

    private static async Task MeasureBlockAsync(HotPathTarget target, int count)
    {
        var cpu = target.Processes.Select(CpuSeconds).ToArray();
        for (var i = 0; i < count; i++)
        {
            var started = TimeProvider.System.GetTimestamp();
            await CallAsync(target).ConfigureAwait(false);
            target.Latencies.Add(TimeProvider.System.GetElapsedTime(started).TotalMilliseconds);
        }

        for (var p = 0; p < cpu.Length; p++)
        {
            target.CpuSeconds[p] += CpuSeconds(target.Processes[p]) - cpu[p];
        }
    }

    private static async Task CallAsync(HotPathTarget target)
    {
        var answer = await target.Session.CallToolAsync(HotPathPolicy.Tool, HotPathPolicy.Arguments, CancellationToken.None).ConfigureAwait(false);
        if (answer.Reply is not { } reply || !reply.TryGetProperty("result", out var result) || (result.TryGetProperty("isError", out var isError) && isError.GetBoolean()))
        {
            throw new InvalidOperationException($"{target.Name}: the call was not answered with a success: {answer.Reply?.GetRawText() ?? $"HTTP {(int)answer.Status}, no reply"}");
        }
    }

    private static async Task Report(TextWriter output, List<HotPathTarget> targets)
    {
        var direct = targets[0];
        await output.WriteLineAsync("target               |  calls |   mean |    p50 |    p90 |    p99 | p50 added | p99 added | CPU µs/call (fixture, gateway)").ConfigureAwait(false);
        foreach (var target in targets)
        {
            var sorted = target.Latencies.Order().ToArray();
            var cpu = string.Join(", ", target.CpuSeconds.Select(s => (s * 1e6 / sorted.Length).ToString("F0", CultureInfo.InvariantCulture)));
            var added = target == direct
                ? $"{"",9} | {"",9}"
                : $"{P(sorted, 0.50) - P(direct.Latencies.Order().ToArray(), 0.50),9:F3} | {P(sorted, 0.99) - P(direct.Latencies.Order().ToArray(), 0.99),9:F3}";
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"{target.Name,-20} | {sorted.Length,6} | {sorted.Average(),6:F3} | {P(sorted, 0.50),6:F3} | {P(sorted, 0.90),6:F3} | {P(sorted, 0.99),6:F3} | {added} | {cpu}")).ConfigureAwait(false);
        }

        await output.WriteLineAsync("(milliseconds; CPU from /proc/PID/stat over each target's blocks, 10 ms resolution)").ConfigureAwait(false);
    }

    /// <summary>The nearest-rank percentile of a sorted sample.</summary>
    private static double P(double[] sorted, double q) => sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Length) - 1, 0, sorted.Length - 1)];

    /// <summary>A measured process's CPU time so far; one that has gone away ends the run, as a lost figure would mislead.</summary>
    private static double CpuSeconds(int pid) =>
        Measuring.ProcFs.CpuSeconds(pid) ?? throw new InvalidOperationException($"process {pid} ended while it was measured");
}
