using System.Net;
using McpWarden.Tests.Gateway;
using Xunit;

namespace McpWarden.Tests.Security;

/// <summary>
/// Requests that one parser reads differently from another: HTTP headers that name another tool than the body,
/// and JSON keys that differ only in case (servers built on case-insensitive JSON readers, such as .NET's web
/// defaults or Go's encoding/json, take them as one key, and the last one wins). The gateway decides from the
/// body, and a message it could read differently from the server is refused before anything is forwarded.
/// </summary>
[Trait("Security", "bypass")]
public sealed class BypassParserDifferentialTests(BypassGateway fixture) : IClassFixture<BypassGateway>, IDisposable
{
    private readonly McpHttpExchange _mcp = new();

    public void Dispose() => _mcp.Dispose();

    [Fact]
    public async Task McpNameHeader_NamingAnAllowedTool_DoesNotLetTheBodyCallADeniedOne()
    {
        var endpoint = fixture.Gateway.Endpoint("payments");
        var session = await fixture.SessionAsync(_mcp, endpoint);
        var marker = "header-" + Guid.NewGuid().ToString("N");
        var lying = new Dictionary<string, string> { ["Mcp-Method"] = "tools/call", ["Mcp-Name"] = "get_balance" };

        var answer = await _mcp.PostAsync(endpoint, Refusals.Call(fixture.NextId(), "delete_records", $$"""{"table":"{{marker}}","ids":["1"]}"""), session, lying);

        Assert.Equal("default_deny", Refusals.ReasonCode(answer.Last));
        Assert.False(fixture.AnyServerReceived(marker), "the denied call reached a server");
    }

    [Fact]
    public async Task McpHeaders_NamingADeniedToolOrAnotherMethod_DoNotBreakAnAllowedCall()
    {
        var endpoint = fixture.Gateway.Endpoint("payments");
        var session = await fixture.SessionAsync(_mcp, endpoint);
        var marker = "header-" + Guid.NewGuid().ToString("N");
        var lying = new Dictionary<string, string> { ["Mcp-Method"] = "resources/read", ["Mcp-Name"] = "delete_records" };

        var answer = await _mcp.PostAsync(endpoint, Refusals.Call(fixture.NextId(), "b2c_payment", $$"""{"amount":5,"phone":"254712345678","remarks":"{{marker}}"}"""), session, lying);

        Assert.Null(Refusals.ReasonCode(answer.Last));
        var received = Assert.Single(fixture.CallsReceived("payments"), c => c.GetProperty("arguments").TryGetProperty("remarks", out var r) && r.GetString() == marker);
        Assert.Equal("b2c_payment", received.GetProperty("tool").GetString());
    }

    /// <summary>Bodies that a case-insensitive reader sees as another call than the gateway does.</summary>
    public static TheoryData<string, string> CaseCollisions => new()
    {
        { "Name after name", """{"name":"get_balance","Name":"delete_records","arguments":{"table":"MARKER","ids":["1"]}}""" },
        { "NAME before name", """{"NAME":"delete_records","name":"get_balance","arguments":{"table":"MARKER","ids":["1"]}}""" },
        { "Arguments after arguments", """{"name":"b2c_payment","arguments":{"amount":5,"phone":"254712345678"},"Arguments":{"amount":99999,"phone":"254712345678","remarks":"MARKER"}}""" },
        { "Amount after amount", """{"name":"b2c_payment","arguments":{"amount":5,"Amount":99999,"phone":"254712345678","remarks":"MARKER"}}""" },
        { "Kelvin sign K folds to k", """{"name":"b2c_payment","arguments":{"amount":5,"remar\u212As":"x","remarks":"MARKER","phone":"254712345678"}}""" },
    };

