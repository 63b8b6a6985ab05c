-- Reads, without changing anything, the units of budgets in their latest window as of now.
--
-- KEYS, two per budget i: KEYS[2i-1] its summary (hash: used, window_us), KEYS[2i] its log.
-- ARGV: [1] now in microseconds, rounded down.
-- Returns one {i, used, oldest_us, window_us} per budget with units in its window: the oldest entry in the
-- window leaves it at oldest_us + window_us.

local now = tonumber(ARGV[1])
local result = {}
for i = 1, #KEYS / 2 do
  local window = tonumber(redis.call('HGET', KEYS[2 * i - 1], 'window_us') or '')
  if window ~= nil then
    local horizon = now - window
    local used, oldest = DEC_ZERO, nil
    for _, entry in ipairs(redis.call('LRANGE', KEYS[2 * i], 0, -1)) do
      local at, _, units = entry_parse(entry)
      if at > horizon then
        oldest = oldest or at
        used = dec_add(used, dec_parse(units))
      end
    end
    if oldest ~= nil and not dec_is_zero(used) then
      result[#result + 1] = { tostring(i), dec_format(used), int_format(oldest), int_format(window) }
    end
  end
end
return result
