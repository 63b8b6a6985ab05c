using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace McpWarden.Tests.Gateway;

/// <summary>Raw Streamable HTTP requests to the gateway, for the checks a well-behaved client never trips.</summary>
internal sealed class McpHttpExchange : IDisposable
{
    public const string Initialize = """{"jsonrpc":"2.0","id":"init","method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"e2e","version":"1"}}}""";

    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(60) };

    public void Dispose() => _http.Dispose();

    /// <summary>POSTs one body with the headers a client sends (and any extra), and reads the answer, JSON or SSE.</summary>
    public async Task<McpHttpAnswer> PostAsync(Uri endpoint, string body, string? session = null, IReadOnlyDictionary<string, string>? headers = null, string accept = "application/json, text/event-stream")
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.TryAddWithoutValidation("Accept", accept);
        return await SendAsync(request, session, headers);
    }

    public async Task<McpHttpAnswer> SendAsync(HttpRequestMessage request, string? session = null, IReadOnlyDictionary<string, string>? headers = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (session is not null)
        {
            request.Headers.Add("Mcp-Session-Id", session);
        }

        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
        {
            if (name.Equals("Host", StringComparison.OrdinalIgnoreCase))
            {
                request.Headers.Host = value;
            }
            else
            {
                request.Headers.TryAddWithoutValidation(name, value);
            }
        }

        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead);
        var text = await response.Content.ReadAsStringAsync();
        // A priming event (an id and empty data, from servers that allow resuming) carries no message.
        var messages = response.Content.Headers.ContentType?.MediaType == "text/event-stream"
            ? text.Split('\n').Where(l => l.StartsWith("data: ", StringComparison.Ordinal) && l.Length > 6).Select(l => JsonDocument.Parse(l[6..]).RootElement.Clone()).ToList()
            : text.Length > 0 ? [JsonDocument.Parse(text).RootElement.Clone()] : [];
        return new McpHttpAnswer(response.StatusCode, response.Headers, response.Content.Headers.ContentType, messages);
    }

    /// <summary>Initializes a session and sends <c>notifications/initialized</c>; returns the session id.</summary>
    public async Task<string> InitializeAsync(Uri endpoint, IReadOnlyDictionary<string, string>? headers = null)
    {
        var answer = await PostAsync(endpoint, Initialize, headers: headers);
        if (answer.Status != HttpStatusCode.OK || !answer.Headers.TryGetValues("Mcp-Session-Id", out var ids))
        {
            throw new InvalidOperationException($"initialize failed: {(int)answer.Status} {answer.Last}");
        }

        var session = ids.Single();
        var initialized = await PostAsync(endpoint, """{"jsonrpc":"2.0","method":"notifications/initialized"}""", session, headers);
        return initialized.Status == HttpStatusCode.Accepted ? session : throw new InvalidOperationException($"notifications/initialized got {(int)initialized.Status}");
    }

    public static string Call(object id, string tool) =>
        "{\"jsonrpc\":\"2.0\",\"id\":" + JsonSerializer.Serialize(id) + ",\"method\":\"tools/call\",\"params\":{\"name\":\"" + tool + "\",\"arguments\":{}}}";
}

/// <summary>What came back: the status, the headers and the JSON-RPC messages (one for JSON, any number for SSE).</summary>
internal sealed record McpHttpAnswer(HttpStatusCode Status, HttpResponseHeaders Headers, MediaTypeHeaderValue? ContentType, IReadOnlyList<JsonElement> Messages)
{
    /// <summary>The last message (the answer, on a stream).</summary>
    public JsonElement Last => Messages.Count > 0 ? Messages[^1] : throw new InvalidOperationException($"HTTP {(int)Status} carried no message");

    public int ErrorCode => Last.GetProperty("error").GetProperty("code").GetInt32();

    public string ErrorMessage => Last.GetProperty("error").GetProperty("message").GetString()!;
}
