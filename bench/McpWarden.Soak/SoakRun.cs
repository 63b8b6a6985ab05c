using System.Globalization;
using System.Text.Json;

using McpWarden.BenchKit;

namespace McpWarden.Soak;

/// <summary>
/// One soak run: the fixture and the real <c>mcpwarden serve</c> (with its SQLite store) in a temporary
/// directory, the clients for the duration, the fixture restarted every so often, the gateway's RSS sampled; then
/// every check, and the report.
/// </summary>
internal static class SoakRun
{
    public static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true };

    public static async Task<SoakReport> RunAsync(SoakOptions options, TextWriter progress)
    {
        var gatewayDll = Beside("mcpwarden.dll");
        var fixtureDll = Beside("mcpwarden-fixture.dll");
        var directory = Directory.CreateTempSubdirectory("mcpwarden-soak-").FullName;
        var duration = options.Duration.TotalSeconds;
        await progress.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"soak: {options.Clients} clients for {duration:F0} s, the fixture restarted every {options.EffectiveRestartEvery.TotalSeconds:F0} s, RSS every {options.EffectiveSampleEvery.TotalSeconds:F0} s, seed {options.Seed}{(options.BrokenPolicy ? ", under the broken policy (this run must fail)" : "")}; files in {directory}")).ConfigureAwait(false);

        var failures = new List<string>();
        var fixture = await RestartableFixture.StartAsync(fixtureDll, directory).ConfigureAwait(false);
        ListeningProcess? gateway = null;
        try
        {
            var configuration = SoakPolicy.Write(directory, fixture.Url, options.BrokenPolicy);
            gateway = await ListeningProcess.StartAsync(gatewayDll, ["serve", "--config", configuration, "--urls", "http://127.0.0.1:0"], Path.Combine(directory, "gateway.log")).ConfigureAwait(false);
            var endpoint = new Uri(gateway.Url, "/mcp/" + SoakPolicy.Server);
            var tally = new Tally(options.Duration);

            // Time 0 of every figure in the report is when the clients start, with both processes up.
            var clock = new RunClock(TimeProvider.System);
            var sampler = new RssSampler(gateway.Id, clock);

            using var stop = new CancellationTokenSource(options.Duration);
            using var background = new CancellationTokenSource();
            using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = int.MaxValue, PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30) };
            using var http = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };

            var sampling = sampler.RunAsync(options.EffectiveSampleEvery, background.Token);
            var restarting = RestartLoopAsync(fixture, options, clock, failures, stop.Token);
            var crashed = WatchAsync(gateway, clock, stop, failures);
            var random = new Random(options.Seed);
            var clients = Enumerable.Range(0, options.Clients)
                .Select(i => new SoakClient(i, http, endpoint, new CallMix(new Random(random.Next())), new Random(random.Next()), tally, fixture, clock, options.CallTimeout))
                .Select(client => Task.Run(() => client.RunAsync(stop.Token)))
                .ToList();
            await Task.WhenAll(clients).ConfigureAwait(false);
            await restarting.ConfigureAwait(false);
            var ran = clock.Now;
            await background.CancelAsync().ConfigureAwait(false);
            await sampling.ConfigureAwait(false);

            var gatewayCrashed = await crashed.ConfigureAwait(false);
            int? exitCode = gateway.HasExited ? gateway.ExitCode : await gateway.StopAsync().ConfigureAwait(false);
            if (!gatewayCrashed && exitCode != 0)
            {
                failures.Add(exitCode is null ? "the gateway did not stop within 30 s of SIGTERM" : $"the gateway exited with {exitCode} when stopped (0 expected)");
            }

            var samples = sampler.Samples;
            var growth = GrowthRule.Judge(samples, duration);
            var limits = LimitCheck.Run(tally.Admitted);
            var server = ServerSideCheck.Run(fixture.CallLog, tally);
            var restarts = fixture.Restarts;
            Judge(tally, growth, limits, server, restarts, failures);

            var every = Math.Max(1, (int)options.EffectiveSampleEvery.TotalSeconds);
            var report = new SoakReport
            {
                Passed = failures.Count == 0,
                Failures = failures,
                DurationSeconds = Math.Round(ran, 1),
                Clients = options.Clients,
                Seed = options.Seed,
                RestartEverySeconds = options.EffectiveRestartEvery.TotalSeconds,
                Calls = tally.Total,
                CallsPerSecond = Math.Round(tally.Total / ran, 1),
                LatencyMs = new Dictionary<string, int> { ["p50"] = tally.LatencyMs(0.5), ["p95"] = tally.LatencyMs(0.95), ["p99"] = tally.LatencyMs(0.99), ["max"] = tally.LatencyMs(1) },
                Kinds = tally.Kinds,
                Details = tally.Details,
                ByCall = tally.ByCall,
                SessionsOpened = tally.SessionsOpened,
                SessionOpenFailures = tally.SessionOpenFailures,
                UpstreamRestarts = restarts,
                ThroughputEverySeconds = every,
                Throughput = tally.Throughput(every, duration),
                Rss = samples,
                Growth = growth,
                Limits = limits,
                Server = server,
                GatewayExitCode = exitCode,
                Examples = tally.UnexpectedExamples,
            };

            if (!report.Passed && !options.BrokenPolicy)
            {
                await progress.WriteLineAsync($"soak: FAILED; the files stay in {directory} (gateway.log, fixture.log, fixture-calls.jsonl, mcpwarden.db)\n--- gateway.log (last lines) ---\n{ListeningProcess.Tail(Path.Combine(directory, "gateway.log"), 20)}\n---").ConfigureAwait(false);
            }

            return report;
        }
        finally
        {
            if (gateway is not null)
            {
                await gateway.DisposeAsync().ConfigureAwait(false);
            }

            await fixture.DisposeAsync().ConfigureAwait(false);
            // A failed run keeps its files to be looked into; the broken-policy self-check fails on purpose.
            if (failures.Count == 0 || options.BrokenPolicy)
            {
                Directory.Delete(directory, recursive: true);
            }
        }
    }

    /// <summary>Every reason the run fails, added to <paramref name="failures"/>.</summary>
    private static void Judge(Tally tally, GrowthVerdict growth, IReadOnlyList<LimitFinding> limits, ServerSideFinding server, IReadOnlyList<UpstreamRestart> restarts, List<string> failures)
    {
        if (tally.Count(Outcome.Unexpected) is > 0 and var unexpected)
        {
            failures.Add($"{unexpected} unexpected answers (see examples)");
        }

        if (tally.Count(Outcome.TransportError) is > 0 and var transport)
        {
            failures.Add($"{transport} calls failed to reach the gateway (transport errors)");
        }

        if (tally.Count(Outcome.Ok) == 0)
        {
            failures.Add("no call succeeded: the run proves nothing");
        }

        if (!growth.Judged || growth.Grew)
        {
            failures.Add("memory: " + growth.Explanation);
        }

        failures.AddRange(limits.SelectMany(l => l.Violations));
        failures.AddRange(server.Violations);
        failures.AddRange(restarts.Where(r => r.Error is not null).Select(r => $"the fixture did not come back after the restart at {r.KilledAt:F1} s: {r.Error}"));
    }

    /// <summary>Kills and restarts the fixture every so often until the run ends.</summary>
    private static async Task RestartLoopAsync(RestartableFixture fixture, SoakOptions options, RunClock clock, List<string> failures, CancellationToken stop)
    {
        try
        {
            while (true)
            {
                await Task.Delay(options.EffectiveRestartEvery, stop).ConfigureAwait(false);
                await fixture.RestartAsync(options.Downtime, clock, stop).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            // The run is over; a restart cut short by the end leaves the fixture down, which no call sees any more.
        }
        catch (InvalidOperationException e)
        {
            lock (failures)
            {
                failures.Add("restarting the fixture: " + e.Message);
            }
        }
    }

    /// <summary>Ends the run early when the gateway dies under it: a crash is the one failure that needs no checking.</summary>
    private static async Task<bool> WatchAsync(ListeningProcess gateway, RunClock clock, CancellationTokenSource stop, List<string> failures)
    {
        await Task.WhenAny(gateway.Exited, Task.Delay(Timeout.Infinite, stop.Token)).ConfigureAwait(false);
        if (!gateway.HasExited || stop.IsCancellationRequested)
        {
            return false;
        }

        {
            lock (failures)
            {
                failures.Add(string.Create(CultureInfo.InvariantCulture, $"the gateway exited with {gateway.ExitCode} at {clock.Now:F1} s, during the run"));
            }

            await stop.CancelAsync().ConfigureAwait(false);
        }

        return true;
    }

    private static string Beside(string file)
    {
        var path = Path.Combine(AppContext.BaseDirectory, file);
        return File.Exists(path) ? path : throw new FileNotFoundException($"{file} is not beside the soak harness (build it: dotnet build bench/McpWarden.Soak -c Release)", path);
    }
}
