using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using McpWarden.Gateway;
using McpWarden.Policy.Json;
using Xunit;

namespace McpWarden.Fuzzing.Tests.Fronts;

/// <summary>What every error frame the front answers a refused message with must be.</summary>
internal static class ErrorFrameChecks
{
    /// <summary>JSON-RPC's own codes; -32099 to -32000 is reserved for the server.</summary>
    private static readonly int[] StandardCodes = [-32700, -32600, -32601, -32602, -32603];

    /// <summary>Messages quote the input shortened; one far longer than this echoes the input whole.</summary>
    private const int MaxMessageLength = 1_000;

    /// <summary>
    /// Checks a frame: JSON-RPC 2.0 with an id that is null or the refused message's own (never an invented
    /// one, which the client would take for the answer to another request), an error code in the standard
    /// range, and a message that is non-empty, bounded and one printable line (it is logged too).
    /// </summary>
    public static void Check(JsonObject frame, ReadOnlySpan<byte> refused)
    {
        // The frame must be what the front writes: valid UTF-8 JSON that a strict reader accepts.
        var bytes = JsonSerializer.SerializeToUtf8Bytes(frame, GatewayJsonContext.Default.JsonNode);
        using (var written = SourceDocument.Parse("frame", bytes))
        {
            Assert.True(written.Diagnostics.Count == 0, $"the error frame is not valid JSON: {string.Join("; ", written.Diagnostics)}");
        }

        Assert.Equal("2.0", (string?)frame["jsonrpc"]);
        Assert.True(frame.ContainsKey("id"), "the error frame has no id");
        if (frame["id"] is { } id)
        {
            Assert.True(id.GetValueKind() is JsonValueKind.String or JsonValueKind.Number, $"the error frame's id is {id.ToJsonString()}");
            Assert.Equal(OwnId(refused), id.ToJsonString());
        }

        var error = Assert.IsType<JsonObject>(frame["error"]);
        var code = error["code"]!.GetValue<int>();
        Assert.True(StandardCodes.Contains(code) || code is >= -32099 and <= -32000, $"error code {code} is outside JSON-RPC's range");
        var message = error["message"]!.GetValue<string>();
        Assert.False(string.IsNullOrWhiteSpace(message), "the error frame says nothing");
        if (message.Length > MaxMessageLength)
        {
            Assert.Fail($"the error message echoes {message.Length} characters: {message[..200]}…");
        }

        var hidden = message.FirstOrDefault(c => char.IsControl(c) || char.IsSurrogate(c) || CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.Format);
        Assert.True(hidden == default, $"the error message holds the hidden character U+{(int)hidden:X4}: {JsonSerializer.Serialize(message)}");
    }

    /// <summary>The id the refused message carries, as JSON text; null when it has none a standard parser can find.</summary>
    private static string? OwnId(ReadOnlySpan<byte> refused)
    {
        try
        {
            using var document = JsonDocument.Parse(refused.ToArray(), StandardReader.Options);
            return document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("id", out var id)
                ? JsonNode.Parse(id.GetRawText())!.ToJsonString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
