using System.Text.Json;
using McpWarden.Policy.Compilation;
using McpWarden.Policy.Definitions;
using McpWarden.Policy.Json;
using McpWarden.Policy.Naming;

namespace McpWarden.Policy.Evaluation;

/// <summary>
/// Decides one <c>tools/call</c>: a pure, synchronous function of the policy, the call and the server's
/// tool list. It reads no clock and no counter: limits come back as obligations for the gateway to
/// consume atomically. Any failure while deciding is a denial.
/// </summary>
public static class PolicyEvaluator
{
    /// <summary>The arguments of a call whose message carried none.</summary>
    public static JsonElement EmptyArguments { get; } = JsonDocument.Parse("{}").RootElement.Clone();

    public static Decision Evaluate(CompiledPolicy policy, in ToolCall call, ToolSnapshot tools)
    {
        try
        {
            return EvaluateCore(policy, call, tools);
        }
#pragma warning disable CA1031 // Fail closed: whatever goes wrong while deciding, the call is refused.
        catch (Exception e)
#pragma warning restore CA1031
        {
            return Decision.Deny(ReasonCodes.EvaluationError, string.Empty, $"the call could not be evaluated and is refused: {e.Message}");
        }
    }

    private static Decision EvaluateCore(CompiledPolicy policy, in ToolCall call, ToolSnapshot tools)
    {
        // Step 1: the name must be usable, the server must have the tool, and it must still be the tool that was pinned.
        if (ToolNames.Problem(call.Tool) is { } problem)
        {
            return Decision.Deny(ReasonCodes.InvalidToolName, string.Empty, $"tool name {JsonText.Quote(call.Tool)} is refused: {problem}");
        }

        if (!tools.TryGet(call.Tool, out var listed))
        {
            return Decision.Deny(ReasonCodes.UnknownTool, string.Empty, $"the server has no tool named {JsonText.Quote(call.Tool)}");
        }

        if (listed is { ChangedSincePinned: true })
        {
            return Decision.Deny(ReasonCodes.ToolChanged, string.Empty, $"the definition of {JsonText.Quote(call.Tool)} changed since it was approved; a person must review and accept the change");
        }

        if (listed?.Withheld is { } withheld)
        {
            return Decision.Deny(withheld.Code, string.Empty, withheld.Message);
        }

        // Step 2: the rule's action.
        var rule = policy.Resolve(call.Tool);
        if (rule.Action == PolicyAction.Deny)
        {
            return rule.FixedDecision!;
        }

        // Steps 3 and 4: the arguments against the tool's own schema, then against the rule's.
        var arguments = call.ArgumentsOrEmpty;
        if (arguments.ValueKind != JsonValueKind.Object)
        {
            return Decision.Deny(ReasonCodes.InvalidArguments, string.Empty, $"\"arguments\" must be an object, got {arguments.ValueKind.ToString().ToLowerInvariant()}", rule);
        }

        if (listed?.InputSchemaProblem is { } schemaProblem)
        {
            return Decision.Deny(ReasonCodes.InvalidArguments, string.Empty, $"the tool's inputSchema cannot be checked, so its calls are refused: {schemaProblem}", rule);
        }

        if (listed?.InputSchema?.Validate(arguments) is { IsValid: false, Error: var toolError })
        {
            return Decision.Deny(ReasonCodes.InvalidArguments, string.Empty, $"the arguments do not match the tool's inputSchema at {JsonPointer.Display(toolError!.InstancePath)}: {toolError.Message}", rule);
        }

        if (rule.Arguments?.Validate(arguments) is { IsValid: false, Error: var ruleError })
        {
            var message = $"argument {JsonPointer.Display(ruleError!.InstancePath)} breaks the policy's \"{ruleError.Keyword}\" constraint: {ruleError.Message}";
            return Decision.Deny(ReasonCodes.InvalidArguments, rule.Path + "/arguments" + ruleError.SchemaPath, WithReason(rule, message), rule);
        }

        if (rule.FixedDecision is { } fixedDecision)
        {
            return fixedDecision;
        }

        // Step 5 (prepared here, checked by the store): what each limit would take from which budget.
        var obligations = new LimitObligation[rule.Limits.Count];
        for (var i = 0; i < obligations.Length; i++)
        {
            var limit = rule.Limits[i];
            if (!TryUnits(limit, arguments, out var units, out var unitsProblem))
            {
                return Decision.Deny(ReasonCodes.InvalidArguments, limit.Path + "/cost", WithReason(rule, unitsProblem!), rule);
            }

            if (!TryKey(limit, call, arguments, out var key, out var keyProblem))
            {
                return Decision.Deny(ReasonCodes.InvalidArguments, limit.Path + "/by", WithReason(rule, keyProblem!), rule);
            }

            obligations[i] = new LimitObligation(key, units, limit);
        }

        if (rule.Action != PolicyAction.Approve)
        {
            return Decision.Allow(rule.Path, obligations, rule);
        }

        // Step 6: an approve rule holds the call, unless its arguments meet approval.unless.
        return rule.Unless is { } unless
            ? DecideUnless(unless, arguments, obligations, rule)
            : Decision.Approve(rule.Path, obligations, rule);
    }

