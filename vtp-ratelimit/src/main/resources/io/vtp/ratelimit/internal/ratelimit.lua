-- One rate limit decision over one or more policies, all or nothing, in one call.
--
-- KEYS[i]   state key of policy i. All keys of one call share one {hash tag} (Redis Cluster).
-- ARGV[1]   "now" in microseconds, or "" to read the Redis server clock (TIME). Only tests pass a value.
-- ARGV[2]   permits requested, an integer >= 1.
-- ARGV[3 + 5*(i-1) .. 7 + 5*(i-1)]   policy i: algorithm (1 GCRA, 2 sliding window, 3 fixed window),
--           limit, window_us, burst, interval_us (GCRA emission interval, ceil(window_us / limit)).
-- Returns   a flat array of integers: all_allowed (1/0), then for each policy i:
--           allowed (1/0), remaining, reset_after_us (time to full recovery), retry_after_us (0 when allowed).
--           When all_allowed is 1 the counts are after consuming; otherwise nothing was written and the
--           counts are as they stand.
-- Time      the Redis server clock (TIME, microseconds); client clocks are never used. Redis 7 replicates
--           scripts by effects, so reading TIME before writing is allowed.
-- Expiry    every key written gets PX = its time to full recovery, rounded up to the millisecond, so memory
--           is bounded by construction.
-- The GCRA arithmetic mirrors io.vtp.ratelimit.internal.Gcra exactly (tests compare them).

local now
if ARGV[1] ~= '' then
  now = tonumber(ARGV[1])
else
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000000 + tonumber(t[2])
end
local n = tonumber(ARGV[2])

-- Integers up to 2^53 are exact in Lua's doubles, but a/b may round up to the next integer: correct it.
local function floor_div(a, b)
  local q = math.floor(a / b)
  if q * b > a then q = q - 1 end
  return q
end
local function ceil_ms(us)
  return floor_div(us + 999, 1000)
end
-- redis.call turns Lua numbers into strings with 14 significant digits: format integers ourselves.
local function int(v)
  return string.format('%.0f', v)
end

local out = {1}
local writes = {}
local all = true

for i = 1, #KEYS do
  local base = 2 + (i - 1) * 5
  local alg = tonumber(ARGV[base + 1])
  local limit = tonumber(ARGV[base + 2])
  local window = tonumber(ARGV[base + 3])
  local burst = tonumber(ARGV[base + 4])
  local interval = tonumber(ARGV[base + 5])
  local key = KEYS[i]
  local ok, rem_pre, reset_pre, rem_post, reset_post, retry

  if alg == 1 then
    local tat = tonumber(redis.call('GET', key)) or now
    if tat < now then tat = now end
    local span = burst * interval
    local new_tat = tat + n * interval
    local allow_at = new_tat - span
    rem_pre = floor_div(now + span - tat, interval)
    reset_pre = tat - now
    if now >= allow_at then
      ok = true
      rem_post = floor_div(now + span - new_tat, interval)
      reset_post = new_tat - now
      retry = 0
      writes[#writes + 1] = {1, key, new_tat, reset_post}
    else
      ok = false
      retry = allow_at - now
    end
  elseif alg == 2 then
    local h = redis.call('HMGET', key, 's', 'c', 'p')
    local s = tonumber(h[1])
    local c = tonumber(h[2]) or 0
    local p = tonumber(h[3]) or 0
    if s == nil or now >= s + 2 * window then
      s = now; c = 0; p = 0
    elseif now >= s + window then
      p = c; c = 0; s = s + window
    end
    local e = now - s
    local weighted = math.ceil(p * (window - e) / window)
    rem_pre = math.max(0, limit - c - weighted)
    if c > 0 then reset_pre = s + 2 * window - now elseif p > 0 then reset_pre = s + window - now else reset_pre = 0 end
    if c + n + weighted <= limit then
      ok = true
      rem_post = limit - c - n - weighted
      reset_post = s + 2 * window - now
      retry = 0
      writes[#writes + 1] = {2, key, s, c + n, p, reset_post}
    else
      ok = false
      if c + n <= limit then
        -- wait inside this window until the previous window's weight has shrunk enough
        local room = limit - c - n
        retry = math.max(1, math.ceil(window - room * window / p) - e)
      else
        -- wait for the next window, where this window's count becomes the weighted previous one
        local room = limit - n
        retry = (s + window - now) + math.max(0, math.ceil(window - room * window / c))
      end
    end
  else
    local c = tonumber(redis.call('GET', key)) or 0
    local ttl = 0
    if c > 0 then ttl = redis.call('PTTL', key) end
    local fresh = (c == 0 or ttl <= 0)
    if fresh then
      c = 0
      ttl = ceil_ms(window)
    end
    rem_pre = math.max(0, limit - c)
    if c > 0 then reset_pre = ttl * 1000 else reset_pre = 0 end
    if c + n <= limit then
      ok = true
      rem_post = limit - c - n
      reset_post = ttl * 1000
      retry = 0
      writes[#writes + 1] = {3, key, fresh, c + n, ttl}
    else
      ok = false
      retry = ttl * 1000
    end
  end

  if not ok then all = false end
  out[#out + 1] = ok and 1 or 0
  out[#out + 1] = rem_pre
  out[#out + 1] = reset_pre
  out[#out + 1] = retry
  out[#out + 1] = rem_post or rem_pre
  out[#out + 1] = reset_post or reset_pre
end

local result = {all and 1 or 0}
for i = 1, #KEYS do
  local b = 1 + (i - 1) * 6
  result[#result + 1] = out[b + 1]
  if all then
    result[#result + 1] = out[b + 5]
    result[#result + 1] = out[b + 6]
  else
    result[#result + 1] = out[b + 2]
    result[#result + 1] = out[b + 3]
  end
  result[#result + 1] = out[b + 4]
end

if all then
  for _, w in ipairs(writes) do
    if w[1] == 1 then
      redis.call('SET', w[2], int(w[3]), 'PX', ceil_ms(w[4]))
    elseif w[1] == 2 then
      redis.call('HSET', w[2], 's', int(w[3]), 'c', int(w[4]), 'p', int(w[5]))
      redis.call('PEXPIRE', w[2], ceil_ms(w[6]))
    elseif w[3] then
      redis.call('SET', w[2], int(w[4]), 'PX', w[5])
    else
      redis.call('INCRBY', w[2], n)
    end
  end
end

return result
