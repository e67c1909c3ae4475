-- One GCRA decision for one policy: the hot path of every single-policy GCRA limiter (the default), kept to the
-- minimum of Lua work because on a busy Redis the script's own cost is what limits throughput. Same arithmetic,
-- reply shape and guarantees as ratelimit.lua's GCRA branch (tests compare both with io.vtp.ratelimit.internal.Gcra).
--
-- KEYS[1]  the state key (the theoretical arrival time, TAT, in microseconds)
-- ARGV[1]  "now" in microseconds, or "" to read the Redis server clock (TIME). Only tests pass a value.
-- ARGV[2]  permits, an integer >= 1      ARGV[3]  emission interval (µs)      ARGV[4]  burst * interval (µs)
-- Returns  {all_allowed, allowed, remaining, reset_after_us, retry_after_us}: after consuming when allowed, as
--          they stand (nothing written) when denied.
-- Expiry   the key is written with PX = its time to full recovery, rounded up to the millisecond.
local now
if ARGV[1] == '' then
  local t = redis.call('TIME')
  now = t[1] * 1000000 + t[2]
else
  now = tonumber(ARGV[1])
end
local interval = tonumber(ARGV[3])
local span = tonumber(ARGV[4])
local tat = tonumber(redis.call('GET', KEYS[1])) or now
if tat < now then tat = now end
local new_tat = tat + ARGV[2] * interval
if now >= new_tat - span then
  local reset = new_tat - now
  local a = span - reset
  local rem = math.floor(a / interval)
  if rem * interval > a then rem = rem - 1 end
  local px = math.floor((reset + 999) / 1000)
  if px * 1000 > reset + 999 then px = px - 1 end
  redis.call('SET', KEYS[1], string.format('%.0f', new_tat), 'PX', px)
  return {1, 1, rem, reset, 0}
end
local reset = tat - now
local a = span - reset
local rem = math.floor(a / interval)
if rem * interval > a then rem = rem - 1 end
return {0, 0, rem, reset, new_tat - span - now}
