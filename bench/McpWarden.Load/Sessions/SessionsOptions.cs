using System.Globalization;
using McpWarden.BenchKit;

namespace McpWarden.Load.Sessions;

/// <summary>What one <c>load.sh sessions</c> run does; every field has a command-line option (see <see cref="Usage"/>).</summary>
internal sealed record SessionsOptions
{
    public const string Usage = """
        usage: bench/load.sh sessions [--counts 1,100,1000] [--upstream http|stdio] [--no-list] [--get-stream] [--warmup 20]
                                      [--settle 3] [--samples 5] [--no-census] [--hold 0]
          --counts     how many idle sessions to hold when the gateway is measured, in rising order; each step
                       opens the sessions the previous one lacks (default 1,100,1000; 1,10,50 for stdio)
          --upstream   http: one fixture server over Streamable HTTP behind the gateway (default);
                       stdio: the fixture as the gateway's child, one process per session (their memory is not
                       counted: only the gateway's own process is measured)
          --no-list    open each session with initialize and notifications/initialized only; by default each
                       also asks tools/list once, as a real client does
          --get-stream also open each session's GET stream and hold it open, as the official SDKs' clients do
                       (one more connection to the gateway per session); by default sessions have none
          --warmup     sessions opened (and listed) then closed before the first count, so that code run once
                       per process (JIT, first pages of each library, the thread pool's growth) is not
                       counted as the cost of the sessions that follow (default 20; 4 over stdio)
          --settle     seconds to leave the sessions idle before measuring (default 3)
          --samples    VmRSS readings, 500 ms apart, whose median is reported (default 5)
          --hold       seconds to keep the gateway and its sessions up after the last count, its process id
                       printed, for a profiler or a heap dump (default 0)
          --no-census  skip the census of the gateway's live managed objects (by type, from the GC roots)
        """;

    public IReadOnlyList<int> Counts { get; init; } = [1, 100, 1000];

    public bool StdioUpstream { get; init; }

    public bool ListTools { get; init; } = true;

    public bool GetStream { get; init; }

    public int Warmup { get; init; } = 20;

    public TimeSpan Settle { get; init; } = TimeSpan.FromSeconds(3);

    public int Samples { get; init; } = 5;

    public bool Census { get; init; } = true;

    public TimeSpan Hold { get; init; }

    /// <summary>Parses the command line; returns null and an error (empty for --help) for anything it does not know.</summary>
    public static SessionsOptions? Parse(IReadOnlyList<string> args, out string? error)
    {
        var countsGiven = false;
        var warmupGiven = false;
        var options = OptionLoop.Parse(args, new SessionsOptions(), Flag, (current, name, value) =>
        {
            switch (name)
            {
                case "--counts":
                    var counts = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                        .Select(c => int.TryParse(c, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : -1).ToList();
                    if (counts.Count < 2 || counts.Contains(-1) || !counts.SequenceEqual(counts.Order().Distinct()))
                    {
                        throw new FormatException("--counts takes two or more rising positive numbers, e.g. 1,100,1000");
                    }

                    countsGiven = true;
                    return current with { Counts = counts };
                case "--upstream" when value is "http" or "stdio":
                    return current with { StdioUpstream = value == "stdio" };
                case "--settle" when double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds >= 0:
                    return current with { Settle = TimeSpan.FromSeconds(seconds) };
                case "--hold" when double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var hold) && hold >= 0:
                    return current with { Hold = TimeSpan.FromSeconds(hold) };
                case "--warmup" when int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var warmup):
                    warmupGiven = true;
                    return current with { Warmup = warmup };
                case "--samples" when int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var samples) && samples > 0:
                    return current with { Samples = samples };
                default:
                    throw new FormatException($"unknown option or bad value: {name} {value}");
            }
        }, out error);
        if (options is null)
        {
            return null;
        }

        // A stdio session is a child process (tens of MB each): a thousand of them would not fit a small machine.
        if (options.StdioUpstream && !warmupGiven)
        {
            options = options with { Warmup = 4 };
        }

        return options.StdioUpstream && !countsGiven ? options with { Counts = [1, 10, 50] } : options;
    }

    private static SessionsOptions? Flag(SessionsOptions options, string name) => name switch
    {
        "--no-list" => options with { ListTools = false },
        "--get-stream" => options with { GetStream = true },
        "--no-census" => options with { Census = false },
        _ => null,
    };
}
