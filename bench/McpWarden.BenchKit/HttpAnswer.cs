using System.Net;
using System.Text.Json;

namespace McpWarden.BenchKit;

/// <summary>What one POST got back: the HTTP status, the session id header, every JSON-RPC message, and the reply to the request.</summary>
public sealed record HttpAnswer(HttpStatusCode Status, string? SessionId, IReadOnlyList<JsonElement> Messages, JsonElement? Reply);
