using McpWarden.BenchKit;
using McpWarden.Load.Measuring;

namespace McpWarden.Load.Sessions;

/// <summary>
/// <c>load.sh sessions</c>: the real <c>mcpwarden serve</c> (its SQLite store, a 50-rule policy) in front of the
/// fixture, holding more and more idle sessions; at each count the gateway's own process is measured (VmRSS and
/// RssAnon, medians; the live managed objects by type). The figure that matters is the slope: what one more idle
/// session costs.
/// </summary>
internal static class SessionsRun
{
    /// <summary>How many sessions are opened at once while the count is raised (over stdio, each starts a process: two).</summary>
    private const int OpenInParallel = 8;

    private const int StartInParallel = 2;

    public static LoadCommand Command { get; } = new("sessions", "memory of the gateway per idle session (1, 100, 1,000 sessions)", RunAsync);

    private static async Task<int> RunAsync(string[] args, TextWriter output)
    {
        if (SessionsOptions.Parse(args, out var error) is not { } options)
        {
            await output.WriteLineAsync(error is "" ? SessionsOptions.Usage : $"sessions: {error}\n{SessionsOptions.Usage}").ConfigureAwait(false);
            return error is "" ? 0 : 2;
        }

        var time = TimeProvider.System;
        var directory = Directory.CreateTempSubdirectory("mcpwarden-sessions-").FullName;
        var fixtureDll = Path.Combine(AppContext.BaseDirectory, "mcpwarden-fixture.dll");
        var gatewayDll = Path.Combine(AppContext.BaseDirectory, "mcpwarden.dll");
        await output.WriteLineAsync($"sessions: counts {string.Join(", ", options.Counts)}, upstream {(options.StdioUpstream ? "stdio (a child per session, not counted)" : "http (one fixture process)")}, " +
            $"{(options.ListTools ? "initialize + initialized + one tools/list" : "initialize + initialized")}{(options.GetStream ? " + a GET stream held open" : "")} per session, {options.Warmup} opened and closed first, {options.Settle.TotalSeconds:F0} s idle before measuring; files in {directory}").ConfigureAwait(false);

        ListeningProcess? fixture = null;
        ListeningProcess? gateway = null;
        List<HttpResponseMessage>? streams = null;
        var failed = true;
        try
        {
            if (!options.StdioUpstream)
            {
                fixture = await ListeningProcess.StartAsync(fixtureDll, ["http", "--urls", "http://127.0.0.1:0"], Path.Combine(directory, "fixture.log")).ConfigureAwait(false);
            }

            var configuration = SessionsConfiguration.Write(directory, fixture?.Url, fixtureDll);
            gateway = await ListeningProcess.StartAsync(gatewayDll, ["serve", "--config", configuration, "--urls", "http://127.0.0.1:0"], Path.Combine(directory, "gateway.log")).ConfigureAwait(false);
            var endpoint = new Uri($"{gateway.Url.ToString().TrimEnd('/')}/mcp/{SessionsConfiguration.Server}");

            // A few connections carry every session's requests: the client side holds no connection per session.
            using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = OpenInParallel }) { Timeout = TimeSpan.FromSeconds(60) };
            // Each GET stream holds a connection of its own for as long as it is open.
            using var streamsHttp = new HttpClient(new SocketsHttpHandler()) { Timeout = Timeout.InfiniteTimeSpan };
            streams = options.GetStream ? [] : null;
            var open = new List<McpHttpSession>();
            var parallel = options.StdioUpstream ? StartInParallel : OpenInParallel;
            if (options.Warmup > 0)
            {
                await OpenAsync(http, endpoint, options.ListTools, options.Warmup, open, null, streamsHttp, parallel).ConfigureAwait(false);
                foreach (var session in open)
                {
                    await session.CloseAsync(CancellationToken.None).ConfigureAwait(false);
                }

                open.Clear();
            }

            var points = new List<MemoryPoint>();
            foreach (var count in options.Counts)
            {
                var started = time.GetTimestamp();
                await OpenAsync(http, endpoint, options.ListTools, count - open.Count, open, streams, streamsHttp, parallel).ConfigureAwait(false);
                var opening = time.GetElapsedTime(started);
                await Task.Delay(options.Settle, time).ConfigureAwait(false);
                var memory = await ProcessMemory.MedianAsync(gateway.Id, options.Samples, time).ConfigureAwait(false);
                var census = options.Census ? await HeapCensus.TakeAsync(gateway.Id, time).ConfigureAwait(false) : null;
                var point = new MemoryPoint(count, memory, census);
                points.Add(point);
                await output.WriteLineAsync($"sessions: {count} open (the last {count - (points.Count > 1 ? points[^2].Sessions : 0)} in {opening.TotalSeconds:F1} s): {SessionsReport.Describe(point)}").ConfigureAwait(false);
                if (gateway.HasExited)
                {
                    throw new InvalidOperationException($"the gateway exited (code {gateway.ExitCode})");
                }
            }

            await output.WriteLineAsync(SessionsReport.Table(points, options)).ConfigureAwait(false);
            if (options.Hold > TimeSpan.Zero)
            {
                await output.WriteLineAsync($"sessions: holding the gateway (process {gateway.Id}) and its {open.Count} sessions for {options.Hold.TotalSeconds:F0} s").ConfigureAwait(false);
                await Task.Delay(options.Hold, time).ConfigureAwait(false);
            }

            failed = false;
            return 0;
        }
        catch (Exception e) when (e is InvalidOperationException or SessionOpenException or HttpRequestException or IOException)
        {
            await output.WriteLineAsync($"sessions: FAILED: {e.Message}\n--- gateway.log (last lines) ---\n{ListeningProcess.Tail(Path.Combine(directory, "gateway.log"), 20)}").ConfigureAwait(false);
            return 1;
        }
        finally
        {
            foreach (var stream in streams ?? [])
            {
                stream.Dispose();
            }

            if (gateway is not null)
            {
                // SIGTERM closes every session (and, over stdio, stops every child) on the gateway's way out.
                await gateway.StopAsync().ConfigureAwait(false);
                await gateway.DisposeAsync().ConfigureAwait(false);
            }

            if (fixture is not null)
            {
                await fixture.DisposeAsync().ConfigureAwait(false);
            }

            if (!failed)
            {
                Directory.Delete(directory, recursive: true);
            }
        }
    }

    /// <summary>Opens <paramref name="more"/> sessions, <paramref name="parallel"/> at a time, and leaves them open.</summary>
    /// <param name="streams">Where to keep each session's open GET stream; null opens none.</param>
    private static async Task OpenAsync(HttpClient http, Uri endpoint, bool listTools, int more, List<McpHttpSession> open, List<HttpResponseMessage>? streams, HttpClient streamsHttp, int parallel)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await Parallel.ForAsync(0, more, new ParallelOptions { MaxDegreeOfParallelism = parallel, CancellationToken = timeout.Token }, async (_, cancellationToken) =>
        {
            var session = await McpHttpSession.OpenAsync(http, endpoint, SessionsConfiguration.Key, cancellationToken).ConfigureAwait(false);
            if (listTools)
            {
                await ToolsList.AskAsync(http, endpoint, SessionsConfiguration.Key, session.Id, cancellationToken).ConfigureAwait(false);
            }

            var stream = streams is null ? null : await StandaloneStream.OpenAsync(streamsHttp, endpoint, SessionsConfiguration.Key, session.Id, cancellationToken).ConfigureAwait(false);
            lock (open)
            {
                open.Add(session);
                if (stream is not null)
                {
                    streams!.Add(stream);
                }
            }
        }).ConfigureAwait(false);
    }
}
