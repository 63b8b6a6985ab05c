using System.Net;
using System.Text.Json;
using Xunit;

namespace McpWarden.Tests.Gateway;

/// <summary>
/// <c>"approval": {"via": "client"}</c> with the official TypeScript SDK client, which declares elicitation
/// and answers the gateway's question as its user would: over HTTP through <c>mcpwarden serve</c>, and over
/// stdio through <c>mcpwarden stdio</c>.
/// </summary>
public sealed class ElicitationEndToEndTests : IDisposable
{
    private const string Policy = """
        { "version": "1", "default": "deny", "tools": {
            "mpesa_stk_push": { "action": "approve", "approval": { "via": "client", "timeout": 60 } } } }
        """;

    private readonly string _directory = Directory.CreateTempSubdirectory("mcpwarden-elicit-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task ClientUserAccepts_OverHttp_TheCallReachesTheServerApprovedByTheClient()
    {
        var fixture = new FixtureGateway(_directory, Policy);
        await using var gateway = await ServeGatewayProcess.StartAsync(fixture.Configuration);

        var output = await EndToEnd.RunNodeAsync("elicit-client.mjs", "accept", "--http", gateway.Endpoint("payments").ToString());
        using var report = JsonDocument.Parse(output);
        var question = Assert.Single(report.RootElement.GetProperty("asked").EnumerateArray());
        Assert.Contains("mpesa_stk_push", question.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal("boolean", question.GetProperty("requestedSchema").GetProperty("properties").GetProperty("approve").GetProperty("type").GetString());
        Assert.False(report.RootElement.GetProperty("result").TryGetProperty("isError", out var isError) && isError.GetBoolean(), output);
        Assert.Equal(1500, Assert.Single(fixture.CallsReceived()).GetProperty("arguments").GetProperty("amount").GetInt32());

        using var admin = new AdminClient(gateway.BaseUrl);
        var (status, used) = await admin.GetAsync("/api/approvals?state=used");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("client", Assert.Single(used.EnumerateArray()).GetProperty("decidedBy").GetString());
    }

    [Fact]
    public async Task ClientUserDeclines_OverStdio_TheCallIsRefusedWithApprovalDenied()
    {
        var fixture = new FixtureGateway(_directory, Policy);

        var output = await EndToEnd.RunNodeAsync("elicit-client.mjs", "decline", "dotnet", EndToEnd.Gateway, "stdio", "--config", fixture.Configuration, "--server", "payments");
        using var report = JsonDocument.Parse(output);
        Assert.Single(report.RootElement.GetProperty("asked").EnumerateArray());
        var result = report.RootElement.GetProperty("result");
        Assert.True(result.GetProperty("isError").GetBoolean(), output);
        Assert.Equal("approval_denied", result.GetProperty("_meta").GetProperty("mcpwarden/policy").GetProperty("code").GetString());
        Assert.Empty(fixture.CallsReceived());
    }
}
