using System.Globalization;
using System.Text.Json.Nodes;
using McpWarden.Policy.Evaluation;
using ModelContextProtocol.Protocol;

namespace McpWarden.Gateway.Enforcement;

/// <summary>
/// How a refused <c>tools/call</c> reaches the agent. A policy denial is a tool result with
/// <c>isError: true</c> (the MCP way for errors the model should read and act on), a text block that says
/// what happened and what to do, and the machine-readable decision in <c>_meta["mcpwarden/policy"]</c>.
/// A tool the server does not have is a protocol error instead: JSON-RPC -32602, with the reason code in
/// <c>error.data</c>.
/// </summary>
public static class DenialResponses
{
    /// <summary>The <c>_meta</c> key of the policy object (a valid MCP key prefix, not a reserved one).</summary>
    public const string MetaKey = "mcpwarden/policy";

    /// <summary>JSON-RPC "invalid params": what MCP answers for a tool that does not exist.</summary>
    public const int UnknownToolErrorCode = -32602;

    /// <summary>Whether a denial is answered as a JSON-RPC error rather than a tool result.</summary>
    public static bool IsProtocolError(Decision decision)
    {
        ArgumentNullException.ThrowIfNull(decision);
        return decision.Code == ReasonCodes.UnknownTool;
    }

    /// <summary>The <c>result</c> of a refused <c>tools/call</c>.</summary>
    public static JsonObject ToolResult(Decision decision)
    {
        ArgumentNullException.ThrowIfNull(decision);
        return new JsonObject
        {
            ["content"] = new JsonArray(new JsonObject { ["type"] = "text", ["text"] = Text(decision) }),
            ["isError"] = true,
            ["_meta"] = new JsonObject { [MetaKey] = PolicyObject(decision) },
        };
    }

    /// <summary>The JSON-RPC <c>error</c> for a call to a tool the server does not have.</summary>
    public static JsonRpcErrorDetail UnknownToolError(Decision decision)
    {
        ArgumentNullException.ThrowIfNull(decision);
        return new JsonRpcErrorDetail { Code = UnknownToolErrorCode, Message = decision.Message, Data = PolicyObject(decision) };
    }

    /// <summary>The machine-readable decision: outcome, reason code, rule path, message, and retry-after when one applies.</summary>
    public static JsonObject PolicyObject(Decision decision)
    {
        ArgumentNullException.ThrowIfNull(decision);
        var policy = new JsonObject
        {
            ["decision"] = decision.Kind.ToString().ToLowerInvariant(),
            ["code"] = decision.Code,
            ["rule"] = decision.RulePath,
            ["message"] = decision.Message,
        };
        if (decision.RetryAfter is { } retry)
        {
            policy["retryAfterSeconds"] = Seconds(retry);
        }

        return policy;
    }

    /// <summary>A sentence for the model: the refusal, its reason, and when trying again can help.</summary>
    public static string Text(Decision decision)
    {
        ArgumentNullException.ThrowIfNull(decision);
        var advice = decision.Code switch
        {
            ReasonCodes.RateLimited when decision.RetryAfter is { } retry => $" Retrying after {Seconds(retry).ToString(CultureInfo.InvariantCulture)} seconds can succeed.",
            ReasonCodes.RateLimited => " Retrying this call will not succeed.",
            ReasonCodes.InvalidArguments => " Correct the arguments and call again.",
            ReasonCodes.ApprovalTimeout => " No one decided in time; the call can be made again.",
            ReasonCodes.EvaluationError => " The gateway could not decide, so it refused; try again later.",
            ReasonCodes.StoreUnavailable => " The gateway's store is unreachable; try again later.",
            _ => " Do not retry this call.",
        };
        return $"The call was refused by policy ({decision.Code}): {decision.Message}.{advice}";
    }

    /// <summary>Seconds rounded up to the millisecond, so that retrying on time never arrives early.</summary>
    private static double Seconds(TimeSpan span) => Math.Ceiling(span.TotalSeconds * 1000) / 1000;
}
