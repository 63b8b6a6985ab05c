using System.Collections.Concurrent;
using System.Globalization;

namespace McpWarden.Soak;

/// <summary>What every client saw, counted as it happens; read once the run is over.</summary>
internal sealed class Tally(TimeSpan duration)
{
    private const int MaxExamples = 25;

    private readonly ConcurrentDictionary<string, long> _kinds = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _details = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, long>> _byCall = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<AdmittedCall> _admitted = new();
    private readonly ConcurrentDictionary<string, (long Count, double First)> _examples = new(StringComparer.Ordinal);

    // Calls answered in each second of the run (a few seconds past the end for the calls in flight at the stop).
    private readonly long[] _perSecond = new long[(int)Math.Ceiling(duration.TotalSeconds) + 120];

    // Latency in whole milliseconds, the last bucket holding everything from a minute up.
    private readonly long[] _latencyMs = new long[60_001];

    private long _sessionsOpened;
    private long _sessionOpenFailures;

    public long SessionsOpened => Interlocked.Read(ref _sessionsOpened);

    public long SessionOpenFailures => Interlocked.Read(ref _sessionOpenFailures);

    public IReadOnlyDictionary<string, long> Kinds => Sorted(_kinds);

    /// <summary>Kind and detail together: <c>rate_limited/spend</c>, <c>upstream_unavailable/restarting</c>, <c>unexpected</c>.</summary>
    public IReadOnlyDictionary<string, long> Details => Sorted(_details);

    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, long>> ByCall =>
        _byCall.OrderBy(p => p.Key, StringComparer.Ordinal).ToDictionary(p => p.Key, p => (IReadOnlyDictionary<string, long>)Sorted(p.Value), StringComparer.Ordinal);

    public IReadOnlyCollection<AdmittedCall> Admitted => _admitted;

    /// <summary>Each distinct thing that went wrong (up to 25), how often, and when first.</summary>
    public IReadOnlyList<string> UnexpectedExamples =>
        _examples.OrderBy(p => p.Value.First).Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Value.Count}× (first at {p.Value.First:F1} s) {p.Key}")).ToList();

    public long Count(string kind) => _kinds.GetValueOrDefault(kind);

    public long CountStartingWith(string prefix) => _kinds.Where(p => p.Key.StartsWith(prefix, StringComparison.Ordinal)).Sum(p => p.Value);

    public long Total => _kinds.Values.Sum();

    public void Record(CallPlan plan, Outcome outcome, double sent, double answered)
    {
        _kinds.AddOrUpdate(outcome.Kind, 1, (_, n) => n + 1);
        var detailed = outcome.Kind == Outcome.Unexpected || outcome.Detail is null ? outcome.Kind : outcome.Kind + "/" + outcome.Detail;
        _details.AddOrUpdate(detailed, 1, (_, n) => n + 1);
        _byCall.GetOrAdd(plan.Label, _ => new(StringComparer.Ordinal)).AddOrUpdate(outcome.Kind, 1, (_, n) => n + 1);
        Interlocked.Increment(ref _perSecond[Math.Clamp((int)answered, 0, _perSecond.Length - 1)]);
        Interlocked.Increment(ref _latencyMs[Math.Clamp((int)((answered - sent) * 1000), 0, _latencyMs.Length - 1)]);
        if (outcome.Kind == Outcome.Unexpected || outcome.Kind == Outcome.TransportError)
        {
            Example($"{outcome.Kind}: {outcome.Detail}", sent);
        }
    }

    public void Admit(AdmittedCall call) => _admitted.Enqueue(call);

    public void SessionOpened() => Interlocked.Increment(ref _sessionsOpened);

    public void SessionOpenFailed() => Interlocked.Increment(ref _sessionOpenFailures);

    /// <summary>Counts a description of what went wrong; only the first few distinct ones are kept, for the report.</summary>
    public void Example(string text, double at)
    {
        if (_examples.Count < MaxExamples || _examples.ContainsKey(text))
        {
            _examples.AddOrUpdate(text, (1, at), (_, seen) => (seen.Count + 1, Math.Min(seen.First, at)));
        }
    }

    /// <summary>Calls answered per second over consecutive intervals of <paramref name="every"/> seconds, up to <paramref name="until"/>.</summary>
    public IReadOnlyList<double> Throughput(int every, double until)
    {
        var rates = new List<double>();
        for (var start = 0; start + every <= until + 0.001; start += every)
        {
            long sum = 0;
            for (var s = start; s < start + every && s < _perSecond.Length; s++)
            {
                sum += Interlocked.Read(ref _perSecond[s]);
            }

            rates.Add(Math.Round(sum / (double)every, 1));
        }

        return rates;
    }

    /// <summary>The latency under which a fraction <paramref name="quantile"/> of calls were answered, in ms.</summary>
    public int LatencyMs(double quantile)
    {
        var total = _latencyMs.Sum();
        var wanted = (long)Math.Ceiling(total * quantile);
        long seen = 0;
        for (var ms = 0; ms < _latencyMs.Length; ms++)
        {
            seen += _latencyMs[ms];
            if (seen >= wanted && seen > 0)
            {
                return ms;
            }
        }

        return 0;
    }

    private static Dictionary<string, long> Sorted(ConcurrentDictionary<string, long> counts) =>
        counts.OrderBy(p => p.Key, StringComparer.Ordinal).ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
}
