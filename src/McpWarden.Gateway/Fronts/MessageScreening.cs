using System.Text.Json;
using System.Text.Json.Nodes;
using McpWarden.Policy.Diagnostics;
using McpWarden.Policy.Json;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;

namespace McpWarden.Gateway.Fronts;

/// <summary>
/// The first look at every message a client sends: it must be valid UTF-8, valid JSON, one object (no
/// batches), free of duplicate keys, even keys that differ only in case (a parser differential between
/// gateway and server would be a bypass), within the size limit, and a JSON-RPC message whose id, when it
/// has one, is a string or an integer (never null) and whose params, when it has them, are an object, as
/// is their <c>_meta</c>. What fails gets an error frame that says why.
/// </summary>
public static class MessageScreening
{
    /// <summary>The largest message a client may send, unless configured otherwise: 4 MiB.</summary>
    public const int DefaultMaxMessageBytes = 4 * 1024 * 1024;

    /// <summary>Reads one message, or the error frame to answer with.</summary>
    public static (JsonRpcMessage? Message, JsonObject? Error) Screen(ReadOnlySpan<byte> utf8, int maxBytes = DefaultMaxMessageBytes)
    {
        if (utf8.Length > maxBytes)
        {
            return Refuse(McpErrorCode.InvalidRequest, $"the message is {utf8.Length} bytes; the limit is {maxBytes}");
        }

        using var document = SourceDocument.Parse("message", utf8);
        if (document.Diagnostics.FirstOrDefault(d => d.IsError) is { } problem)
        {
            var code = problem.Code is DiagnosticCodes.InvalidJson or DiagnosticCodes.InvalidUtf8 or DiagnosticCodes.EmptyDocument
                ? McpErrorCode.ParseError
                : McpErrorCode.InvalidRequest;
            return Refuse(code, $"{problem.Message} at {JsonPointer.Display(problem.Path)} ({problem.Position})");
        }

        var root = document.Root!.Value;
        if (root.ValueKind == JsonValueKind.Array)
        {
            return Refuse(McpErrorCode.InvalidRequest, "batches are not supported (removed from MCP in 2025-06-18): send one message at a time");
        }

        if (root.ValueKind != JsonValueKind.Object)
        {
            return Refuse(McpErrorCode.InvalidRequest, $"a message must be a JSON-RPC object, got {JsonText.Describe(root)}");
        }

        // The id is echoed only for a request: an answer with the same id would look, to the client, like the answer to its own request.
        var isRequest = root.TryGetProperty("method", out var method);
        var hasId = root.TryGetProperty("id", out var id);
        if (hasId && !(id.ValueKind == JsonValueKind.String || (id.ValueKind == JsonValueKind.Number && id.TryGetInt64(out _))))
        {
            return Refuse(McpErrorCode.InvalidRequest, $"\"id\" must be a string or an integer, got {JsonText.Describe(id)}");
        }

        var echo = isRequest && hasId ? JsonNode.Parse(id.GetRawText()) : null;
        if (!root.TryGetProperty("jsonrpc", out var version) || version.ValueKind != JsonValueKind.String || version.GetString() != "2.0")
        {
            return Refuse(McpErrorCode.InvalidRequest, "\"jsonrpc\" must be \"2.0\"", echo);
        }

        if (isRequest && method.ValueKind != JsonValueKind.String)
        {
            return Refuse(McpErrorCode.InvalidRequest, $"\"method\" must be a string, got {JsonText.Describe(method)}", echo);
        }

        if (root.TryGetProperty("params", out var parameters) && parameters.ValueKind != JsonValueKind.Object)
        {
            return Refuse(McpErrorCode.InvalidParams, $"\"params\" must be an object, got {JsonText.Describe(parameters)}", echo);
        }

        // Both the gateway and servers look inside _meta (for a progress token, say): anything but an object there
        // is read differently by each, or not at all.
        if (parameters.ValueKind == JsonValueKind.Object && parameters.TryGetProperty("_meta", out var meta) && meta.ValueKind != JsonValueKind.Object)
        {
            return Refuse(McpErrorCode.InvalidParams, $"\"params._meta\" must be an object, got {JsonText.Describe(meta)}", echo);
        }

        if (CaseCollision(root, string.Empty) is { } collision)
        {
            return Refuse(McpErrorCode.InvalidRequest, collision, echo);
        }

        if (parameters.ValueKind == JsonValueKind.Object && Misspelled(parameters) is { } misspelled)
        {
            return Refuse(McpErrorCode.InvalidParams, misspelled, echo);
        }

        try
        {
            return root.Deserialize(McpJson.Message) is { } message
                ? (message, null)
                : Refuse(McpErrorCode.InvalidRequest, "not a JSON-RPC message", echo);
        }
        catch (JsonException e)
        {
            return Refuse(McpErrorCode.InvalidRequest, $"not a valid JSON-RPC message: {e.Message}", echo);
        }
    }

