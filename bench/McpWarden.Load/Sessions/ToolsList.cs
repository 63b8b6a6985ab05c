using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace McpWarden.Load.Sessions;

/// <summary>One <c>tools/list</c> in an open session, as a client asks it once after its handshake.</summary>
internal static class ToolsList
{
    private const string Body = """{"jsonrpc":"2.0","id":"list-1","method":"tools/list"}""";

    public static async Task AskAsync(HttpClient http, Uri endpoint, string key, string sessionId, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint) { Content = new StringContent(Body, Encoding.UTF8, "application/json") };
        request.Headers.TryAddWithoutValidation("Accept", "application/json, text/event-stream");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        request.Headers.Add("MCP-Protocol-Version", "2025-11-25");
        request.Headers.Add("Mcp-Session-Id", sessionId);
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.OK || !text.Contains("\"tools\"", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"tools/list: HTTP {(int)response.StatusCode} {text[..Math.Min(text.Length, 300)]}");
        }
    }
}
