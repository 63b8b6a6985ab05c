-- Checks every obligation of one call in the policy's order and, when consuming and every one has room, takes
-- the call's units from all of them: all or nothing, atomic because Redis runs one script at a time.
--
-- KEYS, two per obligation i: KEYS[2i-1] the budget's summary (hash: used, window_us, longest_us), KEYS[2i] its log
--   (list of entries, oldest first, stamps never decreasing).
-- ARGV: [1] 'consume' or 'check'; [2] now in microseconds rounded down (entries leave the window late, never
--   early); [3] now rounded up (the stamp new units get, erring late too); [4] milliseconds a budget's keys
--   outlive its last entry; then four per obligation i from 4 + 4(i-1) + 1: window_us, granularity_us,
--   units, max (units and max as decimal text).
-- Returns {'admitted', used_1, ..., used_n}, each obligation's units in its window counting this call's, or
-- {'refused', i, retry}: the first obligation without room, and the stamp (microseconds) of the entry whose
-- leaving makes room, 'never' when the call alone exceeds the max, or 'now'.
--
-- Nothing is written before every check has passed: a script that fails half-way does not undo its writes.

local consume = ARGV[1] == 'consume'
local now = tonumber(ARGV[2])
local stamp_now = tonumber(ARGV[3])
local slack_ms = tonumber(ARGV[4])
local count = #KEYS / 2

-- The units of the log's entries from index `from` (0-based) on, walking it in chunks.
local function sum_log(log, from)
  local sum = DEC_ZERO
  while true do
    local chunk = redis.call('LRANGE', log, from, from + 127)
    for _, entry in ipairs(chunk) do
      local _, _, units = entry_parse(entry)
      sum = dec_add(sum, dec_parse(units))
    end
    if #chunk < 128 then
      return sum
    end
    from = from + #chunk
  end
end

-- A budget as this call finds it. Its log keeps every entry until it leaves the LONGEST window the budget was
-- counted under (its summary remembers that window), so that a call under a shorter window (a replica on an
-- older policy, a reload shortening the window) never erases units a longer window still counts. The summary's
-- `used` is the sum of the whole log. Entries that left this call's window are counted out of `used`; those
-- that left the longest window are counted for removal, and removed only when consuming: a check writes nothing.
local function load_budget(summary, log, window)
  local longest = math.max(window, tonumber(redis.call('HGET', summary, 'longest_us') or '0') or 0)
  local budget = { summary = summary, log = log, length = redis.call('LLEN', log), expired = 0, trimmed = 0,
    longest = longest, pending = DEC_ZERO, additions = {} }
  local horizon, trim_horizon = now - window, now - longest
  local expired_units, trimmed_units = DEC_ZERO, DEC_ZERO
  local reading = budget.length > 0
  while reading do
    local chunk = redis.call('LRANGE', log, budget.expired, budget.expired + 127)
    reading = #chunk == 128
    for _, entry in ipairs(chunk) do
      local at, _, units = entry_parse(entry)
      if at > horizon then
        reading = false
        break
      end
      local entry_units = dec_parse(units)
      budget.expired = budget.expired + 1
      expired_units = dec_add(expired_units, entry_units)
      -- INVARIANT: trim_horizon <= horizon, so the entries to remove are a prefix of those out of this window.
      if at <= trim_horizon then
        budget.trimmed = budget.trimmed + 1
        trimmed_units = dec_add(trimmed_units, entry_units)
      end
    end
  end

  local stored = redis.call('HGET', summary, 'used')
  local total
  if stored then
    total = dec_parse(stored)
  else
    -- The summary is a shortcut: without it the log itself is summed.
    total = sum_log(log, 0)
  end
  budget.used = budget.expired == budget.length and DEC_ZERO or dec_sub(total, expired_units)
  budget.kept = dec_sub(total, trimmed_units)
  return budget
end

