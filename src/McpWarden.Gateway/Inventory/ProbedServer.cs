using System.Text.Json.Nodes;
using McpWarden.Catalog.Definitions;

namespace McpWarden.Gateway.Inventory;

/// <summary>What one server said of itself and its tools when asked once, or why it could not be asked.</summary>
/// <param name="Server">The configured name.</param>
/// <param name="Context">What it announced in <c>initialize</c>; null when the handshake did not complete.</param>
/// <param name="ProtocolVersion">The revision it chose; null when the handshake did not complete.</param>
/// <param name="Pages">Every <c>tools/list</c> result it returned, in order (empty when it failed).</param>
/// <param name="Error">Why the server could not be listed (it could not be started, reached, or did not answer in time); null on success.</param>
/// <param name="Truncated">True when the server still offered a next page after the most the gateway reads.</param>
public sealed record ProbedServer(string Server, ServerContext? Context, string? ProtocolVersion, IReadOnlyList<JsonNode?> Pages, string? Error, bool Truncated = false)
{
    public static ProbedServer Failed(string server, string error) => new(server, null, null, [], error);
}