    /// <summary>
    /// The parameters the gateway decides on, spelled in another case: alone, <c>"Arguments"</c> is no
    /// arguments to the gateway, which reads keys exactly, but the arguments to a server with a
    /// case-insensitive reader, so the call would be judged on <c>{}</c> and run on what the client sent.
    /// </summary>
    private static string? Misspelled(JsonElement parameters)
    {
        foreach (var property in parameters.EnumerateObject())
        {
            if (DecidedParameters.FirstOrDefault(known => Folded(known) == Folded(property.Name) && known != property.Name) is { } meant)
            {
                return $"{JsonText.Quote(property.Name)} in params is {JsonText.Quote(meant)} in another case: a server may read it as {JsonText.Quote(meant)}, "
                    + "the gateway does not, so the message is refused: spell it exactly";
            }
        }

        return null;
    }

    private static readonly string[] DecidedParameters = ["name", "arguments", "_meta"];

    /// <summary>A key as case-insensitive readers compare it (so the Kelvin sign meets <c>k</c> and the long s meets <c>s</c>).</summary>
    private static string Folded(string key) => key.ToLowerInvariant().ToUpperInvariant();

    /// <summary>
    /// An error frame written by hand: the SDK would write a missing id as <c>""</c>, which a client reads as
    /// one of its own ids; JSON-RPC wants <c>null</c>.
    /// </summary>
    public static JsonObject ErrorFrame(McpErrorCode code, string message, JsonNode? id = null) => new()
    {
        ["jsonrpc"] = "2.0",
        ["id"] = id,
        ["error"] = new JsonObject { ["code"] = (int)code, ["message"] = message },
    };

    /// <summary>
    /// The first object, depth first, with two keys that differ only in case, described; null when there is none.
    /// The gateway reads keys exactly, but servers built on case-insensitive readers (the MCP SDK for .NET, Go's
    /// encoding/json) take <c>"amount"</c> and <c>"Amount"</c> as one key and keep the last: the gateway would
    /// check one value and the server act on another. Keys are compared by their lower then upper case, so
    /// that the Kelvin sign meets <c>k</c> and the long s meets <c>s</c>, as such readers fold them.
    /// </summary>
    private static string? CaseCollision(JsonElement element, string path)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                var folded = new Dictionary<string, string>(StringComparer.Ordinal);
                foreach (var property in element.EnumerateObject())
                {
                    var key = Folded(property.Name);
                    if (!folded.TryAdd(key, property.Name))
                    {
                        return $"the keys {JsonText.Quote(folded[key])} and {JsonText.Quote(property.Name)} at {JsonPointer.Display(path)} differ only in case; "
                            + "a server may read them as one key, so the message is refused: send each key once, in one spelling";
                    }

                    if (property.Value.ValueKind is JsonValueKind.Object or JsonValueKind.Array
                        && CaseCollision(property.Value, JsonPointer.Append(path, property.Name)) is { } nested)
                    {
                        return nested;
                    }
                }

                return null;

            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    if (CaseCollision(item, JsonPointer.Append(path, index)) is { } nested)
                    {
                        return nested;
                    }

                    index++;
                }

                return null;

            default:
                return null;
        }
    }

    private static (JsonRpcMessage?, JsonObject?) Refuse(McpErrorCode code, string message, JsonNode? id = null) => (null, ErrorFrame(code, message, id));
}
