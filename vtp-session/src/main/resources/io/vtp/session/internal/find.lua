-- find.lua: read one session and slide its idle expiry when the touch threshold has passed.
-- KEYS[1] <prefix>{tag}:s  hash: m:<h> = "version:created:lastAccess:idleExpiry:absoluteExpiry" (ms), d:<h> = JSON
-- KEYS[2] <prefix>{tag}:i  sorted set: <h> scored by the session's expiry (ms)
-- ARGV[1] <h> (base64url SHA-256 of the id)   ARGV[2] now (ms, from the store's Clock)
-- ARGV[3] idle timeout (ms)                     ARGV[4] touch threshold (ms)
-- Returns {1, meta, data} found | {0} unknown | {2} expired (deleted) | {3} corrupt (deleted).
-- Time source: ARGV[2], the caller's injected clock; key TTLs are derived from it.
-- The common case (found, no slide due) runs first and does as little as possible: this script is the hot path.
local h = ARGV[1]
local r = redis.pcall('HMGET', KEYS[1], 'm:' .. h, 'd:' .. h)
local meta, data = r[1], r[2] -- both nil when r is an error reply (WRONGTYPE)
if meta and data then
  local l, i, a = string.match(meta, '^%d+:%d+:(%d+):(%d+):(%d+)$')
  if l then
    local now = tonumber(ARGV[2])
    l, i, a = tonumber(l), tonumber(i), tonumber(a)
    if i > now and a > now then
      if now - l < tonumber(ARGV[4]) then return {1, meta, data} end
      -- Slide: the idle expiry moves to now + idle (never backwards), capped in effect by the absolute expiry.
      local v, c = string.match(meta, '^(%d+):(%d+):')
      local unslid = meta
      i = math.max(i, now + tonumber(ARGV[3]))
      meta = string.format('%s:%s:%d:%d:%d', v, c, now, i, a)
      local z = redis.pcall('ZADD', KEYS[2], math.min(i, a), h)
      if type(z) == 'table' and z['err'] then
        -- Redis full (maxmemory with noeviction refuses every write): serve the session as it is, without the
        -- slide; it is not corrupt, and deleting it would log its user out because memory ran short.
        if string.find(z['err'], 'OOM', 1, true) then return {1, unslid, data} end
        redis.call('DEL', KEYS[1], KEYS[2])
        return {3}
      end
      redis.call('HSET', KEYS[1], 'm:' .. h, meta)
      local top = redis.call('ZRANGE', KEYS[2], -1, -1, 'WITHSCORES')
      local ttl = math.max(1, tonumber(top[2]) - now)
      redis.call('PEXPIRE', KEYS[1], ttl)
      redis.call('PEXPIRE', KEYS[2], ttl)
      return {1, meta, data}
    end
  end
end

-- Everything else: unknown, corrupt, or expired.
if r['err'] then
  -- Not a hash: a foreign or corrupt value under our key. Nothing in it can be trusted.
  redis.call('DEL', KEYS[1], KEYS[2])
  return {3}
end
if not meta and not data then return {0} end
local code = 2
if not (meta and data and string.match(meta, '^%d+:%d+:%d+:%d+:%d+$')) then code = 3 end
local z = redis.pcall('ZREM', KEYS[2], h)
if type(z) == 'table' and z['err'] then
  redis.call('DEL', KEYS[1], KEYS[2])
  return {3}
end
redis.call('HDEL', KEYS[1], 'm:' .. h, 'd:' .. h)
if redis.call('ZCARD', KEYS[2]) == 0 then redis.call('DEL', KEYS[1], KEYS[2]) end
return {code}
