-- Exact decimals for the counter scripts, put before each of them.
-- Lua's numbers are doubles, which would round a spend cap (0.1 + 0.2 is not 0.3 in doubles). Here a value
-- is a non-negative fixed-point number with 28 decimal places (the most a .NET decimal has) and up to 35
-- integer digits (a decimal has at most 29, so the sum of a used figure and a call's units always fits),
-- held as nine base-10^7 limbs, least significant first. Every limb, and every sum of two limbs, is an
-- integer far below 2^53, so each step is exact. Text in and out is invariant decimal text ("60.5").

local DEC_LIMBS = 9
local DEC_BASE = 10000000
local DEC_LIMB_DIGITS = 7
local DEC_FRACTION_DIGITS = 28
local DEC_INTEGER_DIGITS = 35
local DEC_ZERO = { 0, 0, 0, 0, 0, 0, 0, 0, 0 }

local function dec_parse(text)
  local whole, fraction = string.match(text, '^(%d+)%.?(%d*)$')
  if whole == nil or #fraction > DEC_FRACTION_DIGITS then
    error('mcpwarden counters: ' .. string.format('%q', text) .. ' is not a decimal the counter scripts hold exactly')
  end
  whole = string.gsub(whole, '^0+', '')
  if #whole > DEC_INTEGER_DIGITS then
    error('mcpwarden counters: ' .. string.format('%q', text) .. ' has more integer digits than the counter scripts hold')
  end
  local digits = string.rep('0', DEC_INTEGER_DIGITS - #whole) .. whole .. fraction .. string.rep('0', DEC_FRACTION_DIGITS - #fraction)
  local value = {}
  local last = #digits
  for i = 1, DEC_LIMBS do
    value[i] = tonumber(string.sub(digits, last - DEC_LIMB_DIGITS * i + 1, last - DEC_LIMB_DIGITS * (i - 1)))
  end
  return value
end

local function dec_add(a, b)
  local sum, carry = {}, 0
  for i = 1, DEC_LIMBS do
    local limb = a[i] + b[i] + carry
    if limb >= DEC_BASE then
      sum[i], carry = limb - DEC_BASE, 1
    else
      sum[i], carry = limb, 0
    end
  end
  if carry ~= 0 then
    error('mcpwarden counters: a sum of units overflowed')
  end
  return sum
end

-- a - b, for a >= b: a budget's units never go below zero, so a borrow left over means its data is corrupt.
local function dec_sub(a, b)
  local difference, borrow = {}, 0
  for i = 1, DEC_LIMBS do
    local limb = a[i] - b[i] - borrow
    if limb < 0 then
      difference[i], borrow = limb + DEC_BASE, 1
    else
      difference[i], borrow = limb, 0
    end
  end
  if borrow ~= 0 then
    error('mcpwarden counters: a budget holds fewer units than it has expired (its data is inconsistent)')
  end
  return difference
end

local function dec_cmp(a, b)
  for i = DEC_LIMBS, 1, -1 do
    if a[i] ~= b[i] then
      return a[i] < b[i] and -1 or 1
    end
  end
  return 0
end

local function dec_is_zero(a)
  return dec_cmp(a, DEC_ZERO) == 0
end

local function dec_format(value)
  local parts = {}
  for i = DEC_LIMBS, 1, -1 do
    parts[#parts + 1] = string.format('%07d', value[i])
  end
  local digits = table.concat(parts)
  local whole = string.gsub(string.sub(digits, 1, DEC_INTEGER_DIGITS), '^0+', '')
  local fraction = string.gsub(string.sub(digits, DEC_INTEGER_DIGITS + 1), '0+$', '')
  if whole == '' then
    whole = '0'
  end
  if fraction == '' then
    return whole
  end
  return whole .. '.' .. fraction
end

-- Instants and durations are whole microseconds since the Unix epoch: below 2^53 (the year 2255), exact in a
-- double. The gateway passes them in; the scripts never read Redis's clock.
local function int_format(number)
  return string.format('%.0f', number)
end

-- One log entry: "AT OPENED UNITS", AT the stamp it leaves the window by, OPENED when it began taking units.
local function entry_parse(entry)
  local at, opened, units = string.match(entry, '^(%-?%d+) (%-?%d+) ([%d%.]+)$')
  if at == nil then
    error('mcpwarden counters: unreadable log entry ' .. string.format('%q', entry))
  end
  return tonumber(at), tonumber(opened), units
end

local function entry_format(at, opened, units)
  return int_format(at) .. ' ' .. int_format(opened) .. ' ' .. units
end
