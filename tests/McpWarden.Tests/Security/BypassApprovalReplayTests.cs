using System.Net;
using System.Text.Json;
using McpWarden.Tests.Gateway;
using Xunit;

namespace McpWarden.Tests.Security;

/// <summary>
/// An approval is for one call, once: on the real <c>mcpwarden serve</c> in front of the fixture (over stdio),
/// a used approval releases neither the same call sent again, nor other arguments, nor another grant's call,
/// and cannot be decided twice; the admin API that decides takes no missing, wrong or borrowed token. The
/// fixture's call log shows exactly the one approved call.
/// </summary>
[Trait("Security", "bypass")]
public sealed class BypassApprovalReplayTests : IAsyncLifetime
{
    private const string Payment = """{"phone":"254712345678","amount":1500,"account_reference":"INV-1"}""";
    private const string AliceKey = "bypass-alice-key";
    private const string BobKey = "bypass-bob-key";

    private readonly string _directory = Directory.CreateTempSubdirectory("mcpwarden-bypass-approval-").FullName;
    private readonly McpHttpExchange _mcp = new();
    private FixtureGateway _fixture = null!;
    private ServeGatewayProcess? _gateway;

    private ServeGatewayProcess Gateway => _gateway!;

    public async ValueTask InitializeAsync()
    {
        _fixture = new FixtureGateway(
            _directory,
            """{ "version": "1", "default": "deny", "tools": { "mpesa_stk_push": { "action": "approve", "approval": { "timeout": 120 } } } }""",
            $$"""
            "grants": { "alice": { "keySha256": "{{FixtureGateway.Sha256(AliceKey)}}" }, "bob": { "keySha256": "{{FixtureGateway.Sha256(BobKey)}}" } },
            """);
        _gateway = await ServeGatewayProcess.StartAsync(_fixture.Configuration);
    }

    public async ValueTask DisposeAsync()
    {
        _mcp.Dispose();
        if (_gateway is not null)
        {
            await _gateway.DisposeAsync();
        }

        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task AUsedApproval_ReleasesNoReplay_NoChangedArguments_NoOtherGrant_AndCannotBeDecidedAgain()
    {
        using var admin = new AdminClient(Gateway.BaseUrl);
        var endpoint = Gateway.Endpoint("payments");
        var alice = Key(AliceKey);
        var bob = Key(BobKey);
        var aliceSession = await _mcp.InitializeAsync(endpoint, alice);
        var bobSession = await _mcp.InitializeAsync(endpoint, bob);

        var first = _mcp.PostAsync(endpoint, PaymentCall(1), aliceSession, alice);
        var approved = Assert.Single(await admin.PendingAsync(1)).GetProperty("id").GetString()!;
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync($"/api/approvals/{approved}/approve")).Status);
        Assert.Null(Refusals.ReasonCode((await first).Last));
        Assert.Single(_fixture.CallsReceived());

        // Replayed: the same call again, other arguments, and the same arguments from another grant: each waits for its own decision.
        var replayed = _mcp.PostAsync(endpoint, PaymentCall(2), aliceSession, alice);
        var changed = _mcp.PostAsync(endpoint, PaymentCall(3, """{"phone":"254712345678","amount":150000,"account_reference":"INV-1"}"""), aliceSession, alice);
        var otherGrant = _mcp.PostAsync(endpoint, PaymentCall(1), bobSession, bob);
        var pending = await admin.PendingAsync(3);
        Assert.Equal(3, pending.Length);
        Assert.DoesNotContain(pending, p => p.GetProperty("id").GetString() == approved);
        Assert.False(replayed.IsCompleted || changed.IsCompleted || otherGrant.IsCompleted, "a replayed call was answered without a decision");

        // The used approval cannot be decided again, and deciding it is no way to release the new ones.
        Assert.Equal(HttpStatusCode.Conflict, (await admin.PostAsync($"/api/approvals/{approved}/approve")).Status);
        Assert.Equal(HttpStatusCode.Conflict, (await admin.PostAsync($"/api/approvals/{approved}/deny")).Status);
        Assert.Equal(3, (await admin.PendingAsync(3)).Length);
        Assert.Single(_fixture.CallsReceived());

        foreach (var approval in pending)
        {
            Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync($"/api/approvals/{approval.GetProperty("id").GetString()}/deny", """{"reason":"replay"}""")).Status);
        }

        foreach (var refused in await Task.WhenAll(replayed, changed, otherGrant))
        {
            Assert.Equal("approval_denied", Refusals.ReasonCode(refused.Last));
        }

        Assert.Equal(1500, Assert.Single(_fixture.CallsReceived()).GetProperty("arguments").GetProperty("amount").GetInt32());
    }

    /// <summary>Ways to present something other than the admin token to the endpoint that approves a held call.</summary>
    private static readonly (string Trick, string? Authorization, string Query)[] ForgedAdminCredentials =
    [
        ("no Authorization header", null, ""),
        ("a wrong token", "Bearer wrong-admin-token", ""),
        ("a grant's key instead of the admin token", "Bearer " + AliceKey, ""),
        ("the token with its last character changed", "Bearer " + FixtureGateway.AdminToken[..^1] + "X", ""),
        ("the token with a character more", "Bearer " + FixtureGateway.AdminToken + "s", ""),
        ("the token's SHA-256 from the configuration", "Bearer " + FixtureGateway.Sha256(FixtureGateway.AdminToken), ""),
        ("the token under the Basic scheme", "Basic " + Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes("admin:" + FixtureGateway.AdminToken)), ""),
        ("the token in the query string", null, "?token=" + FixtureGateway.AdminToken),
        ("the token in the query as access_token", null, "?access_token=" + FixtureGateway.AdminToken),
    ];

    [Fact]
    public async Task AdminApi_WithoutTheAdminToken_CannotApproveAHeldCall()
    {
        using var admin = new AdminClient(Gateway.BaseUrl);
        var endpoint = Gateway.Endpoint("payments");
        var alice = Key(AliceKey);
        var session = await _mcp.InitializeAsync(endpoint, alice);
        var held = _mcp.PostAsync(endpoint, PaymentCall(1), session, alice);
        var id = Assert.Single(await admin.PendingAsync(1)).GetProperty("id").GetString()!;

        using var http = new HttpClient { BaseAddress = Gateway.BaseUrl };
        foreach (var (trick, authorization, query) in ForgedAdminCredentials)
        {
            using var forged = new HttpRequestMessage(HttpMethod.Post, $"/api/approvals/{id}/approve{query}");
            if (authorization is not null)
            {
                forged.Headers.TryAddWithoutValidation("Authorization", authorization);
            }

            using var response = await http.SendAsync(forged, TestContext.Current.CancellationToken);
            Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{trick}: {(int)response.StatusCode}");
            Assert.Single(await admin.PendingAsync(1));
            Assert.False(held.IsCompleted, $"{trick}: the held call was answered");
        }

        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync($"/api/approvals/{id}/deny")).Status);
        Assert.Equal("approval_denied", Refusals.ReasonCode((await held).Last));
        Assert.Empty(_fixture.CallsReceived());
    }

    private static string PaymentCall(object id, string arguments = Payment) =>
        $$$"""{"jsonrpc":"2.0","id":{{{JsonSerializer.Serialize(id)}}},"method":"tools/call","params":{"name":"mpesa_stk_push","arguments":{{{arguments}}}}}""";

    private static Dictionary<string, string> Key(string key) => new() { ["Authorization"] = "Bearer " + key };
}
