using System.Text.Json;
using McpWarden.Policy.Diagnostics;
using McpWarden.Policy.Json;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;

namespace McpWarden.Gateway.Fronts;

/// <summary>
/// The first look at every message a client sends: it must be valid UTF-8, valid JSON, one object (no
/// batches), free of duplicate keys (a parser differential between gateway and server would be a
/// bypass), within the size limit, and a JSON-RPC message. What fails gets a JSON-RPC error that says why.
/// </summary>
public static class MessageScreening
{
    /// <summary>The largest message a client may send, unless configured otherwise: 4 MiB.</summary>
    public const int DefaultMaxMessageBytes = 4 * 1024 * 1024;

    /// <summary>Reads one message, or the error to answer with.</summary>
    public static (JsonRpcMessage? Message, JsonRpcError? Error) Screen(ReadOnlySpan<byte> utf8, int maxBytes = DefaultMaxMessageBytes)
    {
        if (utf8.Length > maxBytes)
        {
            return (null, Error(McpErrorCode.InvalidRequest, $"the message is {utf8.Length} bytes; the limit is {maxBytes}"));
        }

        using var document = SourceDocument.Parse("message", utf8);
        if (document.Diagnostics.FirstOrDefault(d => d.IsError) is { } problem)
        {
            var code = problem.Code is DiagnosticCodes.InvalidJson or DiagnosticCodes.InvalidUtf8 or DiagnosticCodes.EmptyDocument
                ? McpErrorCode.ParseError
                : McpErrorCode.InvalidRequest;
            return (null, Error(code, $"{problem.Message} at {JsonPointer.Display(problem.Path)} ({problem.Position})"));
        }

        var root = document.Root!.Value;
        if (root.ValueKind == JsonValueKind.Array)
        {
            return (null, Error(McpErrorCode.InvalidRequest, "batches are not supported (removed from MCP in 2025-06-18): send one message at a time"));
        }

        if (root.ValueKind != JsonValueKind.Object)
        {
            return (null, Error(McpErrorCode.InvalidRequest, $"a message must be a JSON-RPC object, got {JsonText.Describe(root)}"));
        }

        if (!root.TryGetProperty("jsonrpc", out var version) || version.ValueKind != JsonValueKind.String || version.GetString() != "2.0")
        {
            return (null, Error(McpErrorCode.InvalidRequest, "\"jsonrpc\" must be \"2.0\"", IdOf(root)));
        }

        try
        {
            var message = root.Deserialize(McpJson.Message);
            return message is null
                ? (null, Error(McpErrorCode.InvalidRequest, "not a JSON-RPC message", IdOf(root)))
                : (message, null);
        }
        catch (JsonException e)
        {
            return (null, Error(McpErrorCode.InvalidRequest, $"not a valid JSON-RPC message: {e.Message}", IdOf(root)));
        }
    }

    /// <summary>The request's id, when it has a usable one, so that the error can be matched to it.</summary>
    private static RequestId? IdOf(JsonElement root)
    {
        if (!root.TryGetProperty("id", out var id))
        {
            return null;
        }

        return id.ValueKind switch
        {
            JsonValueKind.String => new RequestId(id.GetString()!),
            JsonValueKind.Number when id.TryGetInt64(out var number) => new RequestId(number),
            _ => null,
        };
    }

    private static JsonRpcError Error(McpErrorCode code, string message, RequestId? id = null) =>
        new() { Id = id ?? default, Error = new JsonRpcErrorDetail { Code = (int)code, Message = message } };
}
