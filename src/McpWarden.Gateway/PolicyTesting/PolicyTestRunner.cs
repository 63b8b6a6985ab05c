using System.Globalization;
using McpWarden.Gateway.Enforcement;
using McpWarden.Gateway.Limits;
using McpWarden.Gateway.Time;
using McpWarden.Policy;
using McpWarden.Policy.Compilation;
using McpWarden.Policy.Diagnostics;
using McpWarden.Policy.Evaluation;
using McpWarden.Policy.Json;
using McpWarden.Policy.Schema;

namespace McpWarden.Gateway.PolicyTesting;

/// <summary>
/// Runs policy test files: each case starts with empty counters and a virtual clock at
/// 2026-01-01T00:00:00Z, and decides its calls through the same enforcer the gateway uses.
/// </summary>
public static class PolicyTestRunner
{
    /// <summary>The server every test call is made to: a test file is about one server's policy.</summary>
    public const string TestServer = "test";

    /// <summary>Runs one file; a file that cannot be used counts as one failed case, with its diagnostics.</summary>
    public static async Task<PolicyTestFileResult> RunFileAsync(string path, CancellationToken cancellationToken = default)
    {
        var display = DisplayPath.Of(path);
        using var document = SourceDocument.Load(path, display);
        var diagnostics = new List<Diagnostic>();
        var file = PolicyTestFileReader.Read(document, path, diagnostics);
        if (file is null)
        {
            return Unusable(display, "the test file has errors", diagnostics);
        }

        var loaded = file.Policy.FilePath is { } policyPath
            ? PolicyLoader.LoadFile(policyPath, DisplayPath.Of(policyPath))
            : PolicyLoader.Load(new DiagnosticSink(document, file.Policy.InlinePath!, []), document.Root!.Value.GetProperty("policy"));

        if (file.ExpectedDiagnostics is { } expected)
        {
            var failure = CompareDiagnostics(expected, loaded);
            var cases = new List<PolicyTestCaseResult> { new("the policy is refused with the expected diagnostics", failure is null, failure) };
            return new PolicyTestFileResult(display, cases, []);
        }

        if (loaded.Policy is not { } policy)
        {
            return Unusable(display, "the policy does not load", loaded.Diagnostics);
        }

        var tools = BuildSnapshot(file.Tools, document, diagnostics);
        if (tools is null)
        {
            return Unusable(display, "a tool's inputSchema does not compile", diagnostics);
        }

        var results = new List<PolicyTestCaseResult>(file.Cases.Count);
        foreach (var testCase in file.Cases)
        {
            try
            {
                results.Add(await RunCaseAsync(policy, tools, testCase, cancellationToken).ConfigureAwait(false));
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // One broken case (a clock driven past year 9999, say) fails alone; the run goes on.
                results.Add(new PolicyTestCaseResult(testCase.Name, false, $"the case could not run: {e.Message}"));
            }
        }

        return new PolicyTestFileResult(display, results, []);
    }

    private static async Task<PolicyTestCaseResult> RunCaseAsync(CompiledPolicy policy, ToolSnapshot tools, TestCase testCase, CancellationToken cancellationToken)
    {
        var clock = new ManualTimeProvider(ManualTimeProvider.TestEpoch);
        var enforcer = new ToolCallEnforcer(new InMemoryCounterStore(clock));
        foreach (var step in testCase.Steps)
        {
            if (step is AdvanceStep advance)
            {
                clock.Advance(advance.By);
                continue;
            }

            var call = (CallStep)step;
            for (var repetition = 1; repetition <= call.Repeat; repetition++)
            {
                var decision = await enforcer.DecideAsync(policy, new ToolCall(TestServer, call.Tool, call.Arguments, call.Grant, call.Session), tools, cancellationToken).ConfigureAwait(false);
                var mismatch = Mismatch(call, decision);
                if (mismatch is not null)
                {
                    var which = call.Repeat > 1 ? $" (repetition {repetition} of {call.Repeat})" : string.Empty;
                    return new PolicyTestCaseResult(testCase.Name, false, $"step {call.Index + 1}, call {call.Tool}{which}: {mismatch}; got {decision}");
                }
            }
        }

        return new PolicyTestCaseResult(testCase.Name, true, null);
    }

