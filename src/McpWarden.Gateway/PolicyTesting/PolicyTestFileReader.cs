using System.Globalization;
using System.Text.Json;
using McpWarden.Policy.Diagnostics;
using McpWarden.Policy.Evaluation;
using McpWarden.Policy.Json;
using McpWarden.Policy.Parsing;

namespace McpWarden.Gateway.PolicyTesting;

/// <summary>Reads <c>*.test.json</c> files as strictly as policies: a misspelt expectation must never pass silently.</summary>
public static class PolicyTestFileReader
{
    private static readonly string[] FileFields = ["$schema", "description", "policy", "tools", "cases", "expectDiagnostics"];
    private static readonly string[] ToolFields = ["name", "title", "description", "inputSchema", "outputSchema", "annotations", "icons", "_meta", "changed"];
    private static readonly string[] CaseFields = ["name", "description", "steps"];
    private static readonly string[] AdvanceFields = ["advance"];
    private static readonly string[] CallFields = ["call", "args", "grant", "session", "repeat", "expect", "code", "rule", "retryAfter", "message"];
    private static readonly string[] DiagnosticFields = ["code", "path", "line", "column"];

    /// <summary>Reads a test file; null (with diagnostics) when it cannot be used.</summary>
    public static PolicyTestFile? Read(SourceDocument document, string path, List<Diagnostic> diagnostics)
    {
        if (document.Root is not { } root)
        {
            diagnostics.AddRange(document.Diagnostics);
            return null;
        }

        var sink = new DiagnosticSink(document, string.Empty, diagnostics);
        diagnostics.AddRange(document.Diagnostics);
        if (root.ValueKind != JsonValueKind.Object)
        {
            sink.Error(DiagnosticCodes.EmptyDocument, string.Empty, "a policy test file must be a JSON object");
            return null;
        }

        StrictJson.CheckFields(root, string.Empty, FileFields, sink);

        PolicyReference? policy = null;
        if (!root.TryGetProperty("policy", out var policyElement))
        {
            sink.Error(DiagnosticCodes.MissingField, string.Empty, "missing required field \"policy\" (a path or an inline policy)");
        }
        else if (policyElement.ValueKind == JsonValueKind.String && policyElement.GetString()!.Contains('\0', StringComparison.Ordinal))
        {
            // No file name holds a NUL, and the system's path functions throw on one.
            sink.Error(DiagnosticCodes.UnreadableFile, "/policy", $"{JsonText.Quote(policyElement)} is not a file path: it holds a NUL character");
        }
        else if (policyElement.ValueKind == JsonValueKind.String && policyElement.GetString()!.Length > 0)
        {
            var directory = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path)) ?? ".";
            policy = new PolicyReference(System.IO.Path.GetFullPath(System.IO.Path.Combine(directory, policyElement.GetString()!)), null);
        }
        else if (policyElement.ValueKind == JsonValueKind.Object)
        {
            policy = new PolicyReference(null, "/policy");
        }
        else
        {
            sink.Error(DiagnosticCodes.WrongType, "/policy", $"\"policy\" must be a path or an inline policy object, got {JsonText.Describe(policyElement)}");
        }

        var tools = root.TryGetProperty("tools", out var toolsElement) ? ReadTools(toolsElement, sink) : null;
        var expected = root.TryGetProperty("expectDiagnostics", out var expectedElement) ? ReadExpectedDiagnostics(expectedElement, sink) : null;

        // A file either proves what a loaded policy decides, or that a policy is refused: never both, since
        // cases beside expectDiagnostics could never run.
        var cases = new List<TestCase>();
        var hasCases = root.TryGetProperty("cases", out var casesElement);
        if (hasCases && expected is not null)
        {
            sink.ErrorAtName(DiagnosticCodes.UnknownField, "/cases", "a file with \"expectDiagnostics\" tests that its policy is refused, so it cannot also have \"cases\"");
        }
        else if (hasCases)
        {
            ReadCases(casesElement, sink, cases);
        }
        else if (expected is null)
        {
            sink.Error(DiagnosticCodes.MissingField, string.Empty, "missing required field \"cases\" (or \"expectDiagnostics\" for a policy that must be refused)");
        }

        return sink.HasErrors || policy is null ? null : new PolicyTestFile(path, policy, tools, cases, expected);
    }

    private static List<TestTool>? ReadTools(JsonElement element, DiagnosticSink sink)
    {
        if (element.ValueKind != JsonValueKind.Array)
        {
            sink.Error(DiagnosticCodes.WrongType, "/tools", $"\"tools\" must be an array of tool definitions, got {JsonText.Describe(element)}");
            return null;
        }

        var tools = new List<TestTool>();
        var index = 0;
        foreach (var item in element.EnumerateArray())
        {
            var path = JsonPointer.Append("/tools", index++);
            if (item.ValueKind != JsonValueKind.Object)
            {
                sink.Error(DiagnosticCodes.WrongType, path, $"a tool must be an object, got {JsonText.Describe(item)}");
                continue;
            }

            StrictJson.CheckFields(item, path, ToolFields, sink);
            var name = RequiredString(item, "name", path, sink);
            JsonElement? schema = null;
            if (item.TryGetProperty("inputSchema", out var schemaElement))
            {
                schema = schemaElement.Clone();
            }

            var changed = item.TryGetProperty("changed", out var changedElement) && ReadBoolean(changedElement, path + "/changed", sink);
            if (name is not null)
            {
                tools.Add(new TestTool(name, schema, changed));
            }
        }

        return tools;
    }

    private static void ReadCases(JsonElement element, DiagnosticSink sink, List<TestCase> cases)
    {
        if (element.ValueKind != JsonValueKind.Array)
        {
            sink.Error(DiagnosticCodes.WrongType, "/cases", $"\"cases\" must be an array, got {JsonText.Describe(element)}");
            return;
        }

        if (element.GetArrayLength() == 0)
        {
            sink.Error(DiagnosticCodes.MissingField, "/cases", "\"cases\" is empty: a test file must test something");
            return;
        }

        var index = 0;
        foreach (var item in element.EnumerateArray())
        {
            var path = JsonPointer.Append("/cases", index++);
            if (item.ValueKind != JsonValueKind.Object)
            {
                sink.Error(DiagnosticCodes.WrongType, path, $"a case must be an object, got {JsonText.Describe(item)}");
                continue;
            }

            StrictJson.CheckFields(item, path, CaseFields, sink);
            var name = RequiredString(item, "name", path, sink) ?? $"case {index}";
            var steps = new List<TestStep>();
            if (!item.TryGetProperty("steps", out var stepsElement) || stepsElement.ValueKind != JsonValueKind.Array || stepsElement.GetArrayLength() == 0)
            {
                sink.Error(DiagnosticCodes.MissingField, path, "a case needs \"steps\": a non-empty array of calls and clock advances");
                continue;
            }

            var stepIndex = 0;
            foreach (var step in stepsElement.EnumerateArray())
            {
                var read = ReadStep(step, stepIndex, JsonPointer.Append(path + "/steps", stepIndex), sink);
                stepIndex++;
                if (read is not null)
                {
                    steps.Add(read);
                }
            }

            cases.Add(new TestCase(name, steps));
        }
    }

    private static TestStep? ReadStep(JsonElement element, int index, string path, DiagnosticSink sink)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            sink.Error(DiagnosticCodes.WrongType, path, $"a step must be an object, got {JsonText.Describe(element)}");
            return null;
        }

        if (element.TryGetProperty("advance", out var advance))
        {
            StrictJson.CheckFields(element, path, AdvanceFields, sink);
            var by = ParseDuration(advance);
            if (by is null)
            {
                sink.Error(DiagnosticCodes.WrongType, path + "/advance", $"\"advance\" must be a duration of at most 100 years such as \"500ms\", \"30s\", \"5m\", \"2h\", \"1d\" or a number of seconds, got {JsonText.Describe(advance)}");
                return null;
            }

            return new AdvanceStep(index, by.Value);
        }

        StrictJson.CheckFields(element, path, CallFields, sink);
        var tool = RequiredString(element, "call", path, sink);
        var arguments = PolicyEvaluator.EmptyArguments;
        if (element.TryGetProperty("args", out var args))
        {
            arguments = args.Clone();
        }

        var grant = OptionalString(element, "grant", path, sink) ?? "default";
        var session = OptionalString(element, "session", path, sink) ?? "s1";
        var repeat = 1;
        // TryGet* throw on a value that is not a number, so the kind is checked first.
        if (element.TryGetProperty("repeat", out var repeatElement) && (repeatElement.ValueKind != JsonValueKind.Number || !repeatElement.TryGetInt32(out repeat) || repeat < 1))
        {
            sink.Error(DiagnosticCodes.WrongType, path + "/repeat", $"\"repeat\" must be a positive whole number, got {JsonText.Describe(repeatElement)}");
            return null;
        }

        DecisionKind? expect = null;
        switch (OptionalString(element, "expect", path, sink))
        {
            case "allow": expect = DecisionKind.Allow; break;
            case "deny": expect = DecisionKind.Deny; break;
            case "approve": expect = DecisionKind.Approve; break;
            default:
                sink.Error(DiagnosticCodes.MissingField, path, "a call step needs \"expect\": \"allow\", \"deny\" or \"approve\"");
                break;
        }

        double? retryAfter = null;
        if (element.TryGetProperty("retryAfter", out var retryElement))
        {
            if (retryElement.ValueKind != JsonValueKind.Number || !retryElement.TryGetDouble(out var seconds) || !double.IsFinite(seconds) || seconds < 0)
            {
                sink.Error(DiagnosticCodes.WrongType, path + "/retryAfter", $"\"retryAfter\" must be a number of seconds, got {JsonText.Describe(retryElement)}");
                return null;
            }

            retryAfter = seconds;
        }

        var code = OptionalString(element, "code", path, sink);
        var rule = OptionalString(element, "rule", path, sink);
        var message = OptionalString(element, "message", path, sink);
        return tool is null || expect is null
            ? null
            : new CallStep(index, tool, arguments, grant, session, repeat, expect.Value, code, rule, retryAfter, message);
    }

    private static List<ExpectedDiagnostic>? ReadExpectedDiagnostics(JsonElement element, DiagnosticSink sink)
    {
        if (element.ValueKind != JsonValueKind.Array)
        {
            sink.Error(DiagnosticCodes.WrongType, "/expectDiagnostics", $"\"expectDiagnostics\" must be an array, got {JsonText.Describe(element)}");
            return null;
        }

        if (element.GetArrayLength() == 0)
        {
            sink.Error(DiagnosticCodes.MissingField, "/expectDiagnostics", "\"expectDiagnostics\" is empty: list the errors the policy must be refused with");
            return null;
        }

        var expected = new List<ExpectedDiagnostic>();
        var index = 0;
        foreach (var item in element.EnumerateArray())
        {
            var path = JsonPointer.Append("/expectDiagnostics", index++);
            if (item.ValueKind != JsonValueKind.Object)
            {
                sink.Error(DiagnosticCodes.WrongType, path, $"an expected diagnostic must be an object, got {JsonText.Describe(item)}");
                continue;
            }

            StrictJson.CheckFields(item, path, DiagnosticFields, sink);
            var code = RequiredString(item, "code", path, sink);
            var at = OptionalString(item, "path", path, sink);
            var line = OptionalPositive(item, "line", path, sink);
            var column = OptionalPositive(item, "column", path, sink);
            if (code is not null)
            {
                expected.Add(new ExpectedDiagnostic(code, at, line, column));
            }
        }

        return expected;
    }

    private static int? OptionalPositive(JsonElement element, string field, string path, DiagnosticSink sink)
    {
        if (!element.TryGetProperty(field, out var value))
        {
            return null;
        }

        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number) && number > 0)
        {
            return number;
        }

        sink.Error(DiagnosticCodes.WrongType, path + "/" + field, $"\"{field}\" must be a positive whole number, got {JsonText.Describe(value)}");
        return null;
    }

    /// <summary>The longest clock advance one step may make: a hundred years is more than any window.</summary>
    public static TimeSpan MaxDuration { get; } = TimeSpan.FromDays(36_525);

    /// <summary>Parses <c>"500ms"</c>, <c>"30s"</c>, <c>"5m"</c>, <c>"2h"</c>, <c>"1d"</c>, or a non-negative number of seconds.</summary>
    public static TimeSpan? ParseDuration(JsonElement element)
    {
        if (element.ValueKind == JsonValueKind.Number)
        {
            return element.TryGetDouble(out var seconds) && seconds >= 0 && seconds <= MaxDuration.TotalSeconds ? TimeSpan.FromSeconds(seconds) : null;
        }

        return element.ValueKind == JsonValueKind.String ? ParseDuration(element.GetString()!) : null;
    }

    public static TimeSpan? ParseDuration(string text)
    {
        var (number, unit) = text.EndsWith("ms", StringComparison.Ordinal)
            ? (text[..^2], TimeSpan.FromMilliseconds(1))
            : text.Length > 1 ? (text[..^1], text[^1] switch
            {
                's' => TimeSpan.FromSeconds(1),
                'm' => TimeSpan.FromMinutes(1),
                'h' => TimeSpan.FromHours(1),
                'd' => TimeSpan.FromDays(1),
                _ => TimeSpan.Zero,
            }) : (text, TimeSpan.Zero);

        if (unit == TimeSpan.Zero
            || !double.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value)
            || value > MaxDuration / unit)
        {
            return null;
        }

        return unit * value;
    }

    private static string? RequiredString(JsonElement element, string field, string path, DiagnosticSink sink)
    {
        if (!element.TryGetProperty(field, out _))
        {
            sink.Error(DiagnosticCodes.MissingField, path, $"missing required field \"{field}\"");
            return null;
        }

        return OptionalString(element, field, path, sink);
    }

    private static string? OptionalString(JsonElement element, string field, string path, DiagnosticSink sink)
    {
        if (!element.TryGetProperty(field, out var value))
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            sink.Error(DiagnosticCodes.WrongType, path + "/" + field, $"\"{field}\" must be a string, got {JsonText.Describe(value)}");
            return null;
        }

        return value.GetString();
    }

    private static bool ReadBoolean(JsonElement element, string path, DiagnosticSink sink)
    {
        if (element.ValueKind is JsonValueKind.True or JsonValueKind.False)
        {
            return element.GetBoolean();
        }

        sink.Error(DiagnosticCodes.WrongType, path, $"must be true or false, got {JsonText.Describe(element)}");
        return false;
    }
}
