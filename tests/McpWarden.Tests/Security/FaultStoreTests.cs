using System.Net;
using System.Text.Json;
using McpWarden.Tests.Gateway;
using Xunit;

namespace McpWarden.Tests.Security;

/// <summary>
/// The embedded store under faults: its file made unwritable while the gateway serves, and the gateway killed
/// with SIGKILL under load. Calls that need the store fail closed with a clear reason and never reach the
/// server; nothing admitted is lost across a kill.
/// </summary>
[Trait("Security", "faults")]
public sealed class FaultStoreTests : IDisposable
{
    private const string LimitedPolicy = """
        { "version": "1", "default": "deny", "tools": {
            "run_workflow": { "limits": [ { "counter": "runs", "window": "day", "max": 60, "scope": "grant" } ] },
            "get_balance": {} } }
        """;

    private readonly string _directory = Directory.CreateTempSubdirectory("mcpwarden-store-faults-").FullName;

    public void Dispose()
    {
        // An immutable file left behind by a failed test could not be deleted.
        _ = Chattr("-i", Path.Combine(_directory, "state"), [.. StoreFiles()]);
        Directory.Delete(_directory, recursive: true);
    }

    private static string Call(string id, string tool, string workflow) =>
        "{\"jsonrpc\":\"2.0\",\"id\":" + JsonSerializer.Serialize(id) + ",\"method\":\"tools/call\",\"params\":{\"name\":\"" + tool + "\",\"arguments\":{\"workflow_id\":\"" + workflow + "\"}}}";

    private IEnumerable<string> StoreFiles() =>
        Directory.Exists(Path.Combine(_directory, "state")) ? Directory.EnumerateFiles(Path.Combine(_directory, "state")) : [];

