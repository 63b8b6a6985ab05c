using System.Globalization;
using System.Text.Json.Nodes;

namespace McpWarden.Gateway.Approvals;

/// <summary>The JSON shape of an approval in the admin API: at least <c>id</c>, <c>grant</c>, <c>server</c>, <c>tool</c>, <c>arguments</c>.</summary>
public static class ApprovalJson
{
    public static JsonObject ToJson(Approval approval)
    {
        ArgumentNullException.ThrowIfNull(approval);
        return new JsonObject
        {
            ["id"] = approval.Id,
            ["state"] = ApprovalStateNames.Text(approval.State),
            ["grant"] = approval.Binding.Grant,
            ["server"] = approval.Binding.Server,
            ["tool"] = approval.Binding.Tool,
            ["arguments"] = JsonNode.Parse(approval.Arguments),
            ["argumentsSha256"] = approval.Binding.ArgumentsSha256,
            ["policyRevision"] = approval.Binding.PolicyRevision,
            ["session"] = approval.Session,
            ["rule"] = approval.RulePath,
            ["message"] = approval.Message,
            ["createdAt"] = Time(approval.CreatedAt),
            ["expiresAt"] = Time(approval.ExpiresAt),
            ["decidedAt"] = approval.DecidedAt is { } decided ? Time(decided) : null,
            ["decidedBy"] = approval.DecidedBy,
            ["reason"] = approval.Reason,
        };
    }

    private static string Time(DateTimeOffset time) => time.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture);
}
