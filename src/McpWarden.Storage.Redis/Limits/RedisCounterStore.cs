using System.Globalization;
using McpWarden.Gateway.Limits;
using McpWarden.Gateway.Storage;
using McpWarden.Policy.Evaluation;
using McpWarden.Policy.Limits;
using StackExchange.Redis;

namespace McpWarden.Storage.Redis.Limits;

/// <summary>
/// Sliding-window budgets in the Redis that replicas share, with the arithmetic of <see cref="SlidingWindowLog"/>.
/// Each call is one script (<c>consume.lua</c>) that checks every obligation and, only if all have room, takes
/// the call's units from all of them; Redis runs one script at a time, so replicas never admit more than the max
/// between them. Units are exact decimals (never doubles) and instants come from this store's clock, not Redis's.
/// A Redis that cannot be reached surfaces as <see cref="StoreUnavailableException"/>; an error inside a script
/// is a bug and surfaces as it is.
/// </summary>
/// <remarks>
/// A budget is two keys under the store's prefix: <c>budget:KEY</c>, a hash of its units in the window
/// (<c>used</c>) and the window of its latest consume (<c>window_us</c>), and <c>budget-log:KEY</c>, a list of
/// entries "STAMP OPENED UNITS", oldest first. Both expire a minute after the newest entry leaves the window.
/// </remarks>
public sealed class RedisCounterStore : ICounterStore
{
    /// <summary>How long a budget's keys outlive its newest entry: slack for replicas whose clocks differ a little.</summary>
    internal static readonly TimeSpan KeySlack = TimeSpan.FromMinutes(1);

    private const string SummaryPrefix = "budget:";
    private const string LogPrefix = "budget-log:";

    /// <summary>Budgets read per usage script (and asked of each SCAN): a busy Redis is never held long.</summary>
    private const int UsageBatch = 256;

    private readonly RedisConnection _connection;
    private readonly TimeProvider _time;

    internal RedisCounterStore(RedisConnection connection, TimeProvider time)
    {
        _connection = connection;
        _time = time;
    }

    public ValueTask<CounterOutcome> TryConsumeAsync(IReadOnlyList<LimitObligation> obligations, CancellationToken cancellationToken = default) =>
        RunAsync(obligations, consume: true, cancellationToken);

    public ValueTask<CounterOutcome> CheckAsync(IReadOnlyList<LimitObligation> obligations, CancellationToken cancellationToken = default) =>
        RunAsync(obligations, consume: false, cancellationToken);

    public async ValueTask<IReadOnlyList<CounterUsage>> UsageAsync(CancellationToken cancellationToken = default)
    {
        var pattern = GlobEscape(_connection.Options.KeyPrefix + SummaryPrefix) + "*";
        var summaries = new HashSet<string>(StringComparer.Ordinal);
        var cursor = "0";
        do
        {
            cancellationToken.ThrowIfCancellationRequested();
            var page = (RedisResult[])(await _connection.RunAsync(db => db.ExecuteAsync("SCAN", cursor, "MATCH", pattern, "COUNT", UsageBatch)).ConfigureAwait(false))!;
            cursor = (string)page[0]!;
            foreach (var key in (RedisResult[])page[1]!)
            {
                // SCAN may return a key twice.
                summaries.Add((string)key!);
            }
        }
        while (cursor != "0");

        var now = _time.GetUtcNow();
        var nowMicroseconds = ScriptTime.FloorMicroseconds(now);
        var usage = new List<CounterUsage>();
        foreach (var batch in summaries.Chunk(UsageBatch))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var budgetKeys = batch.Select(summary => summary[(_connection.Options.KeyPrefix.Length + SummaryPrefix.Length)..]).ToArray();
            var keys = budgetKeys.SelectMany(key => new[] { SummaryKey(key), LogKey(key) }).ToArray();
            var rows = (RedisResult[])(await _connection.RunAsync(db => CounterScripts.Usage.EvaluateAsync(db, keys, [nowMicroseconds])).ConfigureAwait(false))!;
            foreach (var row in rows.Select(r => (RedisResult[])r!))
            {
                var index = int.Parse((string)row[0]!, CultureInfo.InvariantCulture) - 1;
                var window = TimeSpan.FromTicks(checked(long.Parse((string)row[3]!, CultureInfo.InvariantCulture) * 10));
                var oldest = ScriptTime.Instant(long.Parse((string)row[2]!, CultureInfo.InvariantCulture));
                usage.Add(new CounterUsage(budgetKeys[index], SaturatingUnits((string)row[1]!), window, oldest + window));
            }
        }

