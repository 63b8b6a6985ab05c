using System.Text.Json.Nodes;

namespace McpWarden.Gateway.Audit;

/// <summary>
/// The one JSON shape of an audit record, for the admin API and <c>mcpwarden audit --json</c> alike:
/// field names are a documented contract (at least <c>time</c>, <c>grant</c>, <c>server</c>, <c>tool</c>,
/// <c>decision</c>, <c>code</c>).
/// </summary>
public static class AuditJson
{
    public static JsonObject ToJson(AuditRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return new JsonObject
        {
            ["id"] = record.Id,
            ["time"] = record.Time.ToUniversalTime().ToString("O", System.Globalization.CultureInfo.InvariantCulture),
            ["grant"] = record.Grant,
            ["session"] = record.Session,
            ["server"] = record.Server,
            ["tool"] = record.Tool,
            ["decision"] = record.Decision,
            ["code"] = record.Code,
            ["rule"] = record.RulePath,
            ["message"] = record.Message,
            ["mode"] = record.Mode,
            ["argumentsSha256"] = record.ArgumentsSha256,
            ["arguments"] = record.Arguments is { } arguments ? JsonNode.Parse(arguments) : null,
            ["policyRevision"] = record.PolicyRevision,
            ["evaluationMs"] = Milliseconds(record.Evaluation),
            ["approvalId"] = record.ApprovalId,
            ["outcome"] = record.Outcome,
            ["upstreamMs"] = record.UpstreamLatency is { } latency ? Milliseconds(latency) : null,
        };
    }

    /// <summary>One line of JSON Lines.</summary>
    public static string ToLine(AuditRecord record) => ToJson(record).ToJsonString();

    private static double Milliseconds(TimeSpan span) => Math.Round(span.TotalMilliseconds, 3);
}
