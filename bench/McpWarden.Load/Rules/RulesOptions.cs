using McpWarden.BenchKit;
using McpWarden.Load.Measuring;

namespace McpWarden.Load.Rules;

/// <summary>What one <c>load.sh rules</c> run does; every field has a command-line option (see <see cref="Usage"/>).</summary>
internal sealed record RulesOptions
{
    public const string Usage = """
        usage: bench/load.sh rules [--rules 10,1000,10000] [--calls 2000] [--warmup 3s] [--out DIR]
          For each policy size: (a) the fixture over HTTP directly, then (b) mcpwarden serve -> the fixture over HTTP
          under a generated policy of that many rules (echo under two limits and an argument schema, the rest filler
          rules on other tools), one closed-loop client each, fresh processes; the latency (b) adds over (a).
          --rules   policy sizes (default 10,1000,10000)
          --calls   measured calls per run (default 2000), after --warmup (default 3s)
          --out     where rules.md and rules.json go (default bench/results/)
        exit: 0 every call answered; 1 otherwise; 2 a bad command line
        """;

    public IReadOnlyList<int> Rules { get; init; } = [10, 1000, 10000];

    public long Calls { get; init; } = 2000;

    public TimeSpan Warmup { get; init; } = TimeSpan.FromSeconds(3);

    public string? Out { get; init; }

    public static RulesOptions? Parse(IReadOnlyList<string> args, out string? error) =>
        OptionLoop.Parse(args, new RulesOptions(), OptionLoop.NoFlag, (options, name, value) => name switch
        {
            "--rules" => options with { Rules = CommandLine.Counts(name, value, 100_000) },
            "--calls" => options with { Calls = CommandLine.Counts(name, value, 10_000_000) is [var calls] ? calls : throw new FormatException("--calls takes one number") },
            "--warmup" => options with { Warmup = CommandLine.Duration(name, value) },
            "--out" => options with { Out = value },
            _ => throw new FormatException($"unknown option {name}"),
        }, out error);
}
