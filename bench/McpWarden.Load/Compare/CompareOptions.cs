using McpWarden.BenchKit;
using McpWarden.Load.Measuring;

namespace McpWarden.Load.Compare;

/// <summary>What one <c>load.sh compare</c> run does; every field has a command-line option (see <see cref="Usage"/>).</summary>
internal sealed record CompareOptions
{
    public const string Usage = """
        usage: bench/load.sh compare [--concurrency 1,8,32] [--duration 20s] [--warmup 20s] [--out DIR] [--only a,b,c,d,e]
                                     [--mcp-proxy PATH] [--ci] [--refusing-policy]
          (a) the fixture over HTTP, directly; (b) mcpwarden serve -> the fixture over HTTP; (c) mcpwarden serve ->
          the fixture over stdio, a process per session; (d) node mcp-proxy -> the fixture over stdio; (e) as (c), with
          one process shared by every session ("shared": true), as (d) has it. Fresh processes for every scenario
          at every concurrency; N closed-loop clients call echo; every answer is checked.
          --concurrency  clients at once, one run per number (default 1,8,32)
          --duration     the measured window of each run (default 20s); --warmup before it (default 20s: the
                         gateway's JIT is still tiering its path for tens of seconds after start)
          --out          where compare.md, compare.json and compare.svg go (default bench/results/)
          --only         the scenarios to run (default a,b,c,d,e); ratios need (a)
          --mcp-proxy    mcp-proxy's entry script (default tests/e2e/node_modules/mcp-proxy/dist/bin/mcp-proxy.mjs,
                         or $MCPWARDEN_MCP_PROXY)
          --ci           the gross-regression check: concurrency 8, 5s after 2s of warm-up (unless given), and exit 1
                         if (b) keeps less than 5 % of (a)'s calls per second or (c) less than 25 % of (d)'s
          --refusing-policy  a self-check: (b) under a policy that refuses most calls; the run must fail
        exit: 0 every call answered (and, with --ci, both floors held); 1 otherwise; 2 a bad command line
        """;

    // The floors catch an order-of-magnitude regression, never noise: with the CI check's short warm-up (the
    // gateway's JIT still tiering) on a 2-core machine, (b) measured 6-22 % of (a) and (c) 47-77 % of (d) at 8
    // clients (2026-11-22, docs/benchmarks.md), so a floor near those figures would fail on a busy minute.

    /// <summary>(b) must keep at least this share of (a)'s throughput in the CI check.</summary>
    public const double CiGatewayFloor = 0.05;

    /// <summary>(c) must reach at least this share of (d)'s throughput in the CI check.</summary>
    public const double CiStdioFloor = 0.25;

    /// <summary>The rules of the policy (b) and (c) run under.</summary>
    public const int PolicyRules = 50;

    public IReadOnlyList<int> Concurrency { get; init; } = [1, 8, 32];

    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(20);

    public TimeSpan Warmup { get; init; } = TimeSpan.FromSeconds(20);

    public string? Out { get; init; }

    public IReadOnlyList<Scenario> Scenarios { get; init; } = Scenario.All;

    public string? McpProxy { get; init; }

    public bool Ci { get; init; }

    public bool RefusingPolicy { get; init; }

    /// <summary>Parses the command line; returns null and an error (empty for --help) for anything it does not know.</summary>
    public static CompareOptions? Parse(IReadOnlyList<string> args, out string? error)
    {
        error = null;
        var ci = args.Contains("--ci");
        var refusing = args.Contains("--refusing-policy");
        var options = new CompareOptions { Ci = ci, RefusingPolicy = refusing };
        if (ci)
        {
            options = options with { Concurrency = [8], Duration = TimeSpan.FromSeconds(5), Warmup = TimeSpan.FromSeconds(2) };
        }

        if (refusing)
        {
            options = options with { Concurrency = [8], Duration = TimeSpan.FromSeconds(3), Warmup = TimeSpan.FromSeconds(1), Scenarios = [Scenario.GatewayHttp] };
        }

        // --ci and --refusing-policy were read above: here they are flags to step over.
        return OptionLoop.Parse(args, options, (current, name) => name is "--ci" or "--refusing-policy" ? current : null, (current, name, value) => name switch
        {
            "--concurrency" => current with { Concurrency = CommandLine.Counts(name, value, 1024) },
            "--duration" => current with { Duration = Positive(name, CommandLine.Duration(name, value)) },
            "--warmup" => current with { Warmup = CommandLine.Duration(name, value) },
            "--out" => current with { Out = value },
            "--only" => current with { Scenarios = ParseScenarios(value) },
            "--mcp-proxy" => current with { McpProxy = value },
            _ => throw new FormatException($"unknown option {name}"),
        }, out error);
    }

    private static List<Scenario> ParseScenarios(string text)
    {
        var letters = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var unknown = letters.FirstOrDefault(l => l.Length != 1 || Scenario.All.All(s => s.Letter != l[0]));
        return unknown is not null ? throw new FormatException($"--only: \"{unknown}\" is not a scenario (a, b, c, d, e)")
            : letters.Length == 0 ? throw new FormatException("--only needs at least one scenario")
            : [.. Scenario.All.Where(s => letters.Contains(s.Letter.ToString()))];
    }

    private static TimeSpan Positive(string name, TimeSpan value) =>
        value > TimeSpan.Zero ? value : throw new FormatException($"{name} must be longer than zero");
}
