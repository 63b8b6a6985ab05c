using System.Globalization;

using McpWarden.BenchKit;

namespace McpWarden.Soak;

/// <summary>
/// The fixture server over Streamable HTTP on one fixed loopback port, killed (SIGKILL, as a crash) and started
/// again on the same port every so often. Its call log (<c>FIXTURE_CALL_LOG</c>) outlives every restart and
/// proves from the server's side which calls ran.
/// </summary>
internal sealed class RestartableFixture : IAsyncDisposable
{
    /// <summary>
    /// How long after the fixture listens again a session may still be waiting out its backoff (up to 16 s, and
    /// a count carried over from the previous restart) or be reconnecting; upstream failures are expected only
    /// between a kill and this long after the fixture is back.
    /// </summary>
    public static readonly TimeSpan RecoverySlack = TimeSpan.FromSeconds(40);

    private readonly string _dll;
    private readonly string _logPath;
    private readonly Dictionary<string, string> _environment;
    private readonly List<UpstreamRestart> _restarts = [];
    private ListeningProcess _process;

    private RestartableFixture(string dll, string logPath, Dictionary<string, string> environment, ListeningProcess process)
    {
        _dll = dll;
        _logPath = logPath;
        _environment = environment;
        _process = process;
        Url = process.Url;
    }

    /// <summary>The MCP endpoint; the same after every restart.</summary>
    public Uri Url { get; }

    public string CallLog => _environment["FIXTURE_CALL_LOG"];

    public IReadOnlyList<UpstreamRestart> Restarts
    {
        get
        {
            lock (_restarts)
            {
                return [.. _restarts];
            }
        }
    }

    public static async Task<RestartableFixture> StartAsync(string dll, string directory)
    {
        var environment = new Dictionary<string, string> { ["FIXTURE_CALL_LOG"] = Path.Combine(directory, "fixture-calls.jsonl") };
        var logPath = Path.Combine(directory, "fixture.log");
        var process = await ListeningProcess.StartAsync(dll, ["http", "--urls", "http://127.0.0.1:0"], logPath, environment).ConfigureAwait(false);
        return new RestartableFixture(dll, logPath, environment, process);
    }

    /// <summary>Kills the fixture, waits <paramref name="downtime"/>, and starts it again on the same port; the times are recorded on <paramref name="clock"/>.</summary>
    public async Task RestartAsync(TimeSpan downtime, RunClock clock, CancellationToken cancellationToken)
    {
        // Recorded before the kill: a client that sees the server gone must find the restart already on record.
        var killedAt = clock.Now;
        var index = Record(new UpstreamRestart(killedAt, null));
        await _process.DisposeAsync().ConfigureAwait(false);
        await Task.Delay(downtime, cancellationToken).ConfigureAwait(false);
        var urls = $"http://127.0.0.1:{Url.Port.ToString(CultureInfo.InvariantCulture)}";
        try
        {
            _process = await ListeningProcess.StartAsync(_dll, ["http", "--urls", urls], _logPath, _environment).ConfigureAwait(false);
            Replace(index, new UpstreamRestart(killedAt, clock.Now));
        }
        catch (InvalidOperationException e)
        {
            Replace(index, new UpstreamRestart(killedAt, null, e.Message));
            throw;
        }
    }

    /// <summary>Whether a call between <paramref name="sent"/> and <paramref name="answered"/> overlaps a restart and its recovery.</summary>
    public bool NearRestart(double sent, double answered)
    {
        lock (_restarts)
        {
            return _restarts.Any(r => answered >= r.KilledAt - 0.5 && sent <= (r.UpAt ?? double.PositiveInfinity) + RecoverySlack.TotalSeconds);
        }
    }

    private int Record(UpstreamRestart restart)
    {
        lock (_restarts)
        {
            _restarts.Add(restart);
            return _restarts.Count - 1;
        }
    }

    private void Replace(int index, UpstreamRestart restart)
    {
        lock (_restarts)
        {
            _restarts[index] = restart;
        }
    }

    public ValueTask DisposeAsync() => _process.DisposeAsync();
}
