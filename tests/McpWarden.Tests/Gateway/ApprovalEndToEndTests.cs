using System.Net;
using System.Text.Json;
using Xunit;

namespace McpWarden.Tests.Gateway;

/// <summary>
/// Calls held for a person on the real <c>mcpwarden serve</c>: decided through the admin API and the
/// <c>mcpwarden approvals</c> command, timed out, and audited; the fixture's call log proves what reached the server.
/// </summary>
public sealed class ApprovalEndToEndTests : IDisposable
{
    private const string Payment = """{"phone":"254712345678","amount":1500,"account_reference":"INV-1"}""";

    private readonly string _directory = Directory.CreateTempSubdirectory("mcpwarden-approval-").FullName;
    private readonly McpHttpExchange _mcp = new();

    public void Dispose()
    {
        _mcp.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private static string Policy(int timeoutSeconds = 120, string limits = "") => $$"""
        { "version": "1", "default": "deny", "tools": {
            "mpesa_stk_push": { "action": "approve", "approval": { "timeout": {{timeoutSeconds}} } {{limits}} },
            "get_balance": {} } }
        """;

    private static string PaymentCall(object id, string arguments = Payment) =>
        $$$"""{"jsonrpc":"2.0","id":{{{JsonSerializer.Serialize(id)}}},"method":"tools/call","params":{"name":"mpesa_stk_push","arguments":{{{arguments}}}}}""";

    [Fact]
    public async Task HeldCall_ApprovedThroughTheApi_ReachesTheServerOnceAndIsAuditedTwice()
    {
        var fixture = new FixtureGateway(_directory, Policy());
        await using var gateway = await ServeGatewayProcess.StartAsync(fixture.Configuration);
        using var admin = new AdminClient(gateway.BaseUrl);
        var endpoint = gateway.Endpoint("payments");
        var session = await _mcp.InitializeAsync(endpoint);

        var call = _mcp.PostAsync(endpoint, PaymentCall(1), session);
        var pending = Assert.Single(await admin.PendingAsync(1));
        Assert.Equal(("local", "payments", "mpesa_stk_push"), (pending.GetProperty("grant").GetString(), pending.GetProperty("server").GetString(), pending.GetProperty("tool").GetString()));
        Assert.Equal(1500, pending.GetProperty("arguments").GetProperty("amount").GetInt32());
        Assert.Empty(fixture.CallsReceived());
        Assert.False(call.IsCompleted);

        var id = pending.GetProperty("id").GetString()!;
        var (status, decided) = await admin.PostAsync($"/api/approvals/{id}/approve", """{"reason":"customer confirmed by phone"}""");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("approved", decided.GetProperty("state").GetString());

        var answer = await call;
        Assert.False(answer.Last.GetProperty("result").TryGetProperty("isError", out var isError) && isError.GetBoolean(), answer.Last.ToString());
        Assert.Equal("mpesa_stk_push", Assert.Single(fixture.CallsReceived()).GetProperty("tool").GetString());

        // Used once: deciding it again is a conflict, and nothing more reaches the server.
        Assert.Equal(HttpStatusCode.Conflict, (await admin.PostAsync($"/api/approvals/{id}/approve")).Status);
        Assert.Single(fixture.CallsReceived());

        var records = await admin.AuditAsync("?tool=mpesa_stk_push", r => r.Length == 2 && r[0].GetProperty("outcome").ValueKind == JsonValueKind.String);
        Assert.Equal(("allow", "approved", "ok"), (records[0].GetProperty("decision").GetString(), records[0].GetProperty("code").GetString(), records[0].GetProperty("outcome").GetString()));
        Assert.Equal(("hold", "approval_required", id), (records[1].GetProperty("decision").GetString(), records[1].GetProperty("code").GetString(), records[1].GetProperty("approvalId").GetString()));
        Assert.Equal(id, records[0].GetProperty("approvalId").GetString());
    }

    [Fact]
    public async Task HeldCall_DeniedWithTheCommand_GetsApprovalDeniedWithTheReason()
    {
        var fixture = new FixtureGateway(_directory, Policy());
        await using var gateway = await ServeGatewayProcess.StartAsync(fixture.Configuration);
        using var admin = new AdminClient(gateway.BaseUrl);
        var endpoint = gateway.Endpoint("payments");
        var session = await _mcp.InitializeAsync(endpoint);

        var call = _mcp.PostAsync(endpoint, PaymentCall(1), session);
        var id = Assert.Single(await admin.PendingAsync(1)).GetProperty("id").GetString()!;

        var listed = await ProcessRunner.RunAsync("dotnet", [EndToEnd.Gateway, "approvals", "list", "--url", gateway.BaseUrl.ToString(), "--token", FixtureGateway.AdminToken], _directory);
        Assert.Equal(0, listed.ExitCode);
        Assert.Contains(id, listed.Output, StringComparison.Ordinal);

        var denied = await ProcessRunner.RunAsync(
            "dotnet",
            [EndToEnd.Gateway, "approvals", "deny", id, "--reason", "amount too high", "--url", gateway.BaseUrl.ToString()],
            _directory,
            new Dictionary<string, string> { ["MCPWARDEN_ADMIN_TOKEN"] = FixtureGateway.AdminToken });
        Assert.Equal(0, denied.ExitCode);
        Assert.Contains("denied", denied.Output, StringComparison.Ordinal);

        var result = (await call).Last.GetProperty("result");
        Assert.True(result.GetProperty("isError").GetBoolean());
        var policy = result.GetProperty("_meta").GetProperty("mcpwarden/policy");
        Assert.Equal("approval_denied", policy.GetProperty("code").GetString());
        Assert.Contains("amount too high", policy.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Empty(fixture.CallsReceived());

        var again = await ProcessRunner.RunAsync("dotnet", [EndToEnd.Gateway, "approvals", "approve", id, "--url", gateway.BaseUrl.ToString(), "--token", FixtureGateway.AdminToken], _directory);
        Assert.Equal(1, again.ExitCode);
        Assert.Contains("409", again.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HeldCall_NobodyDecides_GetsApprovalTimeoutAndALateApprovalIsRefused()
    {
        var fixture = new FixtureGateway(_directory, Policy(timeoutSeconds: 1));
        await using var gateway = await ServeGatewayProcess.StartAsync(fixture.Configuration);
        using var admin = new AdminClient(gateway.BaseUrl);
        var endpoint = gateway.Endpoint("payments");
        var session = await _mcp.InitializeAsync(endpoint);

        var answer = await _mcp.PostAsync(endpoint, PaymentCall(1), session);
        var policy = answer.Last.GetProperty("result").GetProperty("_meta").GetProperty("mcpwarden/policy");
        Assert.Equal("approval_timeout", policy.GetProperty("code").GetString());

        var (_, timedOut) = await admin.GetAsync("/api/approvals?state=timed_out");
        var id = Assert.Single(timedOut.EnumerateArray()).GetProperty("id").GetString()!;
        Assert.Equal(HttpStatusCode.Conflict, (await admin.PostAsync($"/api/approvals/{id}/approve")).Status);
        Assert.Empty(fixture.CallsReceived());
    }

    [Fact]
    public async Task ApprovingOneCall_ReleasesNeitherAnotherGrantsCallNorOtherArguments()
    {
        var grants = $$"""
            "grants": {
              "alice": { "keySha256": "{{FixtureGateway.Sha256("alice-key")}}" },
              "bob":   { "keySha256": "{{FixtureGateway.Sha256("bob-key")}}" } },
            """;
        var fixture = new FixtureGateway(_directory, Policy(), grants);
        await using var gateway = await ServeGatewayProcess.StartAsync(fixture.Configuration);
        using var admin = new AdminClient(gateway.BaseUrl);
        var endpoint = gateway.Endpoint("payments");
        var alice = new Dictionary<string, string> { ["Authorization"] = "Bearer alice-key" };
        var bob = new Dictionary<string, string> { ["Authorization"] = "Bearer bob-key" };
        var aliceSession = await _mcp.InitializeAsync(endpoint, alice);
        var bobSession = await _mcp.InitializeAsync(endpoint, bob);

        var aliceCall = _mcp.PostAsync(endpoint, PaymentCall(1), aliceSession, alice);
        await admin.PendingAsync(1);
        var bobCall = _mcp.PostAsync(endpoint, PaymentCall(1), bobSession, bob);
        var aliceOther = _mcp.PostAsync(endpoint, PaymentCall(2, """{"phone":"254712345678","amount":99000,"account_reference":"INV-1"}"""), aliceSession, alice);
        var pending = await admin.PendingAsync(3);

        var aliceFirst = pending.Single(p => p.GetProperty("grant").GetString() == "alice" && p.GetProperty("arguments").GetProperty("amount").GetInt32() == 1500);
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync($"/api/approvals/{aliceFirst.GetProperty("id").GetString()}/approve")).Status);
        await aliceCall;

        // The same arguments from bob, and other arguments from alice, are still waiting for their own decisions.
        var stillPending = await admin.PendingAsync(2);
        Assert.Equal(2, stillPending.Length);
        Assert.False(bobCall.IsCompleted);
        Assert.False(aliceOther.IsCompleted);
        Assert.Equal(1500, Assert.Single(fixture.CallsReceived()).GetProperty("arguments").GetProperty("amount").GetInt32());

        foreach (var approval in stillPending)
        {
            await admin.PostAsync($"/api/approvals/{approval.GetProperty("id").GetString()}/deny");
        }

        await Task.WhenAll(bobCall, aliceOther);
        Assert.Single(fixture.CallsReceived());
    }

    [Fact]
    public async Task HeldCall_KeepsItsStreamAliveWhileItWaits_ThenCarriesTheAnswer()
    {
        var fixture = new FixtureGateway(_directory, Policy());
        await using var gateway = await ServeGatewayProcess.StartAsync(fixture.Configuration);
        using var admin = new AdminClient(gateway.BaseUrl);
        var endpoint = gateway.Endpoint("payments");
        var session = await _mcp.InitializeAsync(endpoint);

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(90) };
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint) { Content = new StringContent(PaymentCall(1), System.Text.Encoding.UTF8, "application/json") };
        request.Headers.TryAddWithoutValidation("Accept", "application/json, text/event-stream");
        request.Headers.Add("Mcp-Session-Id", session);
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, TestContext.Current.CancellationToken);
        using var stream = new StreamReader(await response.Content.ReadAsStreamAsync(TestContext.Current.CancellationToken));

