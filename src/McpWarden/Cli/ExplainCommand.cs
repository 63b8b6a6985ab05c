using System.Globalization;
using System.Text.Json;
using McpWarden.Policy;
using McpWarden.Policy.Evaluation;
using McpWarden.Policy.Json;

namespace McpWarden.Cli;

/// <summary>
/// <c>mcpwarden explain</c>: one stateless decision. The tool is taken to exist with no schema of its own
/// and every budget to be empty, so the answer is what the policy itself says; the limits a call would
/// consume are listed.
/// </summary>
internal static class ExplainCommand
{
    public static int Run(string policyPath, string tool, string? argumentsJson, string grant, string session, bool json, TextWriter output)
    {
        var loaded = PolicyLoader.LoadFile(policyPath);
        foreach (var diagnostic in loaded.Diagnostics)
        {
            output.WriteLine(diagnostic);
        }

        if (loaded.Policy is not { } policy)
        {
            return ExitCodes.Invalid;
        }

        using var arguments = SourceDocument.Parse("--args", argumentsJson ?? "{}");
        if (arguments.Root is not { } argumentsRoot || arguments.Diagnostics.Count > 0)
        {
            foreach (var diagnostic in arguments.Diagnostics)
            {
                output.WriteLine(diagnostic);
            }

            return ExitCodes.Invalid;
        }

        var decision = PolicyEvaluator.Evaluate(policy, new ToolCall(tool, argumentsRoot, grant, session), ToolSnapshot.Everything);
        if (json)
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