    /// <summary>
    /// Lets a call past the person only on a clear match: a mismatch, or anything that goes wrong while checking,
    /// holds the call as if there were no <c>unless</c> (a strange call falls to the person, never past them).
    /// </summary>
    private static Decision DecideUnless(Schema.CompiledSchema unless, JsonElement arguments, LimitObligation[] obligations, CompiledRule rule)
    {
        string detail;
        try
        {
            var result = unless.Validate(arguments);
            if (result.IsValid)
            {
                return Decision.AllowWithoutApproval(obligations, rule);
            }

            detail = result.Error is { } error
                ? $"argument {JsonPointer.Display(error.InstancePath)} fails its \"{error.Keyword}\" constraint: {error.Message}"
                : "the arguments do not match it";
        }
#pragma warning disable CA1031 // Fail closed towards the person: a check that cannot finish never skips the approval.
        catch (Exception e)
#pragma warning restore CA1031
        {
            detail = $"it could not be checked: {e.Message}";
        }

        return Decision.ApproveNotExempt(obligations, rule, detail);
    }

    private static bool TryUnits(CompiledLimit limit, JsonElement arguments, out decimal units, out string? problem)
    {
        units = 1;
        problem = null;
        if (limit.Cost is not { } cost)
        {
            return true;
        }

        if (!cost.TryResolve(arguments, out var value))
        {
            problem = $"limit \"{limit.Counter}\" counts the argument {JsonText.Quote(cost.Text)}, which the call does not have";
            return false;
        }

        // A negative cost would refill the budget; a non-number cannot be counted. Both are refused.
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetDecimal(out units) || units < 0)
        {
            problem = $"limit \"{limit.Counter}\" counts the argument {JsonText.Quote(cost.Text)}, which must be a non-negative number, got {value.GetRawText()}";
            return false;
        }

        return true;
    }

    private static bool TryKey(CompiledLimit limit, in ToolCall call, JsonElement arguments, out string key, out string? problem)
    {
        problem = null;
        var owner = limit.Scope switch
        {
            LimitScope.Grant => call.Grant,
            LimitScope.Session => call.Session,
            _ => string.Empty,
        };

        string? partition = null;
        if (limit.By is { } by)
        {
            if (!by.TryResolve(arguments, out var value))
            {
                key = string.Empty;
                problem = $"limit \"{limit.Counter}\" is kept per {JsonText.Quote(by.Text)}, which the call does not have";
                return false;
            }

            partition = BudgetKey.PartitionOf(value);
        }

        // Each server has its own policy, so its own budgets.
        key = new BudgetKey(limit.Scope, call.Server, owner, limit.Counter, partition).Text;
        return true;
    }

    private static string WithReason(CompiledRule rule, string detail) => rule.Reason is { } reason ? $"{reason} ({detail})" : detail;
}