    [Theory]
    [MemberData(nameof(CaseCollisions))]
    public async Task KeysThatDifferOnlyInCase_AreRefusedWith400_AndTheIdStaysUsable(string trick, string parameters)
    {
        var endpoint = fixture.Gateway.Endpoint("payments");
        var session = await fixture.SessionAsync(_mcp, endpoint);
        var marker = "case-" + Guid.NewGuid().ToString("N");
        var id = fixture.NextId();

        var answer = await _mcp.PostAsync(endpoint, $$"""{"jsonrpc":"2.0","id":{{id}},"method":"tools/call","params":{{parameters.Replace("MARKER", marker, StringComparison.Ordinal)}}}""", session);

        Assert.Equal((HttpStatusCode.BadRequest, -32600), (answer.Status, answer.ErrorCode));
        Assert.Contains("differ only in case", answer.ErrorMessage, StringComparison.Ordinal);
        Assert.False(fixture.AnyServerReceived(marker), $"{trick}: the call reached a server");

        // The refused request left nothing behind: its id serves the next call, which the server answers.
        var again = await _mcp.PostAsync(endpoint, Refusals.Call(id, "get_balance"), session);
        Assert.Equal(HttpStatusCode.OK, again.Status);
        Assert.Null(Refusals.ReasonCode(again.Last));
    }

    [Theory]
    [InlineData("5")]
    [InlineData("[{\"progressToken\":1}]")]
    [InlineData("\"progressToken\"")]
    public async Task AMetaThatIsNotAnObject_IsRefusedWith400_AndTheIdStaysUsable(string meta)
    {
        var endpoint = fixture.Gateway.Endpoint("payments");
        var session = await fixture.SessionAsync(_mcp, endpoint);
        var marker = "meta-" + Guid.NewGuid().ToString("N");
        var id = fixture.NextId();

        var answer = await _mcp.PostAsync(endpoint, """{"jsonrpc":"2.0","id":ID,"method":"tools/call","params":{"name":"b2c_payment","arguments":{"amount":1,"phone":"254712345678","remarks":"MARKER"},"_meta":META}}"""
            .Replace("ID", id.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("MARKER", marker, StringComparison.Ordinal)
            .Replace("META", meta, StringComparison.Ordinal),
            session);

        Assert.Equal((HttpStatusCode.BadRequest, -32602), (answer.Status, answer.ErrorCode));
        Assert.Contains("params._meta", answer.ErrorMessage, StringComparison.Ordinal);
        Assert.False(fixture.AnyServerReceived(marker), "the call reached a server");
        var again = await _mcp.PostAsync(endpoint, Refusals.Call(id, "get_balance"), session);
        Assert.Equal(HttpStatusCode.OK, again.Status);
        Assert.Null(Refusals.ReasonCode(again.Last));
    }

    [Fact]
    public async Task KeysThatDifferOnlyInCase_AreRefusedOverStdioToo()
    {
        var marker = "case-stdio-" + Guid.NewGuid().ToString("N");
        await using var gateway = StdioGatewayProcess.Start(fixture.Configuration);
        await gateway.InitializeAsync();

        await gateway.SendAsync("""{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"payments__get_balance","Name":"files__delete_records","arguments":{"table":"MARKER","ids":["1"]}}}""".Replace("MARKER", marker, StringComparison.Ordinal));
        var refused = await gateway.AnswerToAsync(1);
        Assert.Equal(-32600, refused.GetProperty("error").GetProperty("code").GetInt32());
        Assert.Contains("differ only in case", refused.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);

        await gateway.SendAsync(Refusals.Call(2, "files__delete_records", $$"""{"table":"{{marker}}-allowed","ids":["1"]}"""));
        Assert.Null(Refusals.ReasonCode(await gateway.AnswerToAsync(2)));
        Assert.Equal(0, await gateway.CloseAsync());

        Assert.False(fixture.CallsReceived("files").Any(c => c.GetProperty("arguments").GetProperty("table").GetString() == marker), "the refused call reached a server");
        Assert.Contains(fixture.CallsReceived("files"), c => c.GetProperty("arguments").GetProperty("table").GetString() == marker + "-allowed");
    }
}
