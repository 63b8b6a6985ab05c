using System.Globalization;
using System.Text.Json;
using McpWarden.Policy.Definitions;
using McpWarden.Policy.Diagnostics;
using McpWarden.Policy.Json;
using McpWarden.Policy.Naming;

namespace McpWarden.Policy.Parsing;

/// <summary>
/// Reads a policy document into a <see cref="PolicyDefinition"/>, strictly: every unknown field, wrong
/// type or out-of-range value is a diagnostic, and reading goes on after one so that all are reported
/// at once. Cross-rule checks (shared counters, pattern ties) belong to the validator.
/// </summary>
public static class PolicyParser
{
    private static readonly string[] DocumentFields = ["$schema", "version", "default", "tools"];
    private static readonly string[] RuleFields = ["action", "reason", "limits", "rate_limit", "arguments", "approval"];
    private static readonly string[] LimitFields = ["counter", "window", "max", "scope", "by", "cost"];
    private static readonly string[] RateLimitFields = ["max", "window", "scope"];
    private static readonly string[] ApprovalFields = ["timeout", "via", "unless"];

    /// <summary>The longest window: a leap year, enough for any yearly budget.</summary>
    public const long MaxWindowSeconds = 366L * 24 * 3600;

    /// <summary>
    /// The longest tool key: MCP names are meant to stay under 128 characters, and the pattern-overlap check
    /// is quadratic in key length.
    /// </summary>
    public const int MaxToolKeyLength = 256;

    /// <summary>The longest a call may wait for a person: one day.</summary>
    public const int MaxApprovalTimeoutSeconds = 86_400;