        // Nothing happens for longer than the keep-alive interval: the stream says it is still there.
        using var quiet = new CancellationTokenSource(TimeSpan.FromSeconds(40));
        string? line;
        while ((line = await stream.ReadLineAsync(quiet.Token)) != ": keep-alive")
        {
            Assert.NotNull(line);
            Assert.False(line.StartsWith("data: ", StringComparison.Ordinal) && line.Contains("\"result\"", StringComparison.Ordinal), line);
        }

        var id = Assert.Single(await admin.PendingAsync(1)).GetProperty("id").GetString()!;
        await admin.PostAsync($"/api/approvals/{id}/deny");
        var rest = await stream.ReadToEndAsync(quiet.Token);
        Assert.Contains("approval_denied", rest, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HeldCall_WhenTheGatewayIsKilled_IsAbandonedOnRestartAndCanNeverBeApproved()
    {
        var fixture = new FixtureGateway(_directory, Policy());
        string id;
        await using (var gateway = await ServeGatewayProcess.StartAsync(fixture.Configuration))
        {
            using var admin = new AdminClient(gateway.BaseUrl);
            var endpoint = gateway.Endpoint("payments");
            var session = await _mcp.InitializeAsync(endpoint);
            var held = _mcp.PostAsync(endpoint, PaymentCall(1), session);
            id = Assert.Single(await admin.PendingAsync(1)).GetProperty("id").GetString()!;
            await gateway.KillAsync();
            await Assert.ThrowsAnyAsync<HttpRequestException>(() => held);
        }

        await using var restarted = await ServeGatewayProcess.StartAsync(fixture.Configuration);
        using var again = new AdminClient(restarted.BaseUrl);
        var (_, pending) = await again.GetAsync("/api/approvals");
        Assert.Equal(0, pending.GetArrayLength());
        var (_, abandoned) = await again.GetAsync("/api/approvals?state=abandoned");
        Assert.Equal(id, Assert.Single(abandoned.EnumerateArray()).GetProperty("id").GetString());
        Assert.Equal(HttpStatusCode.Conflict, (await again.PostAsync($"/api/approvals/{id}/approve")).Status);
        Assert.Empty(fixture.CallsReceived());
    }

    [Fact]
    public async Task AdminApi_WithoutTheToken_IsRefusedAndSaysWhy()
    {
        var fixture = new FixtureGateway(_directory, Policy());
        await using var gateway = await ServeGatewayProcess.StartAsync(fixture.Configuration);

        using var anonymous = new AdminClient(gateway.BaseUrl, token: null);
        var (missing, missingBody) = await anonymous.GetAsync("/api/approvals");
        Assert.Equal(HttpStatusCode.Unauthorized, missing);
        Assert.Contains("admin token", missingBody.GetProperty("error").GetString(), StringComparison.Ordinal);

        using var wrong = new AdminClient(gateway.BaseUrl, token: "guess");
        var (refused, refusedBody) = await wrong.GetAsync("/api/audit");
        Assert.Equal(HttpStatusCode.Unauthorized, refused);
        Assert.Contains("not this gateway's admin token", refusedBody.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, (await wrong.PostAsync("/api/approvals/0123/approve")).Status);

        using var admin = new AdminClient(gateway.BaseUrl);
        Assert.Equal(HttpStatusCode.Forbidden, (await admin.GetAsync("/api/approvals", new Dictionary<string, string> { ["Host"] = "rebound.example" })).Status);
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/api/approvals")).Status);

        var (badQuery, badQueryBody) = await admin.GetAsync("/api/audit?decision=maybe");
        Assert.Equal(HttpStatusCode.BadRequest, badQuery);
        Assert.Contains("decision", badQueryBody.GetProperty("error").GetString(), StringComparison.Ordinal);
        var (badBody, badBodyError) = await admin.PostAsync("/api/approvals/x/deny", """{"reason":"a","reason":"b"}""");
        Assert.Equal(HttpStatusCode.BadRequest, badBody);
        Assert.NotEmpty(badBodyError.GetProperty("error").GetString()!);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.PostAsync("/api/approvals/unknown/deny")).Status);

        var (_, grants) = await admin.GetAsync("/api/grants");
        Assert.Equal(JsonValueKind.Array, grants.ValueKind);
        var (_, policies) = await admin.GetAsync("/api/policies");
        Assert.Equal("payments", Assert.Single(policies.GetProperty("servers").EnumerateArray()).GetProperty("server").GetString());
        Assert.Equal("ok", policies.GetProperty("config").GetProperty("status").GetString());
    }
}
