using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using McpWarden.Gateway.Configuration;
using McpWarden.Gateway.Limits;
using McpWarden.Policy.Compilation;
using McpWarden.Policy.Evaluation;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using static McpWarden.Admin.AdminAnswers;

namespace McpWarden.Admin;

/// <summary>
/// <c>GET /api/counters[?server=NAME]</c>: every budget with units in its window now, read from the counter
/// store and explained by the policy in force (its max, its window, the tools whose limits count in it). A
/// budget the policy no longer has (its counter renamed or removed, its scope or <c>by</c> changed, its server
/// gone) is still listed, marked <c>inPolicy: false</c>, so that nothing in use is hidden.
/// </summary>
internal sealed class CounterEndpoints
{
    private readonly ICounterStore _counters;
    private readonly LiveConfiguration _live;
    private readonly TimeProvider _time;

    public CounterEndpoints(ICounterStore counters, LiveConfiguration live, TimeProvider time) => (_counters, _live, _time) = (counters, live, time);

    /// <summary>Adds the endpoint to the admin group (which has already checked the origin and the token).</summary>
    public void Map(RouteGroupBuilder api) => api.MapGet("/counters", (Func<HttpContext, Task<IResult>>)ListAsync);

    private async Task<IResult> ListAsync(HttpContext context)
    {
        var wanted = context.Request.Query["server"].ToString() is { Length: > 0 } name ? name : null;
        if (wanted is not null && _live.Server(wanted) is null)
        {
            return Error(StatusCodes.Status404NotFound, $"the configuration has no server {JsonSerializer.Serialize(wanted)}");
        }

        var usage = await _counters.UsageAsync(context.RequestAborted).ConfigureAwait(false);
        var now = _time.GetUtcNow();
        var budgets = new JsonArray();
        foreach (var budget in usage)
        {
            var key = BudgetKey.TryParse(budget.Key, out var parsed) ? parsed : null;
            if (wanted is not null && key?.Server != wanted)
            {
                continue;
            }

            budgets.Add(ToJson(budget, key, now));
        }

        return Results.Content(budgets.ToJsonString(), "application/json");
    }

    private JsonObject ToJson(CounterUsage budget, BudgetKey? key, DateTimeOffset now)
    {
        var policy = key is null ? null : _live.Server(key.Server)?.Policy;
        var limit = key is null || policy is null ? null : LimitOf(policy, key);
        var window = limit?.Window ?? budget.Window;
        return new JsonObject
        {
            ["key"] = budget.Key,
            ["server"] = key?.Server,
            ["counter"] = key?.Counter,
            ["scope"] = key is null ? null : BudgetKey.ScopeName(key.Scope),
            ["owner"] = key is null || key.Owner.Length == 0 ? null : key.Owner,
            ["partition"] = key?.PartitionDisplay,
            ["partitionKind"] = key?.PartitionKind switch
            {
                BudgetPartitionKind.Text => "text",
                BudgetPartitionKind.Json => "json",
                BudgetPartitionKind.Sha256 => "sha256",
                _ => null,
            },
            ["used"] = budget.Used,
            ["max"] = limit?.Max,
            ["fraction"] = limit is null ? null : Math.Round((double)(budget.Used / limit.Max), 4),
            ["window"] = limit is null ? Seconds(budget.Window) : WindowJson(limit.WindowText),
            ["windowSeconds"] = Seconds(window),
            ["usedWindowSeconds"] = Seconds(budget.Window),
            ["nextFreeAt"] = budget.NextFreeAt.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture),
            ["nextFreeSeconds"] = Math.Round(Math.Max(0, (budget.NextFreeAt - now).TotalSeconds), 3),
            ["tools"] = key is null || policy is null ? new JsonArray() : new JsonArray([.. ToolsCounting(policy, key.Counter).Select(t => (JsonNode)t)]),
            ["inPolicy"] = limit is not null,
        };
    }

    /// <summary>
    /// The policy's limit that keeps this budget: same counter, same scope, partitioned or not alike. Limits
    /// that share a counter name agree on all of that (the validator refuses otherwise), so the first will do.
    /// </summary>
    private static CompiledLimit? LimitOf(CompiledPolicy policy, BudgetKey key) =>
        AllRules(policy)
            .SelectMany(r => r.Limits)
            .FirstOrDefault(l => l.Counter == key.Counter && l.Scope == key.Scope && (l.By is null) == (key.Partition is null));

    /// <summary>The rule keys (tool names or patterns, as written) whose limits count in the counter, in document order.</summary>
    private static IEnumerable<string> ToolsCounting(CompiledPolicy policy, string counter) =>
        AllRules(policy).Where(r => r.Limits.Any(l => l.Counter == counter)).Select(r => r.IsDefault ? "(default)" : r.Key).Distinct(StringComparer.Ordinal);

    private static IEnumerable<CompiledRule> AllRules(CompiledPolicy policy) => policy.Rules.Append(policy.Default);

    /// <summary>A window word as a string, a number of seconds as a number: the policy's own spelling.</summary>
    private static JsonValue WindowJson(string text) =>
        decimal.TryParse(text, NumberStyles.Number, CultureInfo.InvariantCulture, out var seconds) ? JsonValue.Create(seconds) : JsonValue.Create(text);

    private static JsonValue Seconds(TimeSpan span) => JsonValue.Create((decimal)span.Ticks / TimeSpan.TicksPerSecond);
}
