using System.Text.Json;
using System.Text.Json.Nodes;
using McpWarden.Catalog.Classification;
using McpWarden.Catalog.Definitions;
using McpWarden.Catalog.Pinning;
using McpWarden.Catalog.Scanning;
using McpWarden.Gateway.Configuration;
using McpWarden.Gateway.Enforcement;
using McpWarden.Gateway.Pinning;
using McpWarden.Policy.Naming;

namespace McpWarden.Gateway.Inventory;

/// <summary>
/// Puts together what the servers listed, the policies, the pins, the classifier and the scan into the
/// inventory. Pure: it reads pins and never writes them; it asks nothing of any server.
/// </summary>
public static class InventoryAssembler
{
    /// <param name="servers">The configured servers to report, in the order to report them.</param>
    /// <param name="probes">What each server listed (matched by name); a server without one is reported as not listed.</param>
    /// <param name="pins">Every pin the store holds for these servers.</param>
    public static InventoryReport Assemble(IReadOnlyList<ServerDefinition> servers, IReadOnlyList<ProbedServer> probes, IReadOnlyList<PinRecord> pins)
    {
        ArgumentNullException.ThrowIfNull(servers);
        ArgumentNullException.ThrowIfNull(probes);
        ArgumentNullException.ThrowIfNull(pins);
        var byServer = probes.ToDictionary(p => p.Server, StringComparer.Ordinal);
        var definitions = probes.Where(p => p.Error is null).ToDictionary(p => p.Server, p => DefinitionsOf(p.Pages), StringComparer.Ordinal);
        var pinned = pins.ToDictionary(p => (p.Server, p.Tool));
        return new InventoryReport([.. servers.Select(server => Server(server, byServer.GetValueOrDefault(server.Name), definitions, pinned))]);
    }

    /// <summary>The tools of every page, first definition of a name only (as the gateway decides against it).</summary>
    public static IReadOnlyList<ToolDefinition> ToolsOf(IReadOnlyList<JsonNode?> pages)
    {
        ArgumentNullException.ThrowIfNull(pages);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var tools = new List<ToolDefinition>();
        foreach (var page in pages)
        {
            if (page is JsonObject { } result && result["tools"] is JsonArray array)
            {
                var element = JsonSerializer.SerializeToElement<JsonNode>(array, GatewayJsonContext.Default.JsonNode);
                tools.AddRange(ToolDefinition.ListFrom(element).Where(tool => seen.Add(tool.Name)));
            }
        }

        return tools;
    }

    /// <summary>
    /// Every different definition of every page, in order: copies of one definition under one name are one
    /// tool, but a name listed with different definitions gives each of them (a person must see them all; the
    /// gateway withholds the name, see <see cref="ToolDuplicates"/>).
    /// </summary>
    public static IReadOnlyList<ToolDefinition> DefinitionsOf(IReadOnlyList<JsonNode?> pages)
    {
        ArgumentNullException.ThrowIfNull(pages);
        var seen = new HashSet<(string Name, string Fingerprint)>();
        var tools = new List<ToolDefinition>();
        foreach (var page in pages)
        {
            if (page is JsonObject { } result && result["tools"] is JsonArray array)
            {
                var element = JsonSerializer.SerializeToElement<JsonNode>(array, GatewayJsonContext.Default.JsonNode);
                tools.AddRange(ToolDefinition.ListFrom(element).Where(tool => seen.Add((tool.Name, ToolFingerprint.Of(tool).Fingerprint))));
            }
        }

        return tools;
    }

    private static ServerInventory Server(
        ServerDefinition server,
        ProbedServer? probe,
        Dictionary<string, IReadOnlyList<ToolDefinition>> definitions,
        Dictionary<(string Server, string Tool), PinRecord> pins)
    {
        if (probe is null || probe.Error is not null || probe.Context is not { } context)
        {
            return new ServerInventory(server, null, null, probe?.Error ?? $"{server.Name} was not listed", false, [], [], []);
        }

        var scan = new ScanContext(server.Name, definitions
            .Where(d => d.Key != server.Name)
            .ToDictionary(d => d.Key, d => (IReadOnlyCollection<string>)[.. d.Value.Select(t => t.Name).Distinct(StringComparer.Ordinal)], StringComparer.Ordinal));
        var catalog = ToolCatalogReader.Read(probe.Pages);
        var instructionFindings = context.Instructions is { } instructions ? PoisoningScanner.ScanInstructions(instructions, scan) : [];
        var listed = definitions[server.Name];
        var conflicting = ToolDuplicates.Conflicting(listed);
        var tools = listed.Select(tool => Tool(server, context, tool, scan, pins, conflicting.Contains(tool.Name))).ToList();
        return new ServerInventory(server, context, probe.ProtocolVersion, null, probe.Truncated, catalog.Findings, instructionFindings, tools);
    }

    private static ToolPin PinOf(ServerDefinition server, PinState state, PinnedDefinition current, PinRecord? pin)
    {
        if (!server.Pinning || pin is null)
        {
            return new ToolPin(state, current.Fingerprint, null);
        }

        var diff = state == PinState.Changed ? DefinitionDiff.Between(pin.Pinned, current).Changes : [];
        return new ToolPin(state, current.Fingerprint, pin.Pinned.Fingerprint, pin.Changed?.Fingerprint, diff);
    }

    private static ToolInventory Tool(ServerDefinition server, ServerContext context, ToolDefinition tool, ScanContext scan, Dictionary<(string Server, string Tool), PinRecord> pins, bool conflicting)
    {
        var classification = RiskClassifier.Classify(tool, context);
        var findings = PoisoningScanner.Scan(tool, scan);
        var current = ToolFingerprint.Of(tool);
        var pin = pins.GetValueOrDefault((server.Name, tool.Name));
        var state = !server.Pinning ? PinState.Off : pin is null ? PinState.Unpinned : pin.StateOf(current);

        var hiddenBy = new List<string>();
        if (ToolNames.Problem(tool.Name) is not null)
        {
            hiddenBy.Add(HiddenReasons.UnusableName);
        }
        else if (server.Policy.Hides(tool.Name))
        {
            hiddenBy.Add(HiddenReasons.Policy);
        }

        if (conflicting)
        {
            hiddenBy.Add(HiddenReasons.DuplicateName);
        }

        if (state == PinState.Changed)
        {
            hiddenBy.Add(HiddenReasons.PinChanged);
        }

        if (findings.Count > 0 && server.Scan == ScanAction.Hide)
        {
            hiddenBy.Add(HiddenReasons.Scan);
        }

        // Observe mode refuses nothing, so the gateway hides nothing either; hiddenBy still says what enforcing would hide.
        var visible = server.Mode == EnforcementMode.Observe || hiddenBy.Count == 0;
        return new ToolInventory(
            tool,
            classification,
            server.Policy.Resolve(tool.Name),
            hiddenBy,
            visible,
            PinOf(server, state, current, pin),
            findings);
    }
}
