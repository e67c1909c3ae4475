-- create.lua: store a new session, prune the user's expired sessions, evict the soonest-expiring ones when the
-- user is at the maximum.
-- KEYS[1] <prefix>{tag}:s  hash: m:<h> = "version:created:lastAccess:idleExpiry:absoluteExpiry" (ms), d:<h> = JSON
-- KEYS[2] <prefix>{tag}:i  sorted set: <h> scored by the session's expiry (ms)
-- ARGV[1] <h>   ARGV[2] now (ms)   ARGV[3] meta   ARGV[4] data (JSON)   ARGV[5] expiry (ms)
-- ARGV[6] max sessions per user (0 = unlimited)
-- Returns {evicted, corrupt}: sessions ended to make room, and 1 when foreign values under the keys were deleted.
-- Time source: ARGV[2], the caller's injected clock; key TTLs are derived from it.
local h, now, meta, data, expiry, max = ARGV[1], tonumber(ARGV[2]), ARGV[3], ARGV[4], tonumber(ARGV[5]), tonumber(ARGV[6])

local corrupt = 0
local t1, t2 = redis.call('TYPE', KEYS[1])['ok'], redis.call('TYPE', KEYS[2])['ok']
if (t1 ~= 'hash' and t1 ~= 'none') or (t2 ~= 'zset' and t2 ~= 'none') then
  redis.call('DEL', KEYS[1], KEYS[2])
  corrupt = 1
end

-- The new record first: when Redis refuses writes (maxmemory with noeviction: OOM), the script stops here with
-- nothing changed, before pruning or evicting any other session. Its index entry comes after the eviction below,
-- which must not count it.
redis.call('HSET', KEYS[1], 'm:' .. h, meta, 'd:' .. h, data)

local function drop(members)
  for _, m in ipairs(members) do
    redis.call('HDEL', KEYS[1], 'm:' .. m, 'd:' .. m)
    redis.call('ZREM', KEYS[2], m)
  end
end

-- Lazy pruning, bounded per call so one script never runs long.
drop(redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now, 'LIMIT', 0, 100))

local evicted = 0
if max > 0 then
  local n = redis.call('ZCARD', KEYS[2])
  if n >= max then
    drop(redis.call('ZRANGE', KEYS[2], 0, n - max))
    evicted = n - max + 1
  end
end

redis.call('ZADD', KEYS[2], expiry, h)
local top = redis.call('ZRANGE', KEYS[2], -1, -1, 'WITHSCORES')
local ttl = math.max(1, tonumber(top[2]) - now)
redis.call('PEXPIRE', KEYS[1], ttl)
redis.call('PEXPIRE', KEYS[2], ttl)
return {evicted, corrupt}
