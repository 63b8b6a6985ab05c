namespace McpWarden.Storage.Redis.Approvals;

/// <summary>
/// The Lua scripts of the approval queue: each transition is one script, so Redis runs it whole, with no other
/// command in between, and of any number of replicas racing to decide or use one approval exactly one changes it.
/// </summary>
/// <remarks>
/// Instants are UTC ticks as decimal text: 19 digits do not fit a Lua number (a double) exactly, so they are
/// compared by <c>before</c>, which splits them into two exact halves. Index scores and TTLs are Redis's own
/// clock (<c>TIME</c>), since that is the clock that expires the keys.
/// </remarks>
internal static class ApprovalScripts
{
    /// <summary>Whether the tick count <c>a</c> is before <c>b</c>, exactly (both non-negative integers in decimal).</summary>
    private const string Before = """
        local function before(a, b)
          if #a ~= #b then return #a < #b end
          local split = #a - 9
          if split > 0 then
            local high_a, high_b = tonumber(string.sub(a, 1, split)), tonumber(string.sub(b, 1, split))
            if high_a ~= high_b then return high_a < high_b end
            return tonumber(string.sub(a, split + 1)) < tonumber(string.sub(b, split + 1))
          end
          return tonumber(a) < tonumber(b)
        end

        """;

    /// <summary>Redis's clock in milliseconds, and the removal of index entries whose approvals have outlived the retention.</summary>
    private const string Index = """
        local function redis_ms()
          local time = redis.call('TIME')
          return tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
        end

        local function index(key, id, retention)
          local stamp = redis_ms()
          redis.call('ZADD', key, stamp, id)
          redis.call('ZREMRANGEBYSCORE', key, '-inf', stamp - retention)
        end

        """;

    /// <summary>
    /// Records a new approval as pending.
    /// KEYS: the approval, the pending index, the sequence. ARGV: id, TTL in ms, then field, value, field, value…
    /// Returns its sequence number (what orders approvals created in the same tick).
    /// </summary>
    public static RedisScript Submit { get; } = RedisScript.FromText("""
        if redis.call('EXISTS', KEYS[1]) == 1 then
          return redis.error_reply('an approval already has the id ' .. ARGV[1])
        end
        local seq = redis.call('INCR', KEYS[3])
        redis.call('HSET', KEYS[1], 'seq', seq, unpack(ARGV, 3))
        redis.call('ZADD', KEYS[2], seq, ARGV[1])
        redis.call('PEXPIRE', KEYS[1], ARGV[2])
        return seq
        """);

    /// <summary>
    /// Settles a pending approval: decides it, abandons it, or only times it out. Whatever is asked, one past its
    /// expiry is timed out instead, and one no longer pending is left alone.
    /// KEYS: the approval, the pending index, the index of the state asked for, the timed-out index.
    /// ARGV: id, now (ticks), state asked for (<c>timed_out</c>: only if expired), decided by, whether there is a
    /// reason (1/0), the reason, the owner it must still have (empty: any), retention in ms, channel, the time-out reason.
    /// Returns <c>settled</c>, <c>timed_out</c>, <c>pending</c> (not expired, or another owner), <c>not_pending</c> or <c>not_found</c>.
    /// </summary>
    public static RedisScript Settle { get; } = RedisScript.FromText(Before + Index + """
        local state = redis.call('HGET', KEYS[1], 'state')
        if not state then return 'not_found' end
        if state ~= 'pending' then return 'not_pending' end
        local retention = tonumber(ARGV[8])

        local function settle(to_state, to_index, decided_by, has_reason, reason)
          redis.call('HSET', KEYS[1], 'state', to_state, 'decided_at', ARGV[2], 'decided_by', decided_by)
          if has_reason then
            redis.call('HSET', KEYS[1], 'reason', reason)
          else
            redis.call('HDEL', KEYS[1], 'reason')
          end
          redis.call('ZREM', KEYS[2], ARGV[1])
          index(to_index, ARGV[1], retention)
          redis.call('PEXPIRE', KEYS[1], retention)
          redis.call('PUBLISH', ARGV[9], ARGV[1])
        end

        if not before(ARGV[2], redis.call('HGET', KEYS[1], 'expires_at')) then
          settle('timed_out', KEYS[4], 'gateway', true, ARGV[10])
          return 'timed_out'
        end
        if ARGV[3] == 'timed_out' then return 'pending' end
        if ARGV[7] ~= '' and redis.call('HGET', KEYS[1], 'owner') ~= ARGV[7] then return 'pending' end
        settle(ARGV[3], KEYS[3], ARGV[4], ARGV[5] == '1', ARGV[6])
        return 'settled'
        """);

    /// <summary>
    /// Marks an approved approval used, only if every field of its binding matches.
    /// KEYS: the approval, the approved index, the used index. ARGV: id, grant, server, tool, arguments SHA-256,
    /// policy revision, retention in ms. Returns 1 for the one use, else 0.
    /// </summary>
    public static RedisScript Use { get; } = RedisScript.FromText(Index + """
        local found = redis.call('HMGET', KEYS[1], 'state', 'grant', 'server', 'tool', 'arguments_sha256', 'policy_revision')
        if found[1] ~= 'approved' then return 0 end
        for i = 2, 6 do
          if found[i] ~= ARGV[i] then return 0 end
        end
        local retention = tonumber(ARGV[7])
        redis.call('HSET', KEYS[1], 'state', 'used')
        redis.call('ZREM', KEYS[2], ARGV[1])
        index(KEYS[3], ARGV[1], retention)
        redis.call('PEXPIRE', KEYS[1], retention)
        return 1
        """);
}
