using System.Security.Cryptography;
using System.Text;
using StackExchange.Redis;

namespace McpWarden.Storage.Redis;

/// <summary>
/// A Lua script run by its SHA-1 (<c>EVALSHA</c>), sent whole (<c>EVAL</c>) only when the server does not have it
/// (a restarted or flushed Redis answers <c>NOSCRIPT</c>): one execution per call either way. StackExchange.Redis
/// 1.2.6 does not retry an asynchronous script after <c>NOSCRIPT</c>, so this does it.
/// </summary>
internal sealed class RedisScript
{
    private readonly byte[] _sha1;

    private RedisScript(string text)
    {
        Text = text;
        // Redis names a cached script by the SHA-1 of its text; nothing here relies on SHA-1 for security.
#pragma warning disable CA5350
        _sha1 = SHA1.HashData(Encoding.UTF8.GetBytes(text));
#pragma warning restore CA5350
    }

    public string Text { get; }

    /// <summary>A script written in the code.</summary>
    public static RedisScript FromText(string text) => new(text);

    /// <summary>The script made of the embedded resources <paramref name="names"/> (<c>.lua</c> files of this assembly), in order.</summary>
    public static RedisScript FromResources(params string[] names)
    {
        var text = new StringBuilder();
        foreach (var name in names)
        {
            using var stream = typeof(RedisScript).Assembly.GetManifestResourceStream(name)
                ?? throw new InvalidOperationException($"the script resource {name} is missing from {typeof(RedisScript).Assembly.GetName().Name}");
            using var reader = new StreamReader(stream, Encoding.UTF8);
            text.Append(reader.ReadToEnd()).Append('\n');
        }

        return new RedisScript(text.ToString());
    }

    /// <summary>Runs the script once; Redis errors other than <c>NOSCRIPT</c> reach the caller as they are.</summary>
    public async Task<RedisResult> EvaluateAsync(IDatabase database, RedisKey[] keys, RedisValue[] values)
    {
        ArgumentNullException.ThrowIfNull(database);
        try
        {
            return await database.ScriptEvaluateAsync(_sha1, keys, values).ConfigureAwait(false);
        }
        catch (RedisServerException e) when (e.Message.StartsWith("NOSCRIPT", StringComparison.Ordinal))
        {
            // NoScriptCache: send EVAL itself, not the client's SCRIPT LOAD then EVAL; EVAL caches it on the server.
            return await database.ScriptEvaluateAsync(Text, keys, values, CommandFlags.NoScriptCache).ConfigureAwait(false);
        }
    }
}