    [Fact]
    public async Task UnwritableStore_RefusesCallsWithAuditFailed_NeverReachesTheServer_KeepsServing_AndRecovers()
    {
        Directory.CreateDirectory(Path.Combine(_directory, "state"));
        var fixture = new FixtureGateway(_directory, LimitedPolicy, """ "store": { "path": "state/mcpwarden.db" }, "audit": { "recordArguments": true }, """);
        await using var gateway = await ServeGatewayProcess.StartAsync(fixture.Configuration);
        using var mcp = new McpHttpExchange();
        var endpoint = gateway.Endpoint("payments");
        var session = await mcp.InitializeAsync(endpoint);
        var bystander = await mcp.InitializeAsync(endpoint);
        var before = await mcp.PostAsync(endpoint, Call("1", "run_workflow", "wf-before"), session);
        Assert.False(IsRefused(before.Last), before.Last.GetRawText());

        // Root ignores file modes, so the store is made immutable instead: no process may write it, root included.
        // Its WAL index (-shm) stays as it is: SQLite maps it into memory, and a write to a mapping of an
        // immutable file is a SIGBUS, a fault of the machine's rather than a store the gateway finds read-only.
        if (Chattr("+i", Path.Combine(_directory, "state"), [.. StoreFiles().Where(f => !f.EndsWith("-shm", StringComparison.Ordinal))]) is { } unavailable)
        {
            Assert.Skip($"the store cannot be made unwritable here: chattr +i failed ({unavailable})");
        }

        var refused = await mcp.PostAsync(endpoint, Call("2", "run_workflow", "wf-unwritable"), session);
        var policy = refused.Last.GetProperty("result").GetProperty("_meta").GetProperty("mcpwarden/policy");
        Assert.Equal("audit_failed", policy.GetProperty("code").GetString());
        Assert.Contains("could not record this decision", refused.Last.GetProperty("result").GetProperty("content")[0].GetProperty("text").GetString(), StringComparison.Ordinal);

        // The gateway keeps serving what needs no store: health, and another session's tool list.
        using (var http = new HttpClient())
        {
            using var health = await http.GetAsync(new Uri(gateway.BaseUrl, "/healthz"), TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        }

        var list = await mcp.PostAsync(endpoint, """{"jsonrpc":"2.0","id":3,"method":"tools/list"}""", bystander);
        Assert.Contains(list.Last.GetProperty("result").GetProperty("tools").EnumerateArray(), t => t.GetProperty("name").GetString() == "run_workflow");
        var bystanderRefused = await mcp.PostAsync(endpoint, Call("4", "get_balance", "wf-bystander"), bystander);
        Assert.Equal("audit_failed", bystanderRefused.Last.GetProperty("result").GetProperty("_meta").GetProperty("mcpwarden/policy").GetProperty("code").GetString());

        // From the server's side: nothing refused reached it.
        Assert.Equal(["wf-before"], fixture.CallsReceived().Select(c => c.GetProperty("arguments").GetProperty("workflow_id").GetString()));
        await gateway.WaitForLogAsync("audit");

        // Writable again: the same gateway, without a restart, admits and records calls again.
        Assert.Null(Chattr("-i", Path.Combine(_directory, "state"), [.. StoreFiles()]));
        var after = await mcp.PostAsync(endpoint, Call("5", "run_workflow", "wf-after"), session);
        Assert.False(IsRefused(after.Last), after.Last.GetRawText());
        Assert.Equal(["wf-before", "wf-after"], fixture.CallsReceived().Select(c => c.GetProperty("arguments").GetProperty("workflow_id").GetString()));
        var audit = await AuditAsync(fixture);
        Assert.Contains(audit, r => r.GetProperty("decision").GetString() == "allow" && r.GetProperty("arguments").GetProperty("workflow_id").GetString() == "wf-after");
    }

    [Fact]
    public async Task GatewayKilledUnderLoad_LosesNothingAdmitted_AndNeverAdmitsBeyondTheBudget()
    {
        const int Clients = 12;
        const int Budget = 60;
        const int KillAfter = 20;
        var fixture = new FixtureGateway(_directory, LimitedPolicy, """ "store": { "path": "state.db" }, "audit": { "recordArguments": true }, """);

        // Twelve calls are in flight at every moment of the kill.
        var gateway = await ServeGatewayProcess.StartAsync(fixture.Configuration);
        var succeeded = await KillUnderLoad.RunAsync(
            gateway, "payments", Clients, KillAfter, (client, n) => Call($"{n}", "run_workflow", $"wf-{client}-{n}"), answer => !IsRefused(answer));
        await gateway.DisposeAsync();
        var ranBeforeKill = Workflows(fixture);
        var auditBeforeKill = await AuditAsync(fixture);
        var admittedBeforeKill = Admitted(auditBeforeKill);

        // Every call the server ran has its admission on record, with the very arguments it ran with.
        Assert.Subset(admittedBeforeKill, ranBeforeKill);
        Assert.True(succeeded <= ranBeforeKill.Count, $"clients saw {succeeded} successes, the server ran {ranBeforeKill.Count}");

        // Restarted on the same files: the budget goes on from where it was, and is never exceeded across the kill.
        await using (var restarted = await ServeGatewayProcess.StartAsync(fixture.Configuration))
        {
            using var mcp = new McpHttpExchange();
            var endpoint = restarted.Endpoint("payments");
            var session = await mcp.InitializeAsync(endpoint);
            for (var n = 1; n <= Budget + 1; n++)
            {
                var answer = await mcp.PostAsync(endpoint, Call($"{n}", "run_workflow", $"wf-after-{n}"), session);
                if (IsRefused(answer.Last))
                {
                    Assert.Equal("rate_limited", answer.Last.GetProperty("result").GetProperty("_meta").GetProperty("mcpwarden/policy").GetProperty("code").GetString());
                    break;
                }
            }
        }

        var ranInAll = Workflows(fixture);
        var admittedInAll = Admitted(await AuditAsync(fixture));
        TestContext.Current.SendDiagnosticMessage($"SIGKILL under load: {succeeded} successes seen, {ranBeforeKill.Count} run and {admittedBeforeKill.Count} admitted before the kill; {ranInAll.Count} run in all of a budget of {Budget}");
        Assert.Subset(admittedInAll, ranInAll);
        Assert.True(admittedInAll.Count <= Budget, $"{admittedInAll.Count} calls were admitted against a budget of {Budget}");
        Assert.True(ranInAll.Count <= Budget, $"the server ran {ranInAll.Count} calls against a budget of {Budget}");
        // Units consumed by calls the kill cut off before they were recorded (at most one per client) are the only gap.
        Assert.InRange(admittedInAll.Count, Budget - Clients, Budget);
    }

    private static bool IsRefused(JsonElement message) =>
        message.TryGetProperty("error", out _) || (message.GetProperty("result").TryGetProperty("isError", out var isError) && isError.GetBoolean());

    private static HashSet<string> Workflows(FixtureGateway fixture) =>
        [.. fixture.CallsReceived().Select(c => c.GetProperty("arguments").GetProperty("workflow_id").GetString()!)];

    private static HashSet<string> Admitted(IEnumerable<JsonElement> audit) =>
        [.. audit.Where(r => r.GetProperty("decision").GetString() == "allow").Select(r => r.GetProperty("arguments").GetProperty("workflow_id").GetString()!)];

    /// <summary>The audit log as <c>mcpwarden audit --json</c> prints it, read from the store the gateway wrote.</summary>
    private async Task<JsonElement[]> AuditAsync(FixtureGateway fixture)
    {
        var result = await ProcessRunner.RunAsync("dotnet", [EndToEnd.Gateway, "audit", "--config", fixture.Configuration, "--json", "--limit", "10000"], _directory);
        Assert.Equal(0, result.ExitCode);
        return [.. result.OutputLines.Select(line => JsonDocument.Parse(line).RootElement.Clone())];
    }

    /// <summary>Runs <c>chattr</c> on the paths; null when it worked, else why not.</summary>
    private static string? Chattr(string change, string directory, string[] files)
    {
        if (!Directory.Exists(directory))
        {
            return null;
        }

        try
        {
            using var chattr = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("chattr", [change, directory, .. files]) { RedirectStandardError = true, UseShellExecute = false })!;
            var error = chattr.StandardError.ReadToEnd();
            chattr.WaitForExit();
            return chattr.ExitCode == 0 ? null : error.Trim();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return e.Message;
        }
    }
}
