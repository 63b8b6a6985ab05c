using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace McpWarden.Tests.Security;

/// <summary>
/// Sends a corpus case over HTTP exactly as written: raw body bytes, the headers a client usually sends
/// (Accept, Content-Type, the agent grant's key, and in a session its id and protocol version) with the case's
/// own added, replaced or left out.
/// </summary>
internal sealed class HostileHttpClient : IDisposable
{
    private readonly HttpClient _http = new(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false }) { Timeout = TimeSpan.FromSeconds(30) };

    public void Dispose() => _http.Dispose();

    public async Task<HttpExchange> SendAsync(Uri baseUrl, HostileInputCase hostile, string? sessionId)
    {
        ArgumentNullException.ThrowIfNull(hostile);
        var shape = hostile.Http;
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["Accept"] = "application/json, text/event-stream",
            ["Content-Type"] = "application/json",
            ["Authorization"] = "Bearer " + HostileInputGateways.AgentKey,
        };
        if (sessionId is not null)
        {
            headers["Mcp-Session-Id"] = sessionId;
            headers["MCP-Protocol-Version"] = "2025-11-25";
        }

        foreach (var (name, value) in shape.Headers)
        {
            headers[name] = HostileInputCorpus.ExpandText(value);
        }

        foreach (var name in shape.OmitHeaders)
        {
            headers.Remove(name);
        }

        using var request = new HttpRequestMessage(new HttpMethod(shape.Method), new Uri(baseUrl, HostileInputCorpus.ExpandText(shape.Path)));
        var body = HostileInputCorpus.Expand(hostile.Body);
        if (shape.Method == "POST" || body.Length > 0)
        {
            request.Content = new ByteArrayContent(body);
        }

        foreach (var (name, value) in headers)
        {
            if (name.Equals("Content-Type", StringComparison.OrdinalIgnoreCase))
            {
                request.Content?.Headers.TryAddWithoutValidation(name, value);
            }
            else if (name.Equals("Host", StringComparison.OrdinalIgnoreCase))
            {
                request.Headers.Host = value;
            }
            else if (!request.Headers.TryAddWithoutValidation(name, value))
            {
                throw new InvalidOperationException($"{hostile.Key}: the header {name} cannot be sent");
            }
        }

        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead);
        var text = await response.Content.ReadAsStringAsync();
        return new HttpExchange(response.StatusCode, response.Content.Headers.ContentType, text);
    }

    public async Task<HttpStatusCode> HealthAsync(Uri baseUrl)
    {
        using var response = await _http.GetAsync(new Uri(baseUrl, "/healthz"));
        return response.StatusCode;
    }

    /// <summary>A real call of a tool (by default the allowed one) in a session, as a client makes it.</summary>
    public async Task<HttpExchange> CallAsync(Uri endpoint, string sessionId, string id, string tool = HostileInputGateways.AllowedTool)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint)
        {
            Content = new StringContent(
                HostileInputGateways.RealCall(id, tool),
                Encoding.UTF8,
                "application/json"),
        };
        request.Headers.TryAddWithoutValidation("Accept", "application/json, text/event-stream");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", HostileInputGateways.AgentKey);
        request.Headers.Add("Mcp-Session-Id", sessionId);
        request.Headers.Add("MCP-Protocol-Version", "2025-11-25");
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead);
        return new HttpExchange(response.StatusCode, response.Content.Headers.ContentType, await response.Content.ReadAsStringAsync());
    }
}

/// <summary>An HTTP answer: its status and body, and the JSON-RPC messages in it (one for JSON, any number for SSE).</summary>
internal sealed record HttpExchange(HttpStatusCode Status, MediaTypeHeaderValue? ContentType, string Body)
{
    public IReadOnlyList<JsonElement> Messages => ContentType?.MediaType == "text/event-stream"
        ? [.. Body.Split('\n').Where(l => l.StartsWith("data: ", StringComparison.Ordinal) && l.Length > 6).Select(l => Parse(l[6..]))]
        : Body.Length > 0 ? [Parse(Body)] : [];

    public override string ToString() => $"HTTP {(int)Status} {ContentType} {Body}";

    private static JsonElement Parse(string text)
    {
        using var document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }
}
