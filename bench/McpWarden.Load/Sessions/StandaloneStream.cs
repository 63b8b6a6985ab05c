using System.Net;
using System.Net.Http.Headers;

namespace McpWarden.Load.Sessions;

/// <summary>
/// A session's GET stream, as the official SDKs' clients open one right after the handshake so the server can
/// reach them (list changes, sampling): held open, on a connection of its own, until the run ends.
/// </summary>
internal static class StandaloneStream
{
    public static async Task<HttpResponseMessage> OpenAsync(HttpClient http, Uri endpoint, string key, string sessionId, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, endpoint);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        request.Headers.Add("MCP-Protocol-Version", "2025-11-25");
        request.Headers.Add("Mcp-Session-Id", sessionId);
        var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.OK || response.Content.Headers.ContentType?.MediaType != "text/event-stream")
        {
            var status = (int)response.StatusCode;
            response.Dispose();
            throw new InvalidOperationException($"GET stream: HTTP {status}");
        }

        return response;
    }
}
