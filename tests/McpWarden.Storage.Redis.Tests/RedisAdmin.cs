using StackExchange.Redis;

namespace McpWarden.Storage.Redis.Tests;

/// <summary>A connection of the test's own to the server, for what the store never does: INFO, SCRIPT FLUSH, reading TTLs and planting bad data.</summary>
internal sealed class RedisAdmin : IDisposable
{
    private static readonly TimeSpan PageTimeout = TimeSpan.FromSeconds(30);

    private readonly ConnectionMultiplexer _multiplexer;

    private RedisAdmin(ConnectionMultiplexer multiplexer) => _multiplexer = multiplexer;

    public IDatabase Database => _multiplexer.GetDatabase();

    public IServer Server => _multiplexer.GetServer(_multiplexer.GetEndPoints()[0]);

    public static async Task<RedisAdmin> ConnectAsync(string endpoint) =>
        new(await ConnectionMultiplexer.ConnectAsync($"{endpoint},allowAdmin=true,abortConnect=false"));

    /// <summary>Every key under <paramref name="prefix"/> (by SCAN), sorted.</summary>
    /// <remarks>
    /// SCAN's pages are asked for asynchronously, each given 30 s: this client's synchronous calls time out after
    /// 5 s, which a test suite loading both cores was seen to exceed while the server itself was fine.
    /// </remarks>
    public async Task<string[]> KeysAsync(string prefix)
    {
        var keys = new HashSet<string>(StringComparer.Ordinal);
        var cursor = "0";
        do
        {
            // [next cursor, [keys...]]; SCAN may return a key twice, hence the set.
            var page = (RedisResult[])(await Database.ExecuteAsync("SCAN", cursor, "MATCH", prefix + "*", "COUNT", "100").WaitAsync(PageTimeout))!;
            cursor = (string)page[0]!;
            keys.UnionWith(((RedisResult[])page[1]!).Select(key => (string)key!));
        }
        while (cursor != "0");

        return [.. keys.Order(StringComparer.Ordinal)];
    }

    /// <summary>How many EVAL and EVALSHA commands the server has had since it started, and how many of them failed (NOSCRIPT among them).</summary>
    public async Task<(long Calls, long Failed)> ScriptCallsAsync()
    {
        var info = (string)(await Database.ExecuteAsync("INFO", "commandstats"))!;
        long calls = 0, failed = 0;
        foreach (var line in info.Split('\n'))
        {
            // cmdstat_evalsha:calls=12,usec=...,rejected_calls=0,failed_calls=0
            if (line.StartsWith("cmdstat_eval:", StringComparison.Ordinal) || line.StartsWith("cmdstat_evalsha:", StringComparison.Ordinal))
            {
                var fields = line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim().Split(',').Select(f => f.Split('=')).ToDictionary(f => f[0], f => f[1]);
                calls += Count(fields, "calls");
                failed += Count(fields, "failed_calls") + Count(fields, "rejected_calls");
            }
        }

        return (calls, failed);
    }

    private static long Count(Dictionary<string, string> fields, string name) =>
        fields.TryGetValue(name, out var value) ? long.Parse(value, System.Globalization.CultureInfo.InvariantCulture) : 0;

    public void Dispose() => _multiplexer.Dispose();
}
