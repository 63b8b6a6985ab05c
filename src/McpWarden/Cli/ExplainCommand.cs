using System.Globalization;
using System.Text.Json;
using McpWarden.Gateway.Enforcement;
using McpWarden.Gateway.Limits;
using McpWarden.Policy;
using McpWarden.Policy.Evaluation;
using McpWarden.Policy.Json;

namespace McpWarden.Cli;

/// <summary>
/// <c>mcpwarden explain</c>: one stateless decision. The tool is taken to exist with no schema of its own
/// and every budget to be empty, and the call is decided through the gateway's own enforcer, so the answer
/// is what the policy itself says; the limits a call would consume are listed. Diagnostics go to standard
/// error, so that standard output is only the decision (one JSON object with <c>--json</c>).
/// </summary>
internal static class ExplainCommand
{
    public static async Task<int> RunAsync(ExplainRequest request, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var loaded = PolicyLoader.LoadFile(request.PolicyPath);
        foreach (var diagnostic in loaded.Diagnostics)
        {
            error.WriteLine(diagnostic);
        }

        if (loaded.Policy is not { } policy)
        {
            return ExitCodes.Invalid;
        }

        using var arguments = SourceDocument.Parse("--args", request.ArgumentsJson ?? "{}");
        if (arguments.Root is not { } argumentsRoot || arguments.Diagnostics.Count > 0)
        {
            foreach (var diagnostic in arguments.Diagnostics)
            {
                error.WriteLine(diagnostic);
            }

            return ExitCodes.Invalid;
        }

        var enforcer = new ToolCallEnforcer(new InMemoryCounterStore(TimeProvider.System));
        var call = new ToolCall(request.Server, request.Tool, argumentsRoot, request.Grant, request.Session);
        var decision = await enforcer.DecideAsync(policy, call, ToolSnapshot.Everything, cancellationToken).ConfigureAwait(false);
        if (request.Json)
        {
            WriteJson(decision, output);
        }
        else
        {
            WriteText(decision, output);
        }

        return ExitCodes.Success;
    }

    private static void WriteText(Decision decision, TextWriter output)
    {
        output.WriteLine($"decision: {decision.Kind.ToString().ToLowerInvariant()}");
        output.WriteLine($"code: {decision.Code}");
        output.WriteLine($"rule: {(decision.RulePath.Length == 0 ? "-" : decision.RulePath)}");
        output.WriteLine($"message: {decision.Message}");
        if (decision.ApprovalTimeout is { } timeout)
        {
            output.WriteLine($"approval timeout: {timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)}s");
        }

        foreach (var obligation in decision.Obligations)
        {
            var limit = obligation.Limit;
            output.WriteLine($"limit: {limit.Path} counter \"{limit.Counter}\" takes {obligation.Units.ToString(CultureInfo.InvariantCulture)} of {limit.Max.ToString(CultureInfo.InvariantCulture)} per {limit.Window.TotalSeconds.ToString(CultureInfo.InvariantCulture)}s (budget {obligation.Key})");
        }
    }

    private static void WriteJson(Decision decision, TextWriter output)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartObject();
            writer.WriteString("decision", decision.Kind.ToString().ToLowerInvariant());
            writer.WriteString("code", decision.Code);
            writer.WriteString("rule", decision.RulePath);
            writer.WriteString("message", decision.Message);
            if (decision.ApprovalTimeout is { } timeout)
            {
                writer.WriteNumber("approvalTimeoutSeconds", timeout.TotalSeconds);
            }

            writer.WriteStartArray("limits");
            foreach (var obligation in decision.Obligations)
            {
                writer.WriteStartObject();
                writer.WriteString("rule", obligation.Limit.Path);
                writer.WriteString("counter", obligation.Limit.Counter);
                writer.WriteString("key", obligation.Key);
                writer.WriteNumber("units", obligation.Units);
                writer.WriteNumber("max", obligation.Limit.Max);
                writer.WriteNumber("windowSeconds", obligation.Limit.Window.TotalSeconds);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        output.WriteLine(System.Text.Encoding.UTF8.GetString(stream.ToArray()));
    }
}
