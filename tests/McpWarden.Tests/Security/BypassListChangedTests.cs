using System.Text.Json;
using McpWarden.Tests.Gateway;
using Xunit;

namespace McpWarden.Tests.Security;

/// <summary>
/// A server that grows a tool at runtime (<c>faulty-server.mjs</c>'s <c>grow</c>), behind the real
/// <c>mcpwarden stdio</c>, and a client that calls the new tool at once. The gateway decides from the server's
/// current definition: a tool no rule allows is refused, an allowed one is checked against the rule's and the
/// new tool's own schema, and a tool the server added without telling anyone, which the gateway has not seen
/// listed, is never forwarded. The server's own record (<c>RECORD_FILE</c>) shows what reached it.
/// </summary>
[Trait("Security", "bypass")]
public sealed class BypassListChangedTests : IDisposable
{
    private static readonly string?[] UnknownOrDenied = ["unknown_tool", "default_deny"];

    private readonly string _directory = Directory.CreateTempSubdirectory("mcpwarden-bypass-grow-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task AToolAddedAtRuntime_IsDecidedFromTheServersNewDefinition_AndAnUnannouncedOneIsNeverForwarded()
    {
        var record = Path.Combine(_directory, "received.jsonl");
        var configuration = EndToEnd.FaultyServerConfiguration(_directory, $$"""
            "env": { "RECORD_FILE": {{JsonSerializer.Serialize(record)}} }
            """, """
            { "version": "1", "default": "deny", "tools": {
                "grow": {}, "quiet_allowed": {},
                "late_allowed": { "arguments": { "properties": { "n": { "maximum": 5 } } } } } }
            """);
        await using var gateway = StdioGatewayProcess.Start(configuration);
        await gateway.InitializeAsync();
        await gateway.SendAsync("""{"jsonrpc":"2.0","id":1,"method":"tools/list"}""");
        Assert.Equal(["grow"], Names(await gateway.AnswerToAsync(1)));

        // Raced: the call for the new tool goes out together with the call that creates it. Whichever the gateway
        // meets first, the tool is either unknown or denied, never forwarded.
        await gateway.SendAsync(Refusals.Call(2, "grow", """{"name":"late_denied"}"""));
        await gateway.SendAsync(Refusals.Call(3, "late_denied", """{"n":1}"""));
        Assert.Contains(Refusals.ReasonCode(await gateway.AnswerToAsync(3)), UnknownOrDenied);
        Assert.Null(Refusals.ReasonCode(await gateway.AnswerToAsync(2)));

        // Right after the answer that created it (the server announced it first), without waiting for the client's notification.
        await gateway.SendAsync(Refusals.Call(4, "late_denied", """{"n":1}"""));
        Assert.Equal("default_deny", Refusals.ReasonCode(await gateway.AnswerToAsync(4)));

        await gateway.SendAsync(Refusals.Call(5, "grow", """{"name":"late_allowed"}"""));
        Assert.Null(Refusals.ReasonCode(await gateway.AnswerToAsync(5)));
        await gateway.SendAsync(Refusals.Call(6, "late_allowed", """{"n":9}"""));
        Assert.Equal("invalid_arguments", Refusals.ReasonCode(await gateway.AnswerToAsync(6)));
        await gateway.SendAsync(Refusals.Call(7, "late_allowed", """{"n":"two"}"""));
        Assert.Equal("invalid_arguments", Refusals.ReasonCode(await gateway.AnswerToAsync(7)));
        await gateway.SendAsync(Refusals.Call(8, "late_allowed", """{"n":2}"""));
        Assert.Equal("late_allowed ran with 2", (await gateway.AnswerToAsync(8)).GetProperty("result").GetProperty("content")[0].GetProperty("text").GetString());

        // Added silently: the policy allows it by name, but the gateway has not seen it listed, so it is unknown.
        await gateway.SendAsync(Refusals.Call(9, "grow", """{"name":"quiet_allowed","silently":true}"""));
        Assert.Null(Refusals.ReasonCode(await gateway.AnswerToAsync(9)));
        await gateway.SendAsync(Refusals.Call(10, "quiet_allowed", """{"n":1}"""));
        Assert.Equal("unknown_tool", Refusals.ReasonCode(await gateway.AnswerToAsync(10)));

        await gateway.SendAsync("""{"jsonrpc":"2.0","id":11,"method":"tools/list"}""");
        Assert.Equal(["grow", "late_allowed", "quiet_allowed"], Names(await gateway.AnswerToAsync(11)).Order(StringComparer.Ordinal));
        Assert.Equal(0, await gateway.CloseAsync());

        var calls = File.ReadAllLines(record)
            .Select(line => JsonDocument.Parse(line).RootElement)
            .Where(m => m.TryGetProperty("method", out var method) && method.GetString() == "tools/call")
            .Select(m => m.GetProperty("params").GetProperty("name").GetString() + " " + m.GetProperty("params").GetProperty("arguments").GetRawText())
            .ToArray();
        Assert.Equal(
            ["grow {\"name\":\"late_denied\"}", "grow {\"name\":\"late_allowed\"}", "late_allowed {\"n\":2}", "grow {\"name\":\"quiet_allowed\",\"silently\":true}"],
            calls);
    }

    private static string[] Names(JsonElement answer) =>
        [.. answer.GetProperty("result").GetProperty("tools").EnumerateArray().Select(t => t.GetProperty("name").GetString()!)];
}
