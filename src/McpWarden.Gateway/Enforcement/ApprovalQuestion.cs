using System.Globalization;
using System.Text.Json.Nodes;
using McpWarden.Gateway.Approvals;
using ModelContextProtocol.Protocol;

namespace McpWarden.Gateway.Enforcement;

/// <summary>
/// A held call put to the calling client's user as an MCP elicitation: a form with one required boolean,
/// <c>approve</c>. Only an accepted form with <c>approve: true</c> approves; an accepted <c>false</c> or a
/// decline refuses; a dismissal (cancel), an error or anything unreadable leaves the call to the queue.
/// </summary>
public static class ApprovalQuestion
{
    /// <summary>The parameters of <c>elicitation/create</c> for this approval.</summary>
    public static JsonObject For(Approval approval)
    {
        ArgumentNullException.ThrowIfNull(approval);
        var binding = approval.Binding;
        var message = string.Create(
            CultureInfo.InvariantCulture,
            $"The agent wants to call the tool \"{binding.Tool}\" on the server \"{binding.Server}\" with these arguments: {approval.Arguments}. The policy requires a person to approve this call. Approve it?");
        return new JsonObject
        {
            ["message"] = message,
            ["requestedSchema"] = new JsonObject
            {
                ["type"] = "object",
                ["properties"] = new JsonObject
                {
                    ["approve"] = new JsonObject
                    {
                        ["type"] = "boolean",
                        ["title"] = "Approve this call",
                        ["description"] = $"Let {binding.Tool} run with the arguments shown",
                    },
                },
                ["required"] = new JsonArray("approve"),
            },
        };
    }

    /// <summary>The user's answer: true approve, false refuse, null no decision (the queue decides).</summary>
    public static bool? Read(JsonRpcMessage reply) => reply switch
    {
        JsonRpcResponse { Result: JsonObject result } => (result["action"] as JsonValue)?.TryGetValue<string>(out var action) == true
            ? action switch
            {
                "accept" => result["content"]?["approve"] is JsonValue approve && approve.TryGetValue<bool>(out var yes) && yes,
                "decline" => false,
                _ => null,
            }
            : null,
        _ => null,
    };
}