        usage.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
        return usage;
    }

    private async ValueTask<CounterOutcome> RunAsync(IReadOnlyList<LimitObligation> obligations, bool consume, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(obligations);
        if (obligations.Count == 0)
        {
            return CounterOutcome.Admit;
        }

        cancellationToken.ThrowIfCancellationRequested();
        var now = _time.GetUtcNow();
        var keys = new RedisKey[obligations.Count * 2];
        var arguments = new RedisValue[4 + (obligations.Count * 4)];
        arguments[0] = consume ? "consume" : "check";
        arguments[1] = ScriptTime.FloorMicroseconds(now);
        arguments[2] = ScriptTime.CeilingMicroseconds(now);
        arguments[3] = (long)KeySlack.TotalMilliseconds;
        var windows = new long[obligations.Count];
        for (var i = 0; i < obligations.Count; i++)
        {
            var obligation = obligations[i];
            windows[i] = WindowMicroseconds(obligation);
            keys[2 * i] = SummaryKey(obligation.Key);
            keys[(2 * i) + 1] = LogKey(obligation.Key);
            arguments[4 + (4 * i)] = windows[i];
            arguments[5 + (4 * i)] = Math.Max(1, obligation.Window.Ticks / SlidingWindowLog.EntriesPerWindow / 10);
            arguments[6 + (4 * i)] = Exact(obligation, obligation.Units, "units");
            arguments[7 + (4 * i)] = Exact(obligation, obligation.Max, "max");
        }

        var result = (RedisResult[])(await _connection.RunAsync(db => CounterScripts.Consume.EvaluateAsync(db, keys, arguments)).ConfigureAwait(false))!;
        if ((string)result[0]! == "refused")
        {
            var index = int.Parse((string)result[1]!, CultureInfo.InvariantCulture) - 1;
            return CounterOutcome.Refuse(obligations[index], RetryAfter((string)result[2]!, windows[index], now));
        }

        LimitUsage? fullest = null;
        for (var i = 0; i < obligations.Count; i++)
        {
            fullest = LimitUsage.Fuller(fullest, new LimitUsage(obligations[i], SaturatingUnits((string)result[i + 1]!)));
        }

        return CounterOutcome.AdmitWith(fullest!.Value);
    }

    /// <summary>When the entry stamped <paramref name="stamp"/> leaves the window, from now; null when the call never fits.</summary>
    private static TimeSpan? RetryAfter(string stamp, long windowMicroseconds, DateTimeOffset now) => stamp switch
    {
        "never" => null,
        "now" => TimeSpan.Zero,
        _ => TimeSpan.FromTicks(Math.Max(0, (ScriptTime.Instant(long.Parse(stamp, CultureInfo.InvariantCulture) + windowMicroseconds) - now).Ticks)),
    };

    private static long WindowMicroseconds(LimitObligation obligation)
    {
        if (obligation.Window <= TimeSpan.Zero || obligation.Window > TimeSpan.FromDays(3660))
        {
            throw new ArgumentOutOfRangeException(nameof(obligation), $"budget \"{obligation.Key}\" has a window of {obligation.Window}; the Redis counter store takes windows from one tick to ten years");
        }

        return ScriptTime.CeilingMicroseconds(obligation.Window);
    }

    /// <summary>
    /// A non-negative decimal as the scripts read it. Every such decimal is exact there (28 places, 35 integer
    /// digits); a negative one has no meaning for a budget (the evaluator refuses a negative cost), so it fails
    /// the call rather than being rounded or clamped.
    /// </summary>
    private static string Exact(LimitObligation obligation, decimal value, string what)
    {
        if (value < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(obligation), $"budget \"{obligation.Key}\" was given {what} {value.ToString(CultureInfo.InvariantCulture)}; the Redis counter store takes non-negative units and max only");
        }

        return value.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>A script's decimal text; a sum beyond what a decimal holds (a max lowered by a reload) reads as the largest.</summary>
    private static decimal SaturatingUnits(string text) =>
        decimal.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var units) ? units
        : text.All(c => char.IsAsciiDigit(c) || c == '.') ? decimal.MaxValue
        : throw new FormatException($"the counter script answered {text}, which is not decimal text");

    private RedisKey SummaryKey(string budgetKey) => _connection.Key(SummaryPrefix + budgetKey);

    private RedisKey LogKey(string budgetKey) => _connection.Key(LogPrefix + budgetKey);

    /// <summary>Escapes the glob characters of a SCAN pattern, so that a prefix matches only itself.</summary>
    private static string GlobEscape(string text)
    {
        var escaped = new System.Text.StringBuilder(text.Length);
        foreach (var c in text)
        {
            if (c is '*' or '?' or '[' or ']' or '\\' or '^' or '-')
            {
                escaped.Append('\\');
            }

            escaped.Append(c);
        }

        return escaped.ToString();
    }
}
