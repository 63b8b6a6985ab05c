using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace McpWarden.Gateway;

/// <summary>Source-generated serialization of the JSON nodes the gateway converts and writes (no reflection on the hot path).</summary>
[JsonSerializable(typeof(JsonNode))]
internal sealed partial class GatewayJsonContext : JsonSerializerContext;
