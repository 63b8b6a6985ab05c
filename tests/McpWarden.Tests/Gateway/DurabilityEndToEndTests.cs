using System.Text.Json;
using Xunit;

namespace McpWarden.Tests.Gateway;

/// <summary>
/// The embedded store under a crash: the real <c>mcpwarden serve</c> is killed with SIGKILL in the middle of
/// concurrent calls and started again on the same files. No admitted unit may be forgotten (the budget goes on
/// where it was) and every call the server ran must have its audit record.
/// </summary>
public sealed class DurabilityEndToEndTests : IDisposable
{
    /// <summary>The grant's budget for the whole test: a day, so nothing leaves the window meanwhile.</summary>
    private const int Budget = 120;

    private const int Clients = 8;

    /// <summary>The gateway is killed once the clients have seen this many calls succeed.</summary>
    private const int KillAfter = 40;

    private const string Policy = """
        { "version": "1", "default": "deny", "tools": {
            "run_workflow": { "limits": [ { "counter": "runs", "window": "day", "max": 120, "scope": "grant" } ] } } }
        """;

    private readonly string _directory = Directory.CreateTempSubdirectory("mcpwarden-durability-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static string Call(int client, int n) =>
        "{\"jsonrpc\":\"2.0\",\"id\":" + n + ",\"method\":\"tools/call\",\"params\":{\"name\":\"run_workflow\",\"arguments\":{\"workflow_id\":\"wf-" + client + "-" + n + "\"}}}";

    [Fact]
    public async Task GatewayKilledMidLoad_RestartsWithEveryAdmittedUnitAndEveryAuditRecord()
    {
        var fixture = new FixtureGateway(_directory, Policy);

        // Run 1: eight clients call as fast as they can; the gateway dies under them.
        var gateway = await ServeGatewayProcess.StartAsync(fixture.Configuration);
        var seenBeforeKill = await KillUnderLoad.RunAsync(gateway, "payments", Clients, KillAfter, Call, answer => !IsError(answer));
        await gateway.DisposeAsync();
        var ranBeforeKill = await RanAsync(fixture);
        var beforeKill = await AuditAsync(fixture);
        var admittedBeforeKill = beforeKill.Count(r => r.GetProperty("decision").GetString() == "allow");

        // Every call the server ran was admitted and recorded first; every success a client saw, the server ran.
        Assert.True(seenBeforeKill <= ranBeforeKill, $"clients saw {seenBeforeKill} successes, the server ran {ranBeforeKill}");
        Assert.True(ranBeforeKill <= admittedBeforeKill, $"the server ran {ranBeforeKill} calls, the audit admitted {admittedBeforeKill}");
        var workflowsRun = (await ReadCallLogAsync(fixture)).Select(c => c.GetProperty("arguments").GetProperty("workflow_id").GetString()).ToHashSet();
        Assert.Equal(ranBeforeKill, workflowsRun.Count);

        // Run 2, on the same files: the budget goes on from where it was.
        int admittedAfterRestart;
        await using (var restarted = await ServeGatewayProcess.StartAsync(fixture.Configuration))
        {
            using var mcp = new McpHttpExchange();
            var endpoint = restarted.Endpoint("payments");
            var session = await mcp.InitializeAsync(endpoint);
            var admittedAfter = 0;
            for (var n = 1; ; n++)
            {
                var answer = await mcp.PostAsync(endpoint, Call(99, n), session);
                if (IsError(answer.Last))
                {
                    Assert.Equal("rate_limited", answer.Last.GetProperty("result").GetProperty("_meta").GetProperty("mcpwarden/policy").GetProperty("code").GetString());
                    break;
                }

                admittedAfter++;
                Assert.True(admittedAfter <= Budget, "the restarted gateway admitted more than the whole budget");
            }

            // No admitted unit was forgotten: what is left is at most the budget less what was admitted before the kill.
            // Calls killed between consuming and being recorded may have taken a unit each (at most one per client).
            Assert.InRange(admittedAfter, Budget - admittedBeforeKill - Clients, Budget - admittedBeforeKill);
            admittedAfterRestart = admittedAfter;
            TestContext.Current.SendDiagnosticMessage(
                $"durability: clients saw {seenBeforeKill} successes before SIGKILL; the server ran {ranBeforeKill}; the audit had {admittedBeforeKill} admitted; after restart {admittedAfter} more of {Budget} were admitted");
        }

        // The audit agrees: every admission of both runs is on record, and the server ran exactly the calls admitted after the restart.
        var afterRestart = await AuditAsync(fixture);
        Assert.Equal(admittedBeforeKill + admittedAfterRestart, afterRestart.Count(r => r.GetProperty("decision").GetString() == "allow"));
        Assert.Equal(ranBeforeKill + admittedAfterRestart, await RanAsync(fixture));
    }

    private static bool IsError(JsonElement message) =>
        message.TryGetProperty("error", out _) || (message.GetProperty("result").TryGetProperty("isError", out var isError) && isError.GetBoolean());

    /// <summary>The audit log as <c>mcpwarden audit --json</c> prints it (the real command, reading the store the gateway wrote).</summary>
    private async Task<JsonElement[]> AuditAsync(FixtureGateway fixture)
    {
        var result = await ProcessRunner.RunAsync("dotnet", [EndToEnd.Gateway, "audit", "--config", fixture.Configuration, "--json", "--limit", "10000"], _directory);
        Assert.Equal(0, result.ExitCode);
        return [.. result.OutputLines.Select(line => JsonDocument.Parse(line).RootElement.Clone())];
    }

    private static async Task<int> RanAsync(FixtureGateway fixture) => (await ReadCallLogAsync(fixture)).Count;

    private static Task<IReadOnlyList<JsonElement>> ReadCallLogAsync(FixtureGateway fixture) => Task.FromResult(fixture.CallsReceived());
}
