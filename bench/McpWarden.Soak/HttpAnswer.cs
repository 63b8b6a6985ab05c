using System.Net;
using System.Text.Json;

namespace McpWarden.Soak;

/// <summary>What one POST got back: the HTTP status, the session id header, every JSON-RPC message, and the reply to the request.</summary>
internal sealed record HttpAnswer(HttpStatusCode Status, string? SessionId, IReadOnlyList<JsonElement> Messages, JsonElement? Reply);
