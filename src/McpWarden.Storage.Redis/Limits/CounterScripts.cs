namespace McpWarden.Storage.Redis.Limits;

/// <summary>The counter store's Lua scripts (<c>Limits/*.lua</c>), each with the exact decimal arithmetic before it.</summary>
internal static class CounterScripts
{
    /// <summary>Checks, and when asked consumes, every obligation of one call: see <c>consume.lua</c>.</summary>
    public static RedisScript Consume { get; } = RedisScript.FromResources("Limits/decimal.lua", "Limits/consume.lua");

    /// <summary>Reads the units in the window of a batch of budgets, writing nothing: see <c>usage.lua</c>.</summary>
    public static RedisScript Usage { get; } = RedisScript.FromResources("Limits/decimal.lua", "Limits/usage.lua");
}
