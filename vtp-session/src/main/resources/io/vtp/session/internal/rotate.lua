-- rotate.lua: move a session to a new id in one atomic step (no RENAME): the old id stops working at once.
-- KEYS[1] <prefix>{tag}:s  hash: m:<h> = "version:created:lastAccess:idleExpiry:absoluteExpiry" (ms), d:<h> = JSON
-- KEYS[2] <prefix>{tag}:i  sorted set: <h> scored by the session's expiry (ms)
-- ARGV[1] old <h>   ARGV[2] new <h> (same user tag, so same keys)   ARGV[3] now (ms)   ARGV[4] idle timeout (ms)
-- Returns {1, meta, data} rotated | {0} unknown | {2} expired (deleted) | {3} corrupt (deleted).
-- Creation time and absolute expiry are kept: rotation never extends a session's lifetime.
-- Time source: ARGV[3], the caller's injected clock; key TTLs are derived from it.
local old, new, now, idle = ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])

local t1, t2 = redis.call('TYPE', KEYS[1])['ok'], redis.call('TYPE', KEYS[2])['ok']
if (t1 ~= 'hash' and t1 ~= 'none') or (t2 ~= 'zset' and t2 ~= 'none') then
  redis.call('DEL', KEYS[1], KEYS[2])
  return {3}
end

local function remove(h)
  redis.call('HDEL', KEYS[1], 'm:' .. h, 'd:' .. h)
  redis.call('ZREM', KEYS[2], h)
  if redis.call('ZCARD', KEYS[2]) == 0 then redis.call('DEL', KEYS[1], KEYS[2]) end
end

local r = redis.call('HMGET', KEYS[1], 'm:' .. old, 'd:' .. old)
local meta, data = r[1], r[2]
if not meta and not data then return {0} end
local v, c, l, i, a
if meta then v, c, l, i, a = string.match(meta, '^(%d+):(%d+):(%d+):(%d+):(%d+)$') end
if not v or not data then remove(old) return {3} end
v, c, l, i, a = tonumber(v), tonumber(c), tonumber(l), tonumber(i), tonumber(a)
if math.min(i, a) <= now then remove(old) return {2} end

v = v + 1
l = math.max(l, now)
i = math.max(i, now + idle)
meta = string.format('%d:%d:%d:%d:%d', v, c, l, i, a)
-- The new record first: when Redis refuses writes (maxmemory with noeviction: OOM), the script stops at this HSET
-- with nothing changed, instead of after deleting the old record (a rotation that logged the user out).
redis.call('HSET', KEYS[1], 'm:' .. new, meta, 'd:' .. new, data)
redis.call('ZADD', KEYS[2], math.min(i, a), new)
redis.call('HDEL', KEYS[1], 'm:' .. old, 'd:' .. old)
redis.call('ZREM', KEYS[2], old)
local top = redis.call('ZRANGE', KEYS[2], -1, -1, 'WITHSCORES')
local ttl = math.max(1, tonumber(top[2]) - now)
redis.call('PEXPIRE', KEYS[1], ttl)
redis.call('PEXPIRE', KEYS[2], ttl)
return {1, meta, data}
