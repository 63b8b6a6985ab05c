using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using McpWarden.Catalog.Classification;
using McpWarden.Catalog.Scanning;
using McpWarden.Gateway.Configuration;
using McpWarden.Gateway.Pinning;
using McpWarden.Policy.Compilation;
using McpWarden.Policy.Definitions;

namespace McpWarden.Gateway.Inventory;

/// <summary>The inventory as one JSON document, the same from <c>mcpwarden inventory --json</c> and <c>GET /api/inventory</c> (docs/inventory.md).</summary>
public static class InventoryJson
{
    public static JsonObject ToJson(InventoryReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        return new JsonObject { ["servers"] = new JsonArray([.. report.Servers.Select(s => (JsonNode)Server(s))]) };
    }

    public static string PinStateName(PinState state) => state switch
    {
        PinState.Unpinned => "unpinned",
        PinState.Pinned => "pinned",
        PinState.Changed => "changed",
        PinState.Off => "off",
        _ => throw new ArgumentOutOfRangeException(nameof(state)),
    };

    public static string ActionName(PolicyAction action) => action switch
    {
        PolicyAction.Allow => "allow",
        PolicyAction.Deny => "deny",
        PolicyAction.Approve => "approve",
        _ => throw new ArgumentOutOfRangeException(nameof(action)),
    };

    private static JsonObject Server(ServerInventory server)
    {
        var definition = server.Definition;
        var json = new JsonObject
        {
            ["server"] = server.Name,
            ["listed"] = server.Error is null,
            ["error"] = server.Error,
            ["mode"] = definition.Mode == EnforcementMode.Observe ? "observe" : "enforce",
            ["policy"] = new JsonObject
            {
                ["source"] = definition.PolicySource,
                ["revision"] = definition.Policy.Revision,
                ["default"] = ActionName(definition.Policy.Default.Action),
            },
            ["pinning"] = definition.Pinning,
            ["scan"] = definition.Scan == ScanAction.Warn ? "warn" : "hide",
        };

        if (server.Context is { } context)
        {
            json["serverInfo"] = new JsonObject { ["name"] = context.InfoName, ["title"] = context.InfoTitle, ["version"] = context.InfoVersion };
            json["protocolVersion"] = server.ProtocolVersion;
            json["instructions"] = context.Instructions;
        }

        json["truncated"] = server.Truncated;
        json["catalogFindings"] = new JsonArray([.. server.CatalogFindings.Select(f => (JsonNode)f)]);
        json["instructionFindings"] = Findings(server.InstructionFindings);
        json["tools"] = new JsonArray([.. server.Tools.Select(t => (JsonNode)Tool(t))]);
        return json;
    }

    private static JsonObject Tool(ToolInventory tool)
    {
        var classification = tool.Classification;
        return new JsonObject
        {
            ["name"] = tool.Name,
            ["title"] = tool.Definition.Title,
            ["description"] = tool.Definition.Description,
            ["category"] = CatalogNames.Of(classification.Category),
            ["risk"] = CatalogNames.Of(classification.Risk),
            ["rationale"] = classification.Rationale,
            ["evidence"] = new JsonArray([.. classification.Evidence.Select(e => (JsonNode)new JsonObject
            {
                ["source"] = e.Source,
                ["quote"] = e.Quote,
                ["meaning"] = e.Meaning,
            })]),
            ["rule"] = Rule(tool.Rule),
            ["visible"] = tool.Visible,
            ["hiddenBy"] = new JsonArray([.. tool.HiddenBy.Select(h => (JsonNode)h)]),
            ["pin"] = new JsonObject
            {
                ["state"] = PinStateName(tool.Pin.State),
                ["fingerprint"] = tool.Pin.Fingerprint,
                ["pinnedFingerprint"] = tool.Pin.PinnedFingerprint,
                ["waitingFingerprint"] = tool.Pin.WaitingFingerprint,
                ["diff"] = new JsonArray([.. (tool.Pin.Diff ?? []).Select(c => (JsonNode)new JsonObject
                {
                    ["path"] = c.Path,
                    ["kind"] = c.Kind.ToString().ToLowerInvariant(),
                    ["before"] = c.Before,
                    ["after"] = c.After,
                })]),
            },
            ["findings"] = Findings(tool.Findings),
        };
    }

    private static JsonObject Rule(CompiledRule rule)
    {
        var json = new JsonObject
        {
            ["action"] = ActionName(rule.Action),
            ["path"] = rule.Path,
            ["key"] = rule.Key,
            ["default"] = rule.IsDefault,
            ["reason"] = rule.Reason,
            ["limits"] = new JsonArray([.. rule.Limits.Select(l => (JsonNode)Limit(l))]),
            ["arguments"] = rule.Arguments is not null,
        };
        if (rule.Action == PolicyAction.Approve)
        {
            json["approvalTimeoutSeconds"] = rule.ApprovalTimeout.TotalSeconds;
            json["approvalUnless"] = rule.Unless is not null;
        }

        return json;
    }

    private static JsonObject Limit(CompiledLimit limit) => new()
    {
        ["counter"] = limit.Counter,
        ["windowSeconds"] = limit.Window.TotalSeconds,
        ["max"] = JsonValue.Create(limit.Max),
        ["scope"] = limit.Scope.ToString().ToLowerInvariant(),
        ["by"] = limit.By?.Text,
        ["cost"] = limit.Cost?.Text,
    };

    private static JsonArray Findings(IReadOnlyList<ScanFinding> findings) =>
        new([.. findings.Select(f => (JsonNode)new JsonObject
        {
            ["kind"] = f.Kind,
            ["path"] = f.Path,
            ["excerpt"] = f.Excerpt,
            ["message"] = f.Message,
        })]);

    /// <summary>The document as text, indented for people (the CLI) or compact (the API).</summary>
    public static string Write(InventoryReport report, bool indented) =>
        ToJson(report).ToJsonString(new JsonSerializerOptions { WriteIndented = indented, IndentSize = 2 });

    internal static string Number(decimal value) => value.ToString(CultureInfo.InvariantCulture);
}