-- As SlidingWindowLog.RetryAfter: the stamp of the oldest entry whose leaving frees enough for `need` to fit
-- under `max`, reading the entries still in the window oldest first.
local function retry_at(budget, units, max, need)
  if dec_cmp(dec_add(budget.pending, units), max) > 0 then
    return 'never'
  end
  local excess = dec_sub(need, max)
  local freed = DEC_ZERO
  local from = budget.expired
  while true do
    local chunk = redis.call('LRANGE', budget.log, from, from + 127)
    for _, entry in ipairs(chunk) do
      local at, _, entry_units = entry_parse(entry)
      freed = dec_add(freed, dec_parse(entry_units))
      if dec_cmp(freed, excess) >= 0 then
        return int_format(at)
      end
    end
    if #chunk < 128 then
      return 'now'
    end
    from = from + #chunk
  end
end

local budgets, order, used_with_call = {}, {}, {}
for i = 1, count do
  local summary, log = KEYS[2 * i - 1], KEYS[2 * i]
  local base = 4 + 4 * (i - 1)
  local window, granularity = tonumber(ARGV[base + 1]), tonumber(ARGV[base + 2])
  local units, max = dec_parse(ARGV[base + 3]), dec_parse(ARGV[base + 4])
  local budget = budgets[summary]
  if budget == nil then
    budget = load_budget(summary, log, window)
    budgets[summary] = budget
    order[#order + 1] = budget
  end

  -- A budget named twice in one call counts twice: its second obligation sees the first one's units.
  local need = dec_add(dec_add(budget.used, budget.pending), units)
  if dec_cmp(need, max) > 0 then
    return { 'refused', tostring(i), retry_at(budget, units, max, need) }
  end

  budget.pending = dec_add(budget.pending, units)
  budget.window, budget.granularity = window, granularity
  if not dec_is_zero(units) then
    budget.additions[#budget.additions + 1] = units
  end
  used_with_call[i] = dec_format(need)
end

if not consume then
  return { 'admitted', unpack(used_with_call) }
end

for _, budget in ipairs(order) do
  if budget.trimmed > 0 or #budget.additions > 0 then
    local log = budget.log
    if budget.trimmed > 0 then
      redis.call('LTRIM', log, budget.trimmed, -1)
    end

    local length = budget.length - budget.trimmed
    local newest_at, newest_opened, newest_units
    if length > 0 then
      local at, opened, units = entry_parse(redis.call('LINDEX', log, -1))
      newest_at, newest_opened, newest_units = at, opened, dec_parse(units)
    end

    -- As SlidingWindowLog.Add: units within one granularity of the newest entry's opening join it, stamped
    -- with the latest time seen, so a clock that steps back (or a replica whose clock is behind) never makes
    -- units leave the window early, and a budget keeps about 1,024 entries per window.
    for _, units in ipairs(budget.additions) do
      local latest = stamp_now
      if newest_at ~= nil and newest_at > latest then
        latest = newest_at
      end
      if newest_at ~= nil and latest - newest_opened < budget.granularity then
        newest_at, newest_units = latest, dec_add(newest_units, units)
        redis.call('LSET', log, -1, entry_format(newest_at, newest_opened, dec_format(newest_units)))
      else
        newest_at, newest_opened, newest_units = latest, latest, units
        redis.call('RPUSH', log, entry_format(newest_at, newest_opened, dec_format(newest_units)))
        length = length + 1
      end
    end

    if length == 0 then
      redis.call('DEL', budget.summary, log)
    else
      redis.call('HSET', budget.summary, 'used', dec_format(dec_add(budget.kept, budget.pending)),
        'window_us', int_format(budget.window), 'longest_us', int_format(budget.longest))
      -- The keys live until the newest entry leaves the longest window, and a little longer: Redis's memory
      -- follows the budgets in use, not every key ever seen.
      local ttl = string.format('%d', math.ceil((newest_at + budget.longest - now) / 1000) + slack_ms)
      redis.call('PEXPIRE', budget.summary, ttl)
      redis.call('PEXPIRE', log, ttl)
    end
  end
end

return { 'admitted', unpack(used_with_call) }
