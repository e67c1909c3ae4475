-- find.lua: read one session and slide its idle expiry when the touch threshold has passed.
-- KEYS[1] <prefix>{tag}:s  hash: m:<h> = "version:created:lastAccess:idleExpiry:absoluteExpiry" (ms), d:<h> = JSON
-- KEYS[2] <prefix>{tag}:i  sorted set: <h> scored by the session's expiry (ms)
-- ARGV[1] <h> (base64url SHA-256 of the id)   ARGV[2] now (ms, from the store's Clock)
-- ARGV[3] idle timeout (ms)                     ARGV[4] touch threshold (ms)
-- Returns {1, meta, data} found | {0} unknown | {2} expired (deleted) | {3} corrupt (deleted).
-- Time source: ARGV[2], the caller's injected clock; key TTLs are derived from it.
local h, now, idle, touch = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local mf, df = 'm:' .. h, 'd:' .. h

-- A redis.pcall error reply (e.g. WRONGTYPE): a table with an err field.
local function failed(x) return type(x) == 'table' and x['err'] ~= nil end

local function remove()
  redis.call('HDEL', KEYS[1], mf, df)
  redis.call('ZREM', KEYS[2], h)
  if redis.call('ZCARD', KEYS[2]) == 0 then redis.call('DEL', KEYS[1], KEYS[2]) end
end

local r = redis.pcall('HMGET', KEYS[1], mf, df)
if failed(r) then
  -- Not a hash: a foreign or corrupt value under our key. Nothing in it can be trusted.
  redis.call('DEL', KEYS[1], KEYS[2])
  return {3}
end
local meta, data = r[1], r[2]
if not meta and not data then return {0} end
local v, c, l, i, a
if meta then v, c, l, i, a = string.match(meta, '^(%d+):(%d+):(%d+):(%d+):(%d+)$') end
if not v or not data then
  local ok = redis.pcall('ZREM', KEYS[2], h)
  if failed(ok) then redis.call('DEL', KEYS[1], KEYS[2]) else remove() end
  return {3}
end
v, c, l, i, a = tonumber(v), tonumber(c), tonumber(l), tonumber(i), tonumber(a)
if math.min(i, a) <= now then
  local ok = redis.pcall('ZREM', KEYS[2], h)
  if failed(ok) then redis.call('DEL', KEYS[1], KEYS[2]) return {3} end
  remove()
  return {2}
end
if now - l >= touch then
  l = now
  i = math.max(i, now + idle)
  meta = string.format('%d:%d:%d:%d:%d', v, c, l, i, a)
  local expiry = math.min(i, a)
  local z = redis.pcall('ZADD', KEYS[2], expiry, h)
  if failed(z) then redis.call('DEL', KEYS[1], KEYS[2]) return {3} end
  redis.call('HSET', KEYS[1], mf, meta)
  local top = redis.call('ZRANGE', KEYS[2], -1, -1, 'WITHSCORES')
  local ttl = math.max(1, tonumber(top[2]) - now)
  redis.call('PEXPIRE', KEYS[1], ttl)
  redis.call('PEXPIRE', KEYS[2], ttl)
end
return {1, meta, data}
