using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace McpWarden.BenchKit;

/// <summary>
/// One MCP session over Streamable HTTP, spoken by hand (as a client's bytes reach the gateway): initialize,
/// <c>notifications/initialized</c>, then <c>tools/call</c> requests, each answered as JSON or on an SSE stream,
/// and DELETE at the end.
/// </summary>
public sealed class McpHttpSession
{
    private const string Initialize = """{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"mcpwarden-bench","version":"1"}}}""";

    private readonly HttpClient _http;
    private readonly Uri _endpoint;
    private readonly string? _key;
    private int _nextId;

    private McpHttpSession(HttpClient http, Uri endpoint, string? key, string id)
    {
        _http = http;
        _endpoint = endpoint;
        _key = key;
        Id = id;
    }

    /// <summary>The session id the gateway chose; limits with <c>"scope": "session"</c> are kept per session.</summary>
    public string Id { get; }

    /// <summary>Opens a session; throws <see cref="SessionOpenException"/> with what the gateway answered when it will not.</summary>
    /// <param name="key">The grant's bearer key; null sends no Authorization header (a server without auth).</param>
    public static async Task<McpHttpSession> OpenAsync(HttpClient http, Uri endpoint, string? key, CancellationToken cancellationToken)
    {
        var answer = await PostAsync(http, endpoint, key, null, Initialize, cancellationToken).ConfigureAwait(false);
        if (answer.Status != HttpStatusCode.OK || answer.SessionId is null || Find(answer.Messages, "0") is not { } reply || !reply.TryGetProperty("result", out _))
        {
            throw new SessionOpenException($"initialize: HTTP {(int)answer.Status} {Describe(answer.Messages)}", ErrorMessage(answer.Messages));
        }

        var initialized = await PostAsync(http, endpoint, key, answer.SessionId, """{"jsonrpc":"2.0","method":"notifications/initialized"}""", cancellationToken).ConfigureAwait(false);
        return initialized.Status == HttpStatusCode.Accepted
            ? new McpHttpSession(http, endpoint, key, answer.SessionId)
            : throw new SessionOpenException($"notifications/initialized: HTTP {(int)initialized.Status}", null);
    }

    /// <summary>Calls a tool with arguments given as a JSON object's text; the answer is the JSON-RPC message with the request's id, or null when none came.</summary>
    public async Task<HttpAnswer> CallToolAsync(string tool, string arguments, CancellationToken cancellationToken)
    {
        var id = Interlocked.Increment(ref _nextId).ToString(CultureInfo.InvariantCulture);
        var body = $$$"""{"jsonrpc":"2.0","id":{{{id}}},"method":"tools/call","params":{"name":{{{JsonSerializer.Serialize(tool)}}},"arguments":{{{arguments}}}}}""";
        var answer = await PostAsync(_http, _endpoint, _key, Id, body, cancellationToken).ConfigureAwait(false);
        return answer with { Reply = Find(answer.Messages, id) };
    }

    /// <summary>Ends the session (best effort: a gateway that already forgot it answers 404, which is fine).</summary>
    public async Task CloseAsync(CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Delete, _endpoint);
        if (_key is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _key);
        }

        request.Headers.Add("Mcp-Session-Id", Id);
        using var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<HttpAnswer> PostAsync(HttpClient http, Uri endpoint, string? key, string? session, string body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.TryAddWithoutValidation("Accept", "application/json, text/event-stream");
        if (key is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        request.Headers.Add("MCP-Protocol-Version", "2025-11-25");
        if (session is not null)
        {
            request.Headers.Add("Mcp-Session-Id", session);
        }

        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        var messages = response.Content.Headers.ContentType?.MediaType == "text/event-stream" ? FromEventStream(text) : FromJson(text);
        var sessionId = response.Headers.TryGetValues("Mcp-Session-Id", out var ids) ? ids.FirstOrDefault() : null;
        return new HttpAnswer(response.StatusCode, sessionId, messages, null);
    }

    private static List<JsonElement> FromJson(string text)
    {
        if (text.Length == 0)
        {
            return [];
        }

        try
        {
            return [JsonDocument.Parse(text).RootElement.Clone()];
        }
        catch (JsonException)
        {
            // Not JSON-RPC at all (a plain-text refusal): the caller reports the status with no message.
            return [];
        }
    }

    /// <summary>The JSON of each event's data lines; an event with empty data (a priming event, a keep-alive) carries none.</summary>
    private static List<JsonElement> FromEventStream(string text)
    {
        var messages = new List<JsonElement>();
        var data = new StringBuilder();
        foreach (var line in text.Split('\n'))
        {
            var trimmed = line.TrimEnd('\r');
            if (trimmed.Length == 0)
            {
                Flush();
            }
            else if (trimmed.StartsWith("data:", StringComparison.Ordinal))
            {
                data.Append(trimmed.AsSpan(trimmed.StartsWith("data: ", StringComparison.Ordinal) ? 6 : 5));
            }
        }

        Flush();
        return messages;

        void Flush()
        {
            if (data.Length > 0)
            {
                messages.Add(JsonDocument.Parse(data.ToString()).RootElement.Clone());
                data.Clear();
            }
        }
    }

    private static JsonElement? Find(IReadOnlyList<JsonElement> messages, string id)
    {
        foreach (var message in messages)
        {
            if (message.ValueKind == JsonValueKind.Object && message.TryGetProperty("id", out var found) && found.ToString() == id)
            {
                return message;
            }
        }

        return null;
    }

    private static string? ErrorMessage(IReadOnlyList<JsonElement> messages) =>
        messages.Select(m => m.ValueKind == JsonValueKind.Object && m.TryGetProperty("error", out var e) && e.TryGetProperty("message", out var text) ? text.GetString() : null)
            .FirstOrDefault(m => m is not null);

    private static string Describe(IReadOnlyList<JsonElement> messages) => messages.Count == 0 ? "(no message)" : messages[^1].GetRawText();
}
