using System.Text.Json;
using BenchmarkDotNet.Attributes;
using McpWarden.BenchKit;
using McpWarden.Gateway.Enforcement;
using McpWarden.Gateway.Limits;
using McpWarden.Policy;
using McpWarden.Policy.Compilation;
using McpWarden.Policy.Evaluation;

namespace McpWarden.Benchmarks;

/// <summary>
/// One decision: (a) a default deny, (b) an allow that consumes two in-memory limits, (c) an allow that
/// validates a six-field argument object against the rule's schema — each at 10, 1,000 and 10,000 rules.
/// </summary>
[MemoryDiagnoser]
public class DecisionBenchmarks
{
    private CompiledPolicy _policy = null!;
    private ToolCallEnforcer _enforcer = null!;
    private ToolCall _denied;
    private ToolCall _limited;
    private ToolCall _payment;

    [Params(10, 1_000, 10_000)]
    public int Rules { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _policy = PolicyLoader.LoadText("bench.json", GeneratedPolicies.WithRules(Rules)).Policy
            ?? throw new InvalidOperationException("the benchmark policy does not load");
        // The system clock and one-second windows keep the counters' logs bounded over millions of calls.
        _enforcer = new ToolCallEnforcer(new InMemoryCounterStore(TimeProvider.System));
        var empty = JsonDocument.Parse("{}").RootElement;
        _denied = new ToolCall("bench", "delete_everything", empty, "agent", "session");
        _limited = new ToolCall("bench", "run_workflow", empty, "agent", "session");
        _payment = new ToolCall("bench", "pay", JsonDocument.Parse(GeneratedPolicies.PaymentArguments).RootElement, "agent", "session");

        Expect(DefaultDeny(), ReasonCodes.DefaultDeny);
        Expect(AllowWithTwoLimits(), ReasonCodes.Allowed);
        Expect(AllowWithSchema(), ReasonCodes.Allowed);
    }

    [Benchmark]
    public Decision DefaultDeny() => PolicyEvaluator.Evaluate(_policy, _denied, ToolSnapshot.Everything);

    [Benchmark]
    public Decision AllowWithTwoLimits() => _enforcer.DecideAsync(_policy, _limited, ToolSnapshot.Everything).AsTask().GetAwaiter().GetResult();

    [Benchmark]
    public Decision AllowWithSchema() => PolicyEvaluator.Evaluate(_policy, _payment, ToolSnapshot.Everything);

    private static void Expect(Decision decision, string code)
    {
        if (decision.Code != code)
        {
            throw new InvalidOperationException($"benchmark setup decided {decision}, expected {code}");
        }
    }
}
