using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using McpWarden.Policy;
using McpWarden.Tests.Cli;
using Xunit;

namespace McpWarden.Tests.Gateway;

/// <summary>
/// The policy editor's admin endpoints against the real <c>mcpwarden serve</c>: reading a server's policy file,
/// checking a text as <c>mcpwarden check</c> does, saving with <c>If-Match</c> and an immediate reload that a
/// client sees at once, refusing what must not be saved, and the recommendation from the live tools.
/// </summary>
public sealed class PolicyEditingEndToEndTests : IDisposable
{
    private const string Initial = """
        {
          "version": "1",
          "default": "deny",
          "tools": { "get_balance": {} }
        }
        """;

    private readonly string _directory = Directory.CreateTempSubdirectory("mcpwarden-policy-edit-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string PolicyFile => Path.Combine(_directory, "payments.policy.json");

    private FixtureGateway WithPolicyFile(string text)
    {
        File.WriteAllText(PolicyFile, text);
        return new FixtureGateway(_directory, JsonSerializer.Serialize(PolicyFile));
    }

    [Fact]
    public async Task Document_IsTheFileAsItIs_WithItsEtagParsedJsonAndDiagnostics()
    {
        // No "default": a warning the editor must show too.
        const string text = "{ \"version\": \"1\",\n  \"tools\": { \"get_balance\": { \"arguments\": { \"$comment\": \"kept\" } } } }\n";
        var fixture = WithPolicyFile(text);
        await using var gateway = await ServeGatewayProcess.StartAsync(fixture.Configuration);
        using var admin = new PolicyAdmin(gateway.BaseUrl);

        var (status, body, etag) = await admin.SendAsync(HttpMethod.Get, "/api/policies/payments/document");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("payments", body.GetProperty("server").GetString());
        Assert.Equal("file", body.GetProperty("source").GetString());
        Assert.True(body.GetProperty("editable").GetBoolean());
        Assert.Equal(text, body.GetProperty("text").GetString());
        Assert.Equal(Sha256(text), body.GetProperty("etag").GetString());
        Assert.Equal($"\"{Sha256(text)}\"", etag);
        Assert.Equal("kept", body.GetProperty("policy").GetProperty("tools").GetProperty("get_balance").GetProperty("arguments").GetProperty("$comment").GetString());
        var diagnostic = Assert.Single(body.GetProperty("diagnostics").EnumerateArray());
        Assert.Equal("MW1006", diagnostic.GetProperty("code").GetString());
        Assert.Equal("warning", diagnostic.GetProperty("severity").GetString());

        var (missing, error, _) = await admin.SendAsync(HttpMethod.Get, "/api/policies/nope/document");
        Assert.Equal(HttpStatusCode.NotFound, missing);
        Assert.Contains("nope", error.GetProperty("error").GetString(), StringComparison.Ordinal);

        using var anonymous = new PolicyAdmin(gateway.BaseUrl, token: null);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.SendAsync(HttpMethod.Get, "/api/policies/payments/document")).Status);
    }

    [Fact]
    public async Task InlinePolicy_IsShownButNotEditable_AndASaveIsRefused()
    {
        var fixture = new FixtureGateway(_directory, Initial);
        await using var gateway = await ServeGatewayProcess.StartAsync(fixture.Configuration);
        using var admin = new PolicyAdmin(gateway.BaseUrl);
        var before = await File.ReadAllTextAsync(fixture.Configuration, TestContext.Current.CancellationToken);

        var (status, body, _) = await admin.SendAsync(HttpMethod.Get, "/api/policies/payments/document");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("inline", body.GetProperty("source").GetString());
        Assert.False(body.GetProperty("editable").GetBoolean());
        Assert.Contains("move it to a file", body.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Equal("deny", body.GetProperty("policy").GetProperty("default").GetString());

        var (saved, refusal, _) = await admin.SendAsync(HttpMethod.Put, "/api/policies/payments/document", Initial, ifMatch: new string('0', 64));
        Assert.Equal(HttpStatusCode.Conflict, saved);
        Assert.Contains("inline", refusal.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(before, await File.ReadAllTextAsync(fixture.Configuration, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Check_SaysWhatTheCheckCommandSays()
    {
        const string text = """
            {
              "version": "1",
              "default": "deny",
              "tools": {
                "mpesa_stk_push": { "limits": [ { "counter": "stk", "window": "fortnight", "max": -1 } ] },
                "b2c_payment": { "arguments": { "properties": { "amount": { "maximun": 1000 } } } }
              }
            }
            """;
        var fixture = WithPolicyFile(Initial);
        await using var gateway = await ServeGatewayProcess.StartAsync(fixture.Configuration);
        using var admin = new PolicyAdmin(gateway.BaseUrl);

        var (status, body, _) = await admin.SendAsync(HttpMethod.Post, "/api/policies/check", text);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.False(body.GetProperty("valid").GetBoolean());
        var reported = body.GetProperty("diagnostics").EnumerateArray()
            .Select(d => $"{d.GetProperty("line").GetInt32()}:{d.GetProperty("column").GetInt32()} {d.GetProperty("code").GetString()} {d.GetProperty("path").GetString()}")
            .ToArray();

        var file = Path.Combine(_directory, "checked.json");
        await File.WriteAllTextAsync(file, text, TestContext.Current.CancellationToken);
        var check = await CliProcess.RunAsync("check", file);
        var expected = check.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line[(line.IndexOf(".json:", StringComparison.Ordinal) + ".json:".Length)..])
            .Select(rest => string.Join(' ', rest.Split(' ').Take(3)))
            .ToArray();
        Assert.Equal(3, expected.Length);
        Assert.Equal(expected, reported);
        Assert.Contains("/tools/mpesa_stk_push/limits/0/max", reported.Select(r => r.Split(' ')[2]));

        var (valid, validBody, _) = await admin.SendAsync(HttpMethod.Post, "/api/policies/check", Initial);
        Assert.Equal(HttpStatusCode.OK, valid);
        Assert.True(validBody.GetProperty("valid").GetBoolean());
        Assert.Empty(validBody.GetProperty("diagnostics").EnumerateArray());
    }

    [Fact]
    public async Task Save_WithTheEtag_WritesTheFile_AndTheGatewayEnforcesItBeforeAnswering()
    {
        var fixture = WithPolicyFile(Initial);
        await using var gateway = await ServeGatewayProcess.StartAsync(fixture.Configuration);
        using var admin = new PolicyAdmin(gateway.BaseUrl);
        using var http = new McpHttpExchange();
        var session = await http.InitializeAsync(gateway.Endpoint("payments"));
        Assert.Equal(["get_balance"], await ToolsAsync(http, gateway, session));
        var (_, opened, _) = await admin.SendAsync(HttpMethod.Get, "/api/policies/payments/document");
        var etag = opened.GetProperty("etag").GetString()!;

        const string next = """
            { "version": "1", "default": "deny",
              "tools": { "get_balance": {}, "mpesa_stk_push": { "rate_limit": { "max": 10, "window": 60 } } } }
            """;
        var (status, body, header) = await admin.SendAsync(HttpMethod.Put, "/api/policies/payments/document", next, ifMatch: etag);

        Assert.True(status == HttpStatusCode.OK, body.ToString());
        Assert.Equal("applied", body.GetProperty("status").GetString());
        Assert.Equal(Sha256(next), body.GetProperty("etag").GetString());
        Assert.Equal($"\"{Sha256(next)}\"", header);
        Assert.Equal(next, await File.ReadAllTextAsync(PolicyFile, TestContext.Current.CancellationToken));
        Assert.Equal(PolicyLoader.LoadText("expected", next).Policy!.Revision, body.GetProperty("revision").GetString());
        // In force when the save answered: no waiting on the file watcher.
        var (_, policies, _) = await admin.SendAsync(HttpMethod.Get, "/api/policies");
        Assert.Equal(body.GetProperty("revision").GetString(), policies.GetProperty("servers")[0].GetProperty("revision").GetString());
        Assert.Equal(["get_balance", "mpesa_stk_push"], await ToolsAsync(http, gateway, session));
        // No temporary file is left beside the policy.
        Assert.DoesNotContain(Directory.GetFiles(_directory), name => name.EndsWith(".tmp", StringComparison.Ordinal));

        // The etag the editor opened is now stale: a second save of that version is refused, the file untouched.
        var (stale, staleBody, _) = await admin.SendAsync(HttpMethod.Put, "/api/policies/payments/document", Initial, ifMatch: etag);
        Assert.Equal(HttpStatusCode.PreconditionFailed, stale);
        Assert.Equal(Sha256(next), staleBody.GetProperty("etag").GetString());
        Assert.Equal(next, await File.ReadAllTextAsync(PolicyFile, TestContext.Current.CancellationToken));

        // Without If-Match, a save is refused too.
        var (unconditional, _, _) = await admin.SendAsync(HttpMethod.Put, "/api/policies/payments/document", Initial);
        Assert.Equal(HttpStatusCode.PreconditionRequired, unconditional);
        Assert.Equal(next, await File.ReadAllTextAsync(PolicyFile, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Save_OfAnInvalidPolicy_Is422WithItsDiagnostics_AndTheFileIsUntouched()
    {
        var fixture = WithPolicyFile(Initial);
        await using var gateway = await ServeGatewayProcess.StartAsync(fixture.Configuration);
        using var admin = new PolicyAdmin(gateway.BaseUrl);
        var (_, opened, _) = await admin.SendAsync(HttpMethod.Get, "/api/policies/payments/document");
        var revision = (await admin.SendAsync(HttpMethod.Get, "/api/policies")).Body.GetProperty("servers")[0].GetProperty("revision").GetString();

        const string invalid = """{ "version": "1", "default": "deny", "tools": { "mpesa_stk_push": { "limits": [ { "counter": "stk", "window": "minute", "max": -1 } ] } } }""";
        var (status, body, _) = await admin.SendAsync(HttpMethod.Put, "/api/policies/payments/document", invalid, ifMatch: opened.GetProperty("etag").GetString());

        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        var diagnostic = Assert.Single(body.GetProperty("diagnostics").EnumerateArray());
        Assert.Equal("MW3002", diagnostic.GetProperty("code").GetString());
        Assert.Equal("/tools/mpesa_stk_push/limits/0/max", diagnostic.GetProperty("path").GetString());
        Assert.Equal(Initial, await File.ReadAllTextAsync(PolicyFile, TestContext.Current.CancellationToken));
        Assert.Equal(revision, (await admin.SendAsync(HttpMethod.Get, "/api/policies")).Body.GetProperty("servers")[0].GetProperty("revision").GetString());
    }

    [Fact]
    public async Task Save_WhenTheConfigurationAsAWholeIsRefused_SaysSo_AndThePreviousPolicyStaysInForce()
    {
        var fixture = WithPolicyFile(Initial);
        await using var gateway = await ServeGatewayProcess.StartAsync(fixture.Configuration);
        using var admin = new PolicyAdmin(gateway.BaseUrl);
        var (_, opened, _) = await admin.SendAsync(HttpMethod.Get, "/api/policies/payments/document");
        var revision = (await admin.SendAsync(HttpMethod.Get, "/api/policies")).Body.GetProperty("servers")[0].GetProperty("revision").GetString();
        // Another part of the configuration goes wrong after the gateway started.
        var configuration = await File.ReadAllTextAsync(fixture.Configuration, TestContext.Current.CancellationToken);
        await File.WriteAllTextAsync(fixture.Configuration, configuration.Replace("\"admin\":", "\"bogus\": 1, \"admin\":", StringComparison.Ordinal), TestContext.Current.CancellationToken);

        const string next = """{ "version": "1", "default": "deny", "tools": { "get_balance": {}, "run_workflow": {} } }""";
        var (status, body, _) = await admin.SendAsync(HttpMethod.Put, "/api/policies/payments/document", next, ifMatch: opened.GetProperty("etag").GetString());

        Assert.Equal(HttpStatusCode.Conflict, status);
        Assert.Equal("refused", body.GetProperty("status").GetString());
        Assert.Contains(body.GetProperty("diagnostics").EnumerateArray(), d => d.GetProperty("path").GetString() == "/bogus");
        Assert.False(body.TryGetProperty("revision", out _));
        Assert.Equal(revision, (await admin.SendAsync(HttpMethod.Get, "/api/policies")).Body.GetProperty("servers")[0].GetProperty("revision").GetString());
    }

    [Fact]
    public async Task Recommendation_FromTheLiveTools_Loads_AndNamesWhatItLeavesToTheDefault()
    {
        var fixture = WithPolicyFile(Initial);
        await using var gateway = await ServeGatewayProcess.StartAsync(fixture.Configuration);
        using var admin = new PolicyAdmin(gateway.BaseUrl);

        var (status, body, _) = await admin.SendAsync(HttpMethod.Get, "/api/recommendation/payments");

        Assert.True(status == HttpStatusCode.OK, body.ToString());
        var text = body.GetProperty("text").GetString()!;
        var loaded = PolicyLoader.LoadText("recommendation", text);
        Assert.True(loaded.Succeeded, string.Join('\n', loaded.Diagnostics));
        Assert.Equal("deny", body.GetProperty("policy").GetProperty("default").GetString());
        Assert.Equal("approve", body.GetProperty("policy").GetProperty("tools").GetProperty("b2c_payment").GetProperty("action").GetString());
        Assert.Equal(JsonValueKind.Array, body.GetProperty("leftToDefault").ValueKind);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.SendAsync(HttpMethod.Get, "/api/recommendation/nope")).Status);
    }

    private static async Task<string[]> ToolsAsync(McpHttpExchange http, ServeGatewayProcess gateway, string session)
    {
        var listed = await http.PostAsync(gateway.Endpoint("payments"), """{"jsonrpc":"2.0","id":"list","method":"tools/list"}""", session);
        return [.. listed.Last.GetProperty("result").GetProperty("tools").EnumerateArray().Select(t => t.GetProperty("name").GetString()!).Order(StringComparer.Ordinal)];
    }

    private static string Sha256(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    /// <summary>The admin API with any method, body and If-Match, answering the status, the JSON body and the ETag header.</summary>
    private sealed class PolicyAdmin : IDisposable
    {
        private readonly HttpClient _http;

        public PolicyAdmin(Uri baseUrl, string? token = FixtureGateway.AdminToken)
        {
            _http = new HttpClient { BaseAddress = baseUrl, Timeout = TimeSpan.FromSeconds(60) };
            if (token is not null)
            {
                _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            }
        }

        public void Dispose() => _http.Dispose();

        public async Task<(HttpStatusCode Status, JsonElement Body, string? ETag)> SendAsync(HttpMethod method, string path, string? body = null, string? ifMatch = null)
        {
            using var request = new HttpRequestMessage(method, path);
            if (body is not null)
            {
                request.Content = new StringContent(body, Encoding.UTF8, "application/json");
            }

            if (ifMatch is not null)
            {
                request.Headers.TryAddWithoutValidation("If-Match", $"\"{ifMatch}\"");
            }

            using var response = await _http.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            return (response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone(), response.Headers.ETag?.ToString());
        }
    }
}
