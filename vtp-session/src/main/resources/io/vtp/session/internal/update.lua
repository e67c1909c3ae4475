-- update.lua: replace a session's attributes if its version is still the one the change was computed from.
-- KEYS[1] <prefix>{tag}:s  hash: m:<h> = "version:created:lastAccess:idleExpiry:absoluteExpiry" (ms), d:<h> = JSON
-- KEYS[2] <prefix>{tag}:i  sorted set: <h> scored by the session's expiry (ms)
-- ARGV[1] <h>   ARGV[2] now (ms)   ARGV[3] idle timeout (ms)   ARGV[4] expected version   ARGV[5] new data (JSON)
-- ARGV[6] touch threshold (ms): like find, the idle expiry slides only when this long has passed since the last
--         slide (the last-access field), so a busy session costs no index or TTL write per update.
-- Returns {1, meta} written | {4, meta, data} version conflict: nothing written, the current record returned |
-- {0} unknown | {2} expired (deleted) | {3} corrupt (deleted).
-- The common case never gets here: cas.lua writes a session that is current and due no slide, and the store runs
-- this script only when that precondition fails in Java or cas.lua finds the stored metadata changed.
-- Time source: ARGV[2], the caller's injected clock; key TTLs are derived from it.

local mf = 'm:' .. ARGV[1]
local h, now, idle, expected, newdata = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), ARGV[5]
local touch = tonumber(ARGV[6])
local df = 'd:' .. h

-- Removes this session's record; false when the index turns out to be a foreign type (then both keys are gone).
local function remove()
  local z = redis.pcall('ZREM', KEYS[2], h)
  if type(z) == 'table' and z['err'] then
    redis.call('DEL', KEYS[1], KEYS[2])
    return false
  end
  redis.call('HDEL', KEYS[1], mf, df)
  if redis.call('ZCARD', KEYS[2]) == 0 then redis.call('DEL', KEYS[1], KEYS[2]) end
  return true
end

-- No TYPE checks up front: a foreign type under either key shows up as an error reply of the first command that
-- touches it, and then nothing can be trusted.
local r = redis.pcall('HMGET', KEYS[1], mf, df)
if r['err'] then
  redis.call('DEL', KEYS[1], KEYS[2])
  return {3}
end
local meta, data = r[1], r[2]
if not meta and not data then return {0} end
local v, c, l, i, a
if meta then v, c, l, i, a = string.match(meta, '^(%d+):(%d+):(%d+):(%d+):(%d+)$') end
if not v or not data then
  remove()
  return {3}
end
v, c, l, i, a = tonumber(v), tonumber(c), tonumber(l), tonumber(i), tonumber(a)
if math.min(i, a) <= now then
  if not remove() then return {3} end
  return {2}
end
if v ~= expected then return {4, meta, data} end

v = v + 1
local old_e = math.min(i, a)
if now - l >= touch then
  l = now
  i = math.max(i, now + idle)
end
local e = math.min(i, a)
if e ~= old_e then
  -- The session's expiry moved (the slide): its index score follows.
  local z = redis.pcall('ZADD', KEYS[2], e, h)
  if type(z) == 'table' and z['err'] then
    -- Redis full (noeviction): the update fails as a whole, nothing written; the caller gets the error (503).
    if string.find(z['err'], 'OOM', 1, true) then return z end
    redis.call('DEL', KEYS[1], KEYS[2])
    return {3}
  end
end
meta = string.format('%d:%d:%d:%d:%d', v, c, l, i, a)
redis.call('HSET', KEYS[1], mf, meta, df, newdata)
if e ~= old_e then
  -- Both keys must live as long as the user's longest session: extend, never shorten (GT), which needs no look at
  -- the other sessions. GT treats a key without a TTL as infinite: give such a key (never written by this store,
  -- but nothing may live forever) the session's TTL. Unchanged expiry: the keys already cover it.
  local ttl = math.max(1, e - now)
  for _, k in ipairs(KEYS) do
    if redis.call('PEXPIRE', k, ttl, 'GT') == 0 and redis.call('PTTL', k) == -1 then redis.call('PEXPIRE', k, ttl) end
  end
end
return {1, meta}
