namespace McpWarden.Storage.Redis.Pinning;

/// <summary>
/// The Lua scripts of the pin store. A server's pins are one hash, a tool's values under fields named
/// <c>KIND:TOOL</c> (the kinds hold no colon, so the first colon ends the kind): <c>f</c> the pinned fingerprint,
/// <c>d</c> its definition, <c>t</c> when it was pinned, <c>a</c> when a person last accepted a change,
/// <c>cf</c>, <c>cd</c>, <c>ct</c> the changed definition waiting for a person. Each script reads and writes one
/// server's hash as a whole, so replicas listing a server at once see one another's pins.
/// </summary>
internal static class PinScripts
{
    /// <summary>The fields of a tool, in the order <see cref="Check"/> answers them.</summary>
    private const string Fields = """
        local function fields(tool)
          return redis.call('HMGET', KEYS[1], 'f:' .. tool, 'd:' .. tool, 't:' .. tool, 'a:' .. tool, 'cf:' .. tool, 'cd:' .. tool, 'ct:' .. tool)
        end

        """;

    /// <summary>
    /// Compares what a server lists with its pins: a tool seen for the first time is pinned as listed; a definition
    /// that differs from the pin and from the change already waiting becomes the waiting change.
    /// KEYS: the server's pins, the set of servers with pins. ARGV: server, now (ticks), then tool, fingerprint,
    /// definition for each listed tool. Returns, per tool, 1 if its change is new (else 0) and its seven fields.
    /// </summary>
    public static RedisScript Check { get; } = RedisScript.FromText(Fields + """
        redis.call('SADD', KEYS[2], ARGV[1])
        local answers = {}
        for i = 3, #ARGV, 3 do
          local tool, fingerprint, definition = ARGV[i], ARGV[i + 1], ARGV[i + 2]
          local pinned = redis.call('HGET', KEYS[1], 'f:' .. tool)
          local newly_changed = 0
          if not pinned then
            redis.call('HSET', KEYS[1], 'f:' .. tool, fingerprint, 'd:' .. tool, definition, 't:' .. tool, ARGV[2])
          elseif pinned ~= fingerprint and redis.call('HGET', KEYS[1], 'cf:' .. tool) ~= fingerprint then
            redis.call('HSET', KEYS[1], 'cf:' .. tool, fingerprint, 'cd:' .. tool, definition, 'ct:' .. tool, ARGV[2])
            newly_changed = 1
          end
          local answer = fields(tool)
          table.insert(answer, 1, newly_changed)
          answers[#answers + 1] = answer
        end
        return answers
        """);

    /// <summary>
    /// Makes the waiting change the pin; with a fingerprint, only if the waiting change still has it.
    /// KEYS: the server's pins. ARGV: tool, whether a fingerprint is given (1/0), the fingerprint, now (ticks).
    /// Returns <c>accepted</c>, <c>unknown</c>, <c>nothing</c> or <c>mismatch</c>.
    /// </summary>
    public static RedisScript Accept { get; } = RedisScript.FromText("""
        local tool = ARGV[1]
        if not redis.call('HGET', KEYS[1], 'f:' .. tool) then return 'unknown' end
        local changed = redis.call('HGET', KEYS[1], 'cf:' .. tool)
        if not changed then return 'nothing' end
        if ARGV[2] == '1' and ARGV[3] ~= changed then return 'mismatch' end
        redis.call('HSET', KEYS[1], 'f:' .. tool, changed, 'd:' .. tool, redis.call('HGET', KEYS[1], 'cd:' .. tool), 'a:' .. tool, ARGV[4])
        redis.call('HDEL', KEYS[1], 'cf:' .. tool, 'cd:' .. tool, 'ct:' .. tool)
        return 'accepted'
        """);
}
