using McpWarden.BenchKit;

namespace McpWarden.Soak;

/// <summary>
/// One agent: a session on the gateway under one grant, making calls from the mix one after another until the
/// run ends, checking every answer. It opens a new session now and then (as agents restart), and when the
/// gateway has given up on the session's server; a failure to reach the server slows it down briefly, as a
/// client honouring "retry in N s" would.
/// </summary>
internal sealed class SoakClient(int index, HttpClient http, Uri endpoint, CallMix mix, Random random, Tally tally, RestartableFixture fixture, RunClock clock, TimeSpan callTimeout)
{
    /// <summary>On average one call in this many is followed by a new session.</summary>
    private const int CallsPerSession = 150;

    private static readonly TimeSpan PauseAfterUpstreamFailure = TimeSpan.FromMilliseconds(200);

    private readonly int _grant = index % SoakPolicy.Grants;

    public async Task RunAsync(CancellationToken stop)
    {
        McpHttpSession? session = null;
        while (!stop.IsCancellationRequested)
        {
            session ??= await OpenAsync(stop).ConfigureAwait(false);
            if (session is null)
            {
                continue;
            }

            var plan = mix.Next();
            var outcome = await CallAsync(session, plan).ConfigureAwait(false);
            if (outcome.NeedsNewSession || random.Next(CallsPerSession) == 0)
            {
                await CloseQuietlyAsync(session).ConfigureAwait(false);
                session = null;
            }

            if (outcome.IsUpstreamFailure)
            {
                await Pause(PauseAfterUpstreamFailure, stop).ConfigureAwait(false);
            }
        }

        if (session is not null)
        {
            await CloseQuietlyAsync(session).ConfigureAwait(false);
        }
    }

    private async Task<Outcome> CallAsync(McpHttpSession session, CallPlan plan)
    {
        // The call's own deadline, not the run's: a call in flight when the run ends is still answered and checked.
        using var deadline = new CancellationTokenSource(callTimeout);
        var sent = clock.Now;
        Outcome outcome;
        try
        {
            var answer = await session.CallToolAsync(plan.Tool, plan.Arguments, deadline.Token).ConfigureAwait(false);
            outcome = OutcomeClassifier.Classify(plan, answer, fixture.NearRestart(sent, clock.Now));
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            outcome = Outcome.Wrong($"{plan.Label}: no answer within {callTimeout.TotalSeconds} s (a hang)");
        }
        catch (HttpRequestException e)
        {
            outcome = new Outcome(Outcome.TransportError, $"{plan.Label}: {e.Message}");
        }

        var answered = clock.Now;
        if (outcome.Kind == Outcome.Ok && plan.Limits.Count > 0)
        {
            tally.Admit(new AdmittedCall(plan, _grant, session.Id, sent, answered));
        }

        tally.Record(plan, outcome, sent, answered);
        return outcome;
    }

    private async Task<McpHttpSession?> OpenAsync(CancellationToken stop)
    {
        var started = clock.Now;
        using var deadline = new CancellationTokenSource(callTimeout);
        string problem;
        try
        {
            var session = await McpHttpSession.OpenAsync(http, endpoint, SoakPolicy.KeyOf(_grant), deadline.Token).ConfigureAwait(false);
            tally.SessionOpened();
            return session;
        }
        catch (SessionOpenException e) when (e.GatewayMessage is { } said && OutcomeClassifier.UpstreamFailure(said) is not null && fixture.NearRestart(started, clock.Now))
        {
            // The gateway connects a new session to its server at initialize: during a restart that can fail.
            tally.SessionOpenFailed();
            await Pause(PauseAfterUpstreamFailure, stop).ConfigureAwait(false);
            return null;
        }
        catch (SessionOpenException e)
        {
            problem = e.Message;
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            problem = $"no answer to initialize within {callTimeout.TotalSeconds} s";
        }
        catch (HttpRequestException e)
        {
            problem = e.Message;
        }

        tally.SessionOpenFailed();
        tally.Record(SessionPlan, Outcome.Wrong($"opening a session: {problem}"), started, clock.Now);
        await Pause(PauseAfterUpstreamFailure, stop).ConfigureAwait(false);
        return null;
    }

    /// <summary>What a failure to open a session is counted under, in the report's calls.</summary>
    private static readonly CallPlan SessionPlan = new("initialize", "initialize", "{}", null, [], 0);

    private static async Task CloseQuietlyAsync(McpHttpSession session)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await session.CloseAsync(deadline.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException)
        {
            // The session ends with the run anyway; a DELETE that fails changes nothing the soak measures.
        }
    }

    private static async Task Pause(TimeSpan delay, CancellationToken stop)
    {
        try
        {
            await Task.Delay(delay, stop).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The run is over.
        }
    }
}
