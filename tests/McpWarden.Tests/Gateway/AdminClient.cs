using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace McpWarden.Tests.Gateway;

/// <summary>The admin API of a running gateway, as an operator's script would call it.</summary>
internal sealed class AdminClient : IDisposable
{
    private readonly HttpClient _http;

    public AdminClient(Uri baseUrl, string? token = FixtureGateway.AdminToken)
    {
        _http = new HttpClient { BaseAddress = baseUrl, Timeout = TimeSpan.FromSeconds(30) };
        if (token is not null)
        {
            _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
    }

    public void Dispose() => _http.Dispose();

    public async Task<(HttpStatusCode Status, JsonElement Body)> GetAsync(string path, IReadOnlyDictionary<string, string>? headers = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
        {
            if (name == "Host")
            {
                request.Headers.Host = value;
            }
            else
            {
                request.Headers.TryAddWithoutValidation(name, value);
            }
        }

        using var response = await _http.SendAsync(request);
        return (response.StatusCode, await ReadAsync(response));
    }

    public async Task<(HttpStatusCode Status, JsonElement Body)> PostAsync(string path, string? body = null)
    {
        using var content = body is null ? null : new StringContent(body, Encoding.UTF8, "application/json");
        using var response = await _http.PostAsync(new Uri(path, UriKind.Relative), content);
        return (response.StatusCode, await ReadAsync(response));
    }

    /// <summary>Polls the pending approvals until <paramref name="count"/> are there (a held call registers asynchronously).</summary>
    public async Task<JsonElement[]> PendingAsync(int count)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            var (status, body) = await GetAsync("/api/approvals");
            if (status == HttpStatusCode.OK && body.GetArrayLength() >= count)
            {
                return [.. body.EnumerateArray()];
            }

            await Task.Delay(50, timeout.Token);
        }
    }

    /// <summary>Polls the audit log until a record matches (an upstream outcome is recorded when the answer arrives).</summary>
    public async Task<JsonElement[]> AuditAsync(string query, Func<JsonElement[], bool> until)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            var (status, body) = await GetAsync("/api/audit" + query);
            JsonElement[] records = status == HttpStatusCode.OK ? [.. body.EnumerateArray()] : [];
            if (until(records))
            {
                return records;
            }

            await Task.Delay(50, timeout.Token);
        }
    }

    private static async Task<JsonElement> ReadAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
    }
}
