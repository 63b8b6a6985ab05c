using System.Net;
using McpWarden.Tests.Gateway;
using Xunit;

namespace McpWarden.Tests.Security;

/// <summary>
/// The last units of a budget raced by 200 concurrent calls from 20 sessions on the real <c>mcpwarden serve</c>
/// with its SQLite store: exactly the budget is admitted, every other call is refused with <c>rate_limited</c>,
/// and the fixture's call log shows exactly the admitted calls.
/// </summary>
[Trait("Security", "bypass")]
public sealed class BypassRaceTests : IAsyncLifetime
{
    private const int Sessions = 20;
    private const int CallsPerSession = 10;
    private const int Max = 5;
    private const int SpendCap = 100;
    private const int Amount = 7;

    private readonly McpHttpExchange _mcp = new();
    private HttpFixtureGateway? _gateway;

    private HttpFixtureGateway Gateway => _gateway!;

    public async ValueTask InitializeAsync() => _gateway = await HttpFixtureGateway.StartAsync($$"""
        { "version": "1", "default": "deny", "tools": {
            "run_workflow": { "limits": [ { "counter": "workflows", "window": "hour", "max": {{Max}} } ] },
            "b2c_payment":  { "limits": [ { "counter": "spend", "window": "day", "max": {{SpendCap}}, "cost": "amount" } ] } } }
        """);

    public async ValueTask DisposeAsync()
    {
        _mcp.Dispose();
        if (_gateway is not null)
        {
            await _gateway.DisposeAsync();
        }
    }

    [Fact]
    public async Task TwoHundredConcurrentCalls_AgainstAMaxOfFive_AdmitExactlyFive()
    {
        var codes = await RaceAsync(i => Refusals.Call(i, "run_workflow", $$"""{"workflow_id":"race-{{i}}"}"""));

        Assert.Equal(Max, codes.Count(code => code is null));
        Assert.Equal(Sessions * CallsPerSession - Max, codes.Count(code => code == "rate_limited"));
        Assert.Equal(Max, Gateway.CallsReceived().Count(c => c.GetProperty("tool").GetString() == "run_workflow"));
        Assert.True(File.Exists(Path.Combine(Gateway.Directory, "mcpwarden.db")), "the gateway did not keep its counters in the SQLite store");
    }

    [Fact]
    public async Task TwoHundredConcurrentPayments_AgainstASpendCap_SpendNoMoreThanTheCap()
    {
        var codes = await RaceAsync(i => Refusals.Call(i, "b2c_payment", $$"""{"amount":{{Amount}},"phone":"254712345678","remarks":"race-{{i}}"}"""));

        const int fits = SpendCap / Amount;
        Assert.Equal(fits, codes.Count(code => code is null));
        Assert.Equal(Sessions * CallsPerSession - fits, codes.Count(code => code == "rate_limited"));
        var paid = Gateway.CallsReceived().Where(c => c.GetProperty("tool").GetString() == "b2c_payment").Sum(c => c.GetProperty("arguments").GetProperty("amount").GetInt32());
        Assert.Equal(fits * Amount, paid);
    }

    /// <summary>Opens the sessions, then sends every call at once; returns each call's reason code (null when admitted).</summary>
    private async Task<string?[]> RaceAsync(Func<int, string> call)
    {
        var sessions = await Task.WhenAll(Enumerable.Range(0, Sessions).Select(_ => _mcp.InitializeAsync(Gateway.Endpoint)));
        using var start = new SemaphoreSlim(0);
        var calls = Enumerable.Range(0, Sessions * CallsPerSession).Select(async i =>
        {
            await start.WaitAsync();
            var answer = await _mcp.PostAsync(Gateway.Endpoint, call(i), sessions[i % Sessions]);
            Assert.Equal(HttpStatusCode.OK, answer.Status);
            return Refusals.ReasonCode(answer.Last);
        }).ToArray();
        start.Release(calls.Length);
        return await Task.WhenAll(calls);
    }
}
