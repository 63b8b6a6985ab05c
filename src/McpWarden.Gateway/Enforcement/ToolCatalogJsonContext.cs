using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace McpWarden.Gateway.Enforcement;

/// <summary>Source-generated serialization for the JSON nodes the enforcer converts (no reflection on the hot path).</summary>
[JsonSerializable(typeof(JsonNode))]
internal sealed partial class ToolCatalogJsonContext : JsonSerializerContext;
