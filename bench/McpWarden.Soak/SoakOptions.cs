using System.Globalization;
using McpWarden.BenchKit;

namespace McpWarden.Soak;

/// <summary>What one soak run does; every field has a command-line option (see <see cref="Usage"/>).</summary>
internal sealed record SoakOptions
{
    public const string Usage = """
        usage: McpWarden.Soak [--duration 30m] [--clients 32] [--restart-every T] [--downtime 1s]
                              [--sample-every T] [--call-timeout 30s] [--seed N] [--report PATH] [--broken-policy]
               McpWarden.Soak --self-test
          durations: 500ms, 60s, 5m, 1h (a bare number is seconds)
          --restart-every  how often the fixture server is killed and started again (default: a third of the
                           duration, at most 30s)
          --sample-every   how often the gateway's RSS is read (default: duration/150, between 1s and 10s)
          --report         where to write the JSON report (default: none)
          --broken-policy  a self-check: the gateway gets a policy that lets delete_records through and allows ten
                           times the global text limit, while the clients still expect the real one; the run
                           must fail
          --self-test      checks the soak's own judgements (growth rule, limit check, classifier) on made-up
                           inputs whose verdict is known, and exits
        """;

    /// <value>30 minutes: long enough for a leak of a few MB a minute to stand out of GC noise.</value>
    public TimeSpan Duration { get; init; } = TimeSpan.FromMinutes(30);

    /// <value>32 concurrent MCP sessions.</value>
    public int Clients { get; init; } = 32;

    public TimeSpan? RestartEvery { get; init; }

    /// <value>1 s between killing the fixture and starting it again.</value>
    public TimeSpan Downtime { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan? SampleEvery { get; init; }

    /// <value>30 s: a call not answered by then is a hang (the gateway's own upstream timeout is 10 s).</value>
    public TimeSpan CallTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <value>The seed of the call mix; printed, so a run can be repeated.</value>
    public int Seed { get; init; } = 20261121;

    public string? ReportPath { get; init; }

    /// <summary>Runs the gateway under a policy that breaks what the clients check, to prove the checks can fail.</summary>
    public bool BrokenPolicy { get; init; }

    public bool SelfTest { get; init; }

    public TimeSpan EffectiveRestartEvery =>
        RestartEvery ?? Min(TimeSpan.FromSeconds(30), Duration / 3);

    public TimeSpan EffectiveSampleEvery =>
        SampleEvery ?? Clamp(Duration / 150, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10));

    /// <summary>Parses the command line; returns null and an error for anything it does not know.</summary>
    public static SoakOptions? Parse(IReadOnlyList<string> args, out string? error) =>
        OptionLoop.Parse(args, new SoakOptions(), Flag, (options, name, value) => name switch
        {
            "--duration" => options with { Duration = Positive(name, ParseDuration(value)) },
            "--clients" => options with { Clients = int.Parse(value, CultureInfo.InvariantCulture) is > 0 and <= 900 and var n ? n : throw new FormatException($"--clients must be 1 to 900, not {value}") },
            "--restart-every" => options with { RestartEvery = Positive(name, ParseDuration(value)) },
            "--downtime" => options with { Downtime = ParseDuration(value) },
            "--sample-every" => options with { SampleEvery = Positive(name, ParseDuration(value)) },
            "--call-timeout" => options with { CallTimeout = Positive(name, ParseDuration(value)) },
            "--seed" => options with { Seed = int.Parse(value, CultureInfo.InvariantCulture) },
            "--report" => options with { ReportPath = value },
            _ => throw new FormatException($"unknown option {name}"),
        }, out error);

    private static SoakOptions? Flag(SoakOptions options, string name) => name switch
    {
        "--self-test" => options with { SelfTest = true },
        "--broken-policy" => options with { BrokenPolicy = true },
        _ => null,
    };

    /// <summary>"500ms", "60s", "5m", "1h", or a bare number of seconds.</summary>
    public static TimeSpan ParseDuration(string text)
    {
        var (number, unit) = text.EndsWith("ms", StringComparison.Ordinal) ? (text[..^2], 0.001)
            : text.EndsWith('s') ? (text[..^1], 1.0)
            : text.EndsWith('m') ? (text[..^1], 60.0)
            : text.EndsWith('h') ? (text[..^1], 3600.0)
            : (text, 1.0);
        return double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value >= 0 && double.IsFinite(value)
            ? TimeSpan.FromSeconds(value * unit)
            : throw new FormatException($"\"{text}\" is not a duration (500ms, 60s, 5m, 1h)");
    }

    private static TimeSpan Positive(string name, TimeSpan value) =>
        value > TimeSpan.Zero ? value : throw new FormatException($"{name} must be longer than zero");

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    private static TimeSpan Clamp(TimeSpan value, TimeSpan low, TimeSpan high) => value < low ? low : value > high ? high : value;
}