    /// <summary>Parses the policy at <paramref name="root"/>; null only when the root is not an object.</summary>
    public static PolicyDefinition? Parse(JsonElement root, DiagnosticSink sink)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            sink.Error(DiagnosticCodes.EmptyDocument, string.Empty, $"a policy must be a JSON object, got {JsonText.Describe(root)}");
            return null;
        }

        StrictJson.CheckFields(root, string.Empty, DocumentFields, sink);

        if (!root.TryGetProperty("version", out var version))
        {
            sink.Error(DiagnosticCodes.MissingField, string.Empty, "missing required field \"version\" (use \"1\")");
        }
        else if (version.ValueKind != JsonValueKind.String)
        {
            sink.Error(DiagnosticCodes.WrongType, "/version", $"\"version\" must be the string \"1\", got {JsonText.Describe(version)}");
        }
        else if (version.GetString() != PolicyDefinition.CurrentVersion)
        {
            sink.Error(DiagnosticCodes.UnsupportedVersion, "/version", $"unsupported version {JsonText.Quote(version.GetString()!)}; this gateway reads version \"1\"");
        }

        if (root.TryGetProperty("$schema", out var schemaUri) && schemaUri.ValueKind != JsonValueKind.String)
        {
            sink.Error(DiagnosticCodes.WrongType, "/$schema", $"\"$schema\" must be a string, got {JsonText.Describe(schemaUri)}");
        }

        var defaultAction = PolicyAction.Deny;
        if (root.TryGetProperty("default", out var defaultElement))
        {
            defaultAction = ReadAction(defaultElement, "/default", sink) ?? PolicyAction.Deny;
        }
        else
        {
            sink.Warning(DiagnosticCodes.DefaultMissing, string.Empty, "no \"default\": tools that no rule matches are denied; write \"default\": \"deny\" to say so");
        }

        var rules = new List<RuleDefinition>();
        if (root.TryGetProperty("tools", out var tools))
        {
            if (tools.ValueKind != JsonValueKind.Object)
            {
                sink.Error(DiagnosticCodes.WrongType, "/tools", $"\"tools\" must be an object of tool name to rule, got {JsonText.Describe(tools)}");
            }
            else
            {
                ReadRules(tools, sink, rules);
            }
        }

        return new PolicyDefinition(defaultAction, rules);
    }

    private static void ReadRules(JsonElement tools, DiagnosticSink sink, List<RuleDefinition> rules)
    {
        var seen = new Dictionary<string, string>(StringComparer.Ordinal);
        var rawNames = new HashSet<string>(StringComparer.Ordinal);
        foreach (var property in tools.EnumerateObject())
        {
            // An exact repeat is a duplicate JSON key, already reported by the source document.
            if (!rawNames.Add(property.Name))
            {
                continue;
            }

            var path = JsonPointer.Append("/tools", property.Name);
            var key = ReadToolKey(property.Name, path, sink);
            if (key is null)
            {
                continue;
            }

            if (seen.TryGetValue(key, out var firstPath))
            {
                sink.ErrorAtName(DiagnosticCodes.DuplicateToolKey, path, $"tool key {JsonText.Quote(property.Name)} equals {JsonPointer.Display(firstPath)} after Unicode NFC normalisation");
                continue;
            }

            seen[key] = path;
            var rule = ReadRule(key, property.Value, path, sink);
            if (rule is not null)
            {
                rules.Add(rule);
            }
        }
    }

    private static string? ReadToolKey(string key, string path, DiagnosticSink sink)
    {
        // A pattern obeys the same character rules as a name; '*' is printable ASCII, so it passes them.
        if ((key.Length > MaxToolKeyLength ? $"it is longer than {MaxToolKeyLength} characters" : ToolNames.VisibilityProblem(key)) is { } problem)
        {
            sink.ErrorAtName(DiagnosticCodes.InvalidToolPattern, path, $"tool key {JsonText.Quote(key)} cannot match any tool: {problem}");
            return null;
        }

        var normalized = ToolNames.Normalize(key);
        if (!ReferenceEquals(normalized, key))
        {
            sink.WarningAtName(DiagnosticCodes.ToolKeyNotNormalized, path, $"tool key {JsonText.Quote(key)} is not in Unicode NFC; it is matched as its NFC form");
        }

        return normalized;
    }

    private static RuleDefinition? ReadRule(string key, JsonElement element, string path, DiagnosticSink sink)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            sink.Error(DiagnosticCodes.WrongType, path, $"the rule for {JsonText.Quote(key)} must be an object, got {JsonText.Describe(element)}");
            return null;
        }

        StrictJson.CheckFields(element, path, RuleFields, sink);

        var action = PolicyAction.Allow;
        if (element.TryGetProperty("action", out var actionElement))
        {
            action = ReadAction(actionElement, path + "/action", sink) ?? PolicyAction.Deny;
        }

        string? reason = null;
        if (element.TryGetProperty("reason", out var reasonElement))
        {
            reason = ReadNonEmptyString(reasonElement, path + "/reason", "reason", sink);
        }

        var limits = new List<LimitDefinition>();
        if (element.TryGetProperty("limits", out var limitsElement))
        {
            ReadLimits(limitsElement, path + "/limits", sink, limits);
        }

        if (element.TryGetProperty("rate_limit", out var rateLimitElement))
        {
            var shorthand = ReadRateLimit(key, rateLimitElement, path + "/rate_limit", sink);
            if (shorthand is not null)
            {
                limits.Add(shorthand);
            }
        }

        JsonElement? arguments = null;
        if (element.TryGetProperty("arguments", out var argumentsElement))
        {
            if (argumentsElement.ValueKind != JsonValueKind.Object)
            {
                sink.Error(DiagnosticCodes.ArgumentsNotObjectSchema, path + "/arguments", $"\"arguments\" must be a JSON Schema object, got {JsonText.Describe(argumentsElement)}");
            }
            else
            {
                arguments = argumentsElement.Clone();
            }
        }

        var approval = ApprovalDefinition.Default;
        if (element.TryGetProperty("approval", out var approvalElement))
        {
            if (action != PolicyAction.Approve)
            {
                sink.ErrorAtName(DiagnosticCodes.ApprovalWithoutApprove, path + "/approval", $"\"approval\" only applies to a rule whose action is \"approve\"; this rule's action is \"{ActionName(action)}\"");
            }

            approval = ReadApproval(approvalElement, path + "/approval", sink) ?? approval;
        }

        if (action == PolicyAction.Deny && (limits.Count > 0 || arguments is not null))
        {
            sink.Warning(DiagnosticCodes.UnusedOnDeny, path, $"the rule for {JsonText.Quote(key)} denies every call, so its limits and arguments are never consulted");
        }

        return new RuleDefinition(path, key, action, reason, limits, arguments, approval);
    }

    private static void ReadLimits(JsonElement element, string path, DiagnosticSink sink, List<LimitDefinition> limits)
    {
        if (element.ValueKind != JsonValueKind.Array)
        {
            sink.Error(DiagnosticCodes.WrongType, path, $"\"limits\" must be an array of limits, got {JsonText.Describe(element)}");
            return;
        }

        var index = 0;
        foreach (var item in element.EnumerateArray())
        {
            var limit = ReadLimit(item, JsonPointer.Append(path, index++), sink);
            if (limit is not null)
            {
                limits.Add(limit);
            }
        }
    }

    private static LimitDefinition? ReadLimit(JsonElement element, string path, DiagnosticSink sink)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            sink.Error(DiagnosticCodes.WrongType, path, $"a limit must be an object, got {JsonText.Describe(element)}");
            return null;
        }

        StrictJson.CheckFields(element, path, LimitFields, sink);
        string? counter = null;
        if (element.TryGetProperty("counter", out var counterElement))
        {
            counter = ReadNonEmptyString(counterElement, path + "/counter", "counter", sink);
        }
        else
        {
            sink.Error(DiagnosticCodes.MissingField, path, "missing required field \"counter\" (the budget's name)");
        }

        var budget = ReadBudget(element, path, sink);
        var valid = true;
        var by = ReadArgumentReference(element, "by", path, sink, ref valid);
        var cost = ReadArgumentReference(element, "cost", path, sink, ref valid);
        return valid && counter is not null && budget is var (window, max, scope)
            ? new LimitDefinition(path, counter, window, max, scope, by, cost) { WindowText = WrittenWindow(element) }
            : null;
    }

    private static LimitDefinition? ReadRateLimit(string key, JsonElement element, string path, DiagnosticSink sink)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            sink.Error(DiagnosticCodes.WrongType, path, $"\"rate_limit\" must be an object with \"max\" and \"window\", got {JsonText.Describe(element)}");
            return null;
        }

        StrictJson.CheckFields(element, path, RateLimitFields, sink);

        // The shorthand's counter is named after the tool key, so it is shared with explicit limits of that name.
        return ReadBudget(element, path, sink) is var (window, max, scope)
            ? new LimitDefinition(path, key + "_rate", window, max, scope, By: null, Cost: null) { WindowText = WrittenWindow(element) }
            : null;
    }

    /// <summary>The window, max and scope that a limit and the <c>rate_limit</c> shorthand both have; null when any is invalid.</summary>
    private static (TimeSpan Window, decimal Max, LimitScope Scope)? ReadBudget(JsonElement element, string path, DiagnosticSink sink)
    {
        var window = ReadRequired(element, "window", path, sink, ReadWindow);
        var max = ReadRequired(element, "max", path, sink, ReadMax);
        LimitScope? scope = LimitScope.Grant;
        if (element.TryGetProperty("scope", out var scopeElement))
        {
            scope = ReadScope(scopeElement, path + "/scope", sink);
        }

        return window is { } w && max is { } m && scope is { } s ? (w, m, s) : null;
    }

    private static T? ReadRequired<T>(JsonElement element, string field, string path, DiagnosticSink sink, Func<JsonElement, string, DiagnosticSink, T?> read)
        where T : struct
    {
        if (element.TryGetProperty(field, out var value))
        {
            return read(value, path + "/" + field, sink);
        }

        sink.Error(DiagnosticCodes.MissingField, path, $"missing required field \"{field}\"");
        return null;
    }

    /// <summary>The window field's word, or its number exactly as written; read only after it was found valid.</summary>
    private static string? WrittenWindow(JsonElement limit) =>
        limit.TryGetProperty("window", out var window)
            ? window.ValueKind == JsonValueKind.String ? window.GetString() : window.GetRawText()
            : null;

    private static TimeSpan? ReadWindow(JsonElement element, string path, DiagnosticSink sink)
    {
        const string Expected = "\"second\", \"minute\", \"hour\", \"day\" or a whole number of seconds";
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                switch (element.GetString())
                {
                    case "second": return TimeSpan.FromSeconds(1);
                    case "minute": return TimeSpan.FromMinutes(1);
                    case "hour": return TimeSpan.FromHours(1);
                    case "day": return TimeSpan.FromDays(1);
                }

                sink.Error(DiagnosticCodes.InvalidWindow, path, $"unknown window {JsonText.Quote(element.GetString()!)}; use {Expected}");
                return null;

            case JsonValueKind.Number:
                // A whole number however it is written (60 or 60.0), as JSON Schema's "integer" reads it.
                if (element.TryGetDecimal(out var seconds) && seconds == decimal.Truncate(seconds) && seconds is > 0 and <= MaxWindowSeconds)
                {
                    return TimeSpan.FromSeconds((double)seconds);
                }

                sink.Error(DiagnosticCodes.InvalidWindow, path, $"window {element.GetRawText()} must be a whole number of seconds from 1 to {MaxWindowSeconds}");
                return null;

            default:
                sink.Error(DiagnosticCodes.InvalidWindow, path, $"window must be {Expected}, got {JsonText.Describe(element)}");
                return null;
        }
    }

    private static decimal? ReadMax(JsonElement element, string path, DiagnosticSink sink)
    {
        if (element.ValueKind == JsonValueKind.Number && element.TryGetDecimal(out var max) && max > 0)
        {
            return max;
        }

        var tooLarge = element.ValueKind == JsonValueKind.Number && element.TryGetDouble(out var asDouble) && asDouble > 0;
        sink.Error(DiagnosticCodes.InvalidMax, path, tooLarge
            ? $"max {JsonText.Quote(element)} is larger than the largest budget, {decimal.MaxValue:E3}"
            : $"max must be a positive number, got {JsonText.Describe(element)}");
        return null;
    }

    private static LimitScope? ReadScope(JsonElement element, string path, DiagnosticSink sink)
    {
        if (element.ValueKind == JsonValueKind.String)
        {
            switch (element.GetString())
            {
                case "grant": return LimitScope.Grant;
                case "session": return LimitScope.Session;
                case "global": return LimitScope.Global;
            }
        }

        sink.Error(DiagnosticCodes.InvalidScope, path, $"scope must be \"grant\", \"session\" or \"global\", got {JsonText.Describe(element)}");
        return null;
    }

    private static string? ReadArgumentReference(JsonElement element, string field, string path, DiagnosticSink sink, ref bool valid)
    {
        if (!element.TryGetProperty(field, out var value))
        {
            return null;
        }

        var fieldPath = path + "/" + field;
        if (value.ValueKind != JsonValueKind.String || value.GetString()!.Length == 0)
        {
            sink.Error(DiagnosticCodes.InvalidArgumentReference, fieldPath, $"\"{field}\" must name an argument or be a JSON Pointer into the arguments, got {JsonText.Describe(value)}");
            valid = false;
            return null;
        }

        var reference = value.GetString()!;
        if (reference.StartsWith('/') && !JsonPointer.TryParse(reference, out _))
        {
            sink.Error(DiagnosticCodes.InvalidArgumentReference, fieldPath, $"\"{field}\" {JsonText.Quote(reference)} is not a valid JSON Pointer (a '~' must be followed by 0 or 1)");
            valid = false;
            return null;
        }

        return reference;
    }

    private static ApprovalDefinition? ReadApproval(JsonElement element, string path, DiagnosticSink sink)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            sink.Error(DiagnosticCodes.WrongType, path, $"\"approval\" must be an object such as {{\"timeout\": 300}}, got {JsonText.Describe(element)}");
            return null;
        }

        StrictJson.CheckFields(element, path, ApprovalFields, sink);
        var approval = ApprovalDefinition.Default;
        if (element.TryGetProperty("timeout", out var timeout))
        {
            if (timeout.ValueKind == JsonValueKind.Number && timeout.TryGetDouble(out var seconds) && seconds is >= 1 and <= MaxApprovalTimeoutSeconds)
            {
                approval = approval with { Timeout = TimeSpan.FromSeconds(seconds) };
            }
            else
            {
                sink.Error(DiagnosticCodes.InvalidApprovalTimeout, path + "/timeout", $"approval timeout must be a number of seconds from 1 to {MaxApprovalTimeoutSeconds}, got {JsonText.Describe(timeout)}");
            }
        }

        if (element.TryGetProperty("via", out var via))
        {
            switch (via.ValueKind == JsonValueKind.String ? via.GetString() : null)
            {
                case "queue":
                    break;
                case "client":
                    approval = approval with { Via = ApprovalChannel.Client };
                    break;
                default:
                    sink.Error(DiagnosticCodes.InvalidApprovalVia, path + "/via", $"\"via\" must be \"queue\" (a person at the gateway) or \"client\" (the calling client's user, through elicitation), got {JsonText.Describe(via)}");
                    break;
            }
        }

        if (element.TryGetProperty("unless", out var unless))
        {
            // Object or boolean, as JSON Schema allows; anything else would leave it unclear which calls skip the person.
            if (unless.ValueKind is JsonValueKind.Object or JsonValueKind.True or JsonValueKind.False)
            {
                approval = approval with { Unless = unless.Clone() };
            }
            else
            {
                sink.Error(DiagnosticCodes.UnlessNotSchema, path + "/unless", $"\"unless\" must be a JSON Schema (an object, or true or false) for the arguments of calls that need no person, got {JsonText.Describe(unless)}");
            }
        }

        return approval;
    }

    private static PolicyAction? ReadAction(JsonElement element, string path, DiagnosticSink sink)
    {
        if (element.ValueKind == JsonValueKind.String)
        {
            switch (element.GetString())
            {
                case "allow": return PolicyAction.Allow;
                case "deny": return PolicyAction.Deny;
                case "approve": return PolicyAction.Approve;
            }
        }

        // An unreadable action is treated as deny by the caller, so that a half-read policy never allows more.
        sink.Error(DiagnosticCodes.InvalidAction, path, $"action must be \"allow\", \"deny\" or \"approve\", got {JsonText.Describe(element)}");
        return null;
    }

    private static string? ReadNonEmptyString(JsonElement element, string path, string field, DiagnosticSink sink)
    {
        if (element.ValueKind != JsonValueKind.String)
        {
            sink.Error(DiagnosticCodes.WrongType, path, $"\"{field}\" must be a string, got {JsonText.Describe(element)}");
            return null;
        }

        var text = element.GetString()!;
        if (string.IsNullOrWhiteSpace(text))
        {
            sink.Error(DiagnosticCodes.EmptyString, path, $"\"{field}\" must not be empty");
            return null;
        }

        return text;
    }

    internal static string ActionName(PolicyAction action) => action switch
    {
        PolicyAction.Allow => "allow",
        PolicyAction.Deny => "deny",
        _ => "approve",
    };

    internal static string FormatSeconds(TimeSpan span) => span.TotalSeconds.ToString(CultureInfo.InvariantCulture);
}
