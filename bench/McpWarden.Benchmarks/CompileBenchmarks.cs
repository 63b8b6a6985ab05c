using BenchmarkDotNet.Attributes;
using McpWarden.BenchKit;
using McpWarden.Policy;

namespace McpWarden.Benchmarks;

/// <summary>Loading a whole policy (parse, validate, compile) of 10,000 rules: target under one second.</summary>
[MemoryDiagnoser]
public class CompileBenchmarks
{
    private string _text = string.Empty;

    [Params(10_000)]
    public int Rules { get; set; }

    [GlobalSetup]
    public void Setup() => _text = GeneratedPolicies.WithRules(Rules);

    [Benchmark]
    public PolicyLoadResult Load()
    {
        var result = PolicyLoader.LoadText("bench.json", _text);
        return result.Succeeded ? result : throw new InvalidOperationException("the benchmark policy does not load");
    }
}