    private static string? Mismatch(CallStep expected, Decision actual)
    {
        if (actual.Kind != expected.Expect)
        {
            return $"expected {Name(expected.Expect)}";
        }

        if (expected.Code is { } code && actual.Code != code)
        {
            return $"expected code {code}";
        }

        if (expected.Rule is { } rule && actual.RulePath != rule)
        {
            return $"expected rule {rule}";
        }

        if (expected.RetryAfterSeconds is { } seconds && (actual.RetryAfter is not { } retry || Math.Abs(retry.TotalSeconds - seconds) > 0.0005))
        {
            return $"expected retry after {seconds.ToString(CultureInfo.InvariantCulture)}s";
        }

        if (expected.MessageContains is { } fragment && !actual.Message.Contains(fragment, StringComparison.Ordinal))
        {
            return $"expected the message to contain \"{fragment}\"";
        }

        return null;
    }

    private static string? CompareDiagnostics(IReadOnlyList<ExpectedDiagnostic> expected, PolicyLoadResult loaded)
    {
        var problems = new List<string>();
        // Matched by position in the list, so that two identical diagnostics need two expectations.
        var matched = new bool[loaded.Diagnostics.Count];
        foreach (var want in expected)
        {
            var hit = Enumerable.Range(0, matched.Length).FirstOrDefault(i => !matched[i] && Matches(want, loaded.Diagnostics[i]), -1);
            if (hit < 0)
            {
                var where = want.Path is null ? string.Empty : " at " + want.Path;
                var position = want.Line is null ? string.Empty : $" ({want.Line}:{want.Column})";
                problems.Add($"missing {want.Code}{where}{position}");
            }
            else
            {
                matched[hit] = true;
            }
        }

        for (var i = 0; i < matched.Length; i++)
        {
            if (!matched[i] && loaded.Diagnostics[i].IsError)
            {
                problems.Add($"unexpected {loaded.Diagnostics[i]}");
            }
        }

        return problems.Count == 0 ? null : string.Join("; ", problems);
    }

    private static bool Matches(ExpectedDiagnostic want, Diagnostic actual) =>
        want.Code == actual.Code
        && (want.Path is null || want.Path == actual.Path)
        && (want.Line is null || want.Line == actual.Position.Line)
        && (want.Column is null || want.Column == actual.Position.Column);

    private static ToolSnapshot? BuildSnapshot(IReadOnlyList<TestTool>? tools, SourceDocument document, List<Diagnostic> diagnostics)
    {
        if (tools is null)
        {
            return ToolSnapshot.Everything;
        }

        var sink = new DiagnosticSink(document, string.Empty, diagnostics);
        var listed = new List<ListedTool>();
        for (var i = 0; i < tools.Count; i++)
        {
            var tool = tools[i];
            CompiledSchema? schema = null;
            if (tool.InputSchema is { } inputSchema)
            {
                // Tool schemas are read as the gateway reads an upstream's: unknown keywords are ignored.
                var compilation = JsonSchemaCompiler.Compile(inputSchema, new SchemaCompileOptions(Strictness: SchemaStrictness.Upstream));
                foreach (var problem in compilation.Diagnostics.Where(d => d.IsError))
                {
                    sink.Error(DiagnosticCodes.InvalidSchema, JsonPointer.Append("/tools", i) + "/inputSchema" + problem.SchemaPath, problem.Message);
                }

                schema = compilation.Schema;
            }

            listed.Add(new ListedTool(tool.Name, schema, tool.Changed));
        }

        return sink.HasErrors ? null : ToolSnapshot.Of(listed);
    }

    private static PolicyTestFileResult Unusable(string path, string why, IReadOnlyList<Diagnostic> diagnostics) =>
        new(path, [new PolicyTestCaseResult("(file)", false, why)], diagnostics);

    private static string Name(DecisionKind kind) => kind.ToString().ToLowerInvariant();
}
