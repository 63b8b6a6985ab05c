using System.Globalization;
using System.Text.Json;
using McpWarden.BenchKit;

namespace McpWarden.Load.Compare;

/// <summary>
/// N MCP sessions over Streamable HTTP, each its own <see cref="McpHttpSession"/>, each calling <c>echo</c> in a
/// closed loop (send, await the answer, check it, send the next). Every answer is checked; the first that is not the
/// text sent back (a refusal, an error, a transport failure) ends the load as a failure: a run that measured refusals
/// measured nothing.
/// </summary>
internal static class ClosedLoop
{
    public const string Tool = "echo";

    /// <summary>
    /// How long one request may take before it is a failure: long, because opening a session may include starting a
    /// server process on a busy machine; a call that hangs still fails the run.
    /// </summary>
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(120);

    /// <summary>Sessions opened at once: for (c) each opening starts a .NET process, and 32 at once on two cores take longer than a client waits.</summary>
    private const int OpeningAtOnce = 4;

    public static async Task<LoadOutcome> RunAsync(HttpClient http, Uri endpoint, string? key, LoadPlan plan, IReadOnlyList<MeasuredRole> roles, CancellationToken cancellationToken)
    {
        var time = TimeProvider.System;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        string? failure = null;
        void Fail(string problem)
        {
            if (Interlocked.CompareExchange(ref failure, problem, null) is null)
            {
                stop.Cancel();
            }
        }

        // A few at a time: for (c) each opening starts its own stdio server.
        McpHttpSession[] sessions;
        using var opening = new SemaphoreSlim(OpeningAtOnce);
        try
        {
            sessions = await Task.WhenAll(Enumerable.Range(0, plan.Clients).Select(async _ =>
            {
                await opening.WaitAsync(stop.Token).ConfigureAwait(false);
                try
                {
                    return await McpHttpSession.OpenAsync(http, endpoint, key, stop.Token).ConfigureAwait(false);
                }
                finally
                {
                    opening.Release();
                }
            })).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SessionOpenException or HttpRequestException or TaskCanceledException)
        {
            return new LoadOutcome([], 0, null, null, 0, $"a session did not open: {e.Message}");
        }

        // Every client's first call is answered before the clock starts: a front may start its server only then (a
        // stdio child per session), which is start-up, not load.
        var texts = Enumerable.Range(0, plan.Clients).Select(i => string.Create(CultureInfo.InvariantCulture, $"client {i}: the quick brown fox jumps over the lazy dog")).ToArray();
        var arguments = texts.Select(text => "{\"text\":" + JsonSerializer.Serialize(text) + "}").ToArray();
        try
        {
            var first = await Task.WhenAll(sessions.Select((session, i) => session.CallToolAsync(Tool, arguments[i], stop.Token))).ConfigureAwait(false);
            if (first.Select((answer, i) => EchoAnswer.Problem(answer, texts[i])).FirstOrDefault(p => p is not null) is { } problem)
            {
                return new LoadOutcome([], 0, null, null, 0, "the first call: " + problem);
            }
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException)
        {
            return new LoadOutcome([], 0, null, null, 0, $"the first call failed to reach the server: {e.GetType().Name}: {e.Message}");
        }

        var begun = time.GetTimestamp();
        var measureFrom = begun + Ticks(plan.Warmup, time);
        var measureUntil = plan.Duration is { } duration ? measureFrom + Ticks(duration, time) : long.MaxValue;
        long remaining = plan.Calls ?? long.MaxValue;
        long warmupCalls = 0;
        CpuSnapshot? start = null;
        var windowOpens = Task.Run(async () =>
        {
            await Task.Delay(plan.Warmup, time, stop.Token).ConfigureAwait(false);
            start = CpuSnapshot.Take(roles, time);
        }, CancellationToken.None);

        var latencies = new List<long>[plan.Clients];
        var clients = new Task[plan.Clients];
        for (var i = 0; i < plan.Clients; i++)
        {
            var samples = latencies[i] = new List<long>(capacity: 1 << 14);
            var session = sessions[i];
            var text = texts[i];
            var argument = arguments[i];
            clients[i] = Task.Run(async () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    var sent = time.GetTimestamp();
                    var measured = sent >= measureFrom;
                    if (sent >= measureUntil || (measured && Interlocked.Decrement(ref remaining) < 0))
                    {
                        return;
                    }

                    HttpAnswer answer;
                    try
                    {
                        answer = await session.CallToolAsync(Tool, argument, stop.Token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException) when (stop.IsCancellationRequested)
                    {
                        return;
                    }
                    catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException)
                    {
                        Fail($"a call failed to reach the server: {e.GetType().Name}: {e.Message}");
                        return;
                    }

                    var answered = time.GetTimestamp();
                    if (EchoAnswer.Problem(answer, text) is { } problem)
                    {
                        Fail(problem);
                        return;
                    }

                    if (measured)
                    {
                        samples.Add(answered - sent);
                    }
                    else
                    {
                        Interlocked.Increment(ref warmupCalls);
                    }
                }
            }, CancellationToken.None);
        }

        await Task.WhenAll(clients).ConfigureAwait(false);
        var end = CpuSnapshot.Take(roles, time);
        try
        {
            await windowOpens.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The load ended (failed) before the warm-up did: there is no measured window.
        }

        using (var closing = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
        {
            try
            {
                await Task.WhenAll(sessions.Select(s => s.CloseAsync(closing.Token))).ConfigureAwait(false);
            }
            catch (Exception e) when (e is HttpRequestException or OperationCanceledException)
            {
                // Closing is a courtesy: the processes are killed next anyway.
            }
        }

        var all = latencies.SelectMany(l => l).ToArray();
        Array.Sort(all);
        var seconds = start is null ? 0 : time.GetElapsedTime(start.Timestamp, end.Timestamp).TotalSeconds;
        return new LoadOutcome(all, seconds, start, end, warmupCalls, failure);
    }

    /// <summary>A sensible HttpClient for the harness: one connection pool for every session, no cookies, no proxy, no decompression, a timeout per call.</summary>
    public static HttpClient CreateHttpClient() =>
        new(new SocketsHttpHandler
        {
            MaxConnectionsPerServer = int.MaxValue,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(2),
            UseCookies = false,
            UseProxy = false,
            AutomaticDecompression = System.Net.DecompressionMethods.None,
        })
        { Timeout = RequestTimeout };

    private static long Ticks(TimeSpan span, TimeProvider time) => (long)(span.TotalSeconds * time.TimestampFrequency);
}
