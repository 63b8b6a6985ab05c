using System.Text.Json;
using System.Text.Json.Nodes;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;

namespace McpWarden.Gateway.Relay;

/// <summary>The JSON-RPC messages every session builds the same way: errors, re-addressed answers and cancellations.</summary>
internal static class RelayMessages
{
    /// <summary>The code MCP clients use for a request that timed out.</summary>
    public const McpErrorCode RequestTimedOut = (McpErrorCode)(-32001);

    public static JsonRpcError Error(RequestId id, McpErrorCode code, string message) =>
        new() { Id = id, Error = new JsonRpcErrorDetail { Code = (int)code, Message = message } };

    /// <summary>
    /// The answer to <c>server/discover</c>, the stateless revision's probe: a legacy error code makes a modern
    /// client fall back to <c>initialize</c>, in a revision the gateway speaks.
    /// </summary>
    public static JsonRpcError StatelessRevisionRefused(RequestId id) =>
        Error(id, (McpErrorCode)(-32000), $"this gateway does not serve the stateless revision yet; initialize with {ProtocolVersions.Newest}");

    /// <summary>The same answer under another id: the id is all that changes between one side's id space and the other's.</summary>
    public static JsonRpcMessage WithId(JsonRpcMessageWithId message, RequestId id) => message switch
    {
        JsonRpcResponse response => new JsonRpcResponse { Id = id, Result = response.Result },
        JsonRpcError error => new JsonRpcError { Id = id, Error = error.Error },
        _ => throw new ArgumentException($"not an answer: {message.GetType().Name}", nameof(message)),
    };

    /// <summary><c>notifications/cancelled</c> for <paramref name="id"/>, keeping whatever else (a reason) the original carried.</summary>
    public static JsonRpcNotification CancellationOf(RequestId id, JsonNode? original)
    {
        var parameters = original is JsonObject given ? (JsonObject)given.DeepClone() : [];
        parameters["requestId"] = JsonSerializer.SerializeToNode(id, McpJson.RequestId);
        return new JsonRpcNotification { Method = NotificationMethods.CancelledNotification, Params = parameters };
    }

    /// <summary>
    /// The <c>_meta.progressToken</c> of a message's params as JSON text, or null. A <c>_meta</c> that is not an
    /// object carries none: a server's messages are not screened, and indexing a number by name would throw.
    /// </summary>
    public static string? ProgressTokenOf(JsonNode? parameters) =>
        (parameters as JsonObject)?["_meta"] is JsonObject meta ? meta["progressToken"]?.ToJsonString() : null;

    /// <summary>The <c>requestId</c> of a <c>notifications/cancelled</c>, string and number kept apart; null when it has none.</summary>
    public static RequestId? ReadRequestId(JsonNode? parameters)
    {
        if (parameters is not JsonObject body || body["requestId"] is not JsonValue value)
        {
            return null;
        }

        if (value.TryGetValue<string>(out var text))
        {
            return new RequestId(text);
        }

        return value.TryGetValue<long>(out var number) ? new RequestId(number) : null;
    }
}
