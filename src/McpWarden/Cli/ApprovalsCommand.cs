using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace McpWarden.Cli;

/// <summary>
/// <c>mcpwarden approvals list|approve ID|deny ID</c>: decides held calls through a running gateway's admin
/// API. The token comes from <c>--token</c> or <c>MCPWARDEN_ADMIN_TOKEN</c> (the configuration keeps only its hash).
/// </summary>
internal static class ApprovalsCommand
{
    /// <summary>The environment variable read when <c>--token</c> is not given.</summary>
    public const string TokenVariable = "MCPWARDEN_ADMIN_TOKEN";

    public static async Task<int> RunAsync(ApprovalsRequest request, HttpMessageHandler? handler, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Token is not { Length: > 0 } token)
        {
            await error.WriteLineAsync($"approvals: no admin token: pass --token or set {TokenVariable}").ConfigureAwait(false);
            return ExitCodes.Invalid;
        }

        if (!Uri.TryCreate(request.Url.TrimEnd('/') + "/", UriKind.Absolute, out var baseUri) || (baseUri.Scheme != Uri.UriSchemeHttp && baseUri.Scheme != Uri.UriSchemeHttps))
        {
            await error.WriteLineAsync($"approvals: --url must be the gateway's http(s) address, got \"{request.Url}\"").ConfigureAwait(false);
            return ExitCodes.Invalid;
        }

        using var client = handler is null ? new HttpClient() : new HttpClient(handler, disposeHandler: false);
        client.BaseAddress = baseUri;
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        try
        {
            return request.Action switch
            {
                "list" => await ListAsync(client, request.Json, output, error, cancellationToken).ConfigureAwait(false),
                _ => await DecideAsync(client, request, output, error, cancellationToken).ConfigureAwait(false),
            };
        }
        catch (HttpRequestException e)
        {
            await error.WriteLineAsync($"approvals: cannot reach the gateway at {baseUri}: {e.Message}").ConfigureAwait(false);
            return ExitCodes.Invalid;
        }
    }

    private static async Task<int> ListAsync(HttpClient client, bool json, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        using var response = await client.GetAsync(new Uri("api/approvals", UriKind.Relative), cancellationToken).ConfigureAwait(false);
        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            return await RefusedAsync("list", response, body, error).ConfigureAwait(false);
        }

        var approvals = JsonNode.Parse(body)?.AsArray() ?? [];
        foreach (var approval in approvals)
        {
            // One line each: what a person needs to decide, and the id to decide it with.
            await output.WriteLineAsync(json
                ? approval!.ToJsonString()
                : $"{approval!["id"]}  {approval["grant"]} -> {approval["server"]}/{approval["tool"]}  {approval["arguments"]?.ToJsonString()}  expires {approval["expiresAt"]}").ConfigureAwait(false);
        }

        if (!json)
        {
            await error.WriteLineAsync($"approvals: {approvals.Count} pending").ConfigureAwait(false);
        }

        return ExitCodes.Success;
    }

    private static async Task<int> DecideAsync(HttpClient client, ApprovalsRequest request, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        if (request.Id is not { Length: > 0 } id)
        {
            await error.WriteLineAsync($"approvals {request.Action}: which approval? Give its id (see: mcpwarden approvals list)").ConfigureAwait(false);
            return ExitCodes.Invalid;
        }

        using var content = request.Reason is { } reason
            ? new StringContent(new JsonObject { ["reason"] = reason }.ToJsonString(), Encoding.UTF8, "application/json")
            : null;
        using var response = await client.PostAsync(new Uri($"api/approvals/{Uri.EscapeDataString(id)}/{request.Action}", UriKind.Relative), content, cancellationToken).ConfigureAwait(false);
        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            return await RefusedAsync(request.Action, response, body, error).ConfigureAwait(false);
        }

        var approval = JsonNode.Parse(body);
        await output.WriteLineAsync($"{approval?["id"]}: {approval?["state"]}").ConfigureAwait(false);
        return ExitCodes.Success;
    }

    private static async Task<int> RefusedAsync(string action, HttpResponseMessage response, string body, TextWriter error)
    {
        string message;
        try
        {
            message = JsonNode.Parse(body)?["error"]?.GetValue<string>() ?? body;
        }
        catch (JsonException)
        {
            message = body;
        }

        await error.WriteLineAsync($"approvals {action}: {(int)response.StatusCode} {message}").ConfigureAwait(false);
        return ExitCodes.Invalid;
    }
}
