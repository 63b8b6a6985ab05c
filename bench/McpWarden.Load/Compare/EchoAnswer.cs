using System.Net;
using System.Text.Json;
using McpWarden.BenchKit;

namespace McpWarden.Load.Compare;

/// <summary>Whether an answer to <c>echo</c> is the success it must be: a JSON-RPC result whose one text block is the text sent.</summary>
internal static class EchoAnswer
{
    /// <summary>Null when the answer echoes <paramref name="text"/>; otherwise what was wrong, with the answer (a refusal, an error, another text).</summary>
    public static string? Problem(HttpAnswer answer, string text)
    {
        if (answer.Status != HttpStatusCode.OK || answer.Reply is not { } reply)
        {
            return $"HTTP {(int)answer.Status}, {(answer.Reply is null ? "no answer to the call" : Shown(answer.Reply.Value))}";
        }

        if (!reply.TryGetProperty("result", out var result))
        {
            return "not a result: " + Shown(reply);
        }

        var ok = !(result.TryGetProperty("isError", out var isError) && isError.ValueKind == JsonValueKind.True)
            && result.TryGetProperty("content", out var content) && content.ValueKind == JsonValueKind.Array && content.GetArrayLength() == 1
            && content[0].TryGetProperty("type", out var type) && type.ValueEquals("text")
            && content[0].TryGetProperty("text", out var echoed) && echoed.ValueKind == JsonValueKind.String && echoed.ValueEquals(text);
        return ok ? null : "not the text sent back: " + Shown(reply);
    }

    private static string Shown(JsonElement message)
    {
        var raw = message.GetRawText();
        return raw.Length <= 400 ? raw : raw[..400] + "…";
    }
}
