-- find-all.lua: list a user's live sessions, pruning expired, orphaned and corrupt entries on the way.
-- KEYS[1] <prefix>{tag}:s  hash: m:<h> = "version:created:lastAccess:idleExpiry:absoluteExpiry" (ms), d:<h> = JSON
-- KEYS[2] <prefix>{tag}:i  sorted set: <h> scored by the session's expiry (ms)
-- ARGV[1] now (ms)
-- Returns {corrupt, h1, meta1, data1, h2, ...} soonest expiry first; corrupt = records deleted as unreadable
-- (-1 when foreign values under the keys were deleted).
-- Time source: ARGV[1], the caller's injected clock.
local now = tonumber(ARGV[1])
local t1, t2 = redis.call('TYPE', KEYS[1])['ok'], redis.call('TYPE', KEYS[2])['ok']
if (t1 ~= 'hash' and t1 ~= 'none') or (t2 ~= 'zset' and t2 ~= 'none') then
  redis.call('DEL', KEYS[1], KEYS[2])
  return {-1}
end

local function drop(h)
  redis.call('HDEL', KEYS[1], 'm:' .. h, 'd:' .. h)
  redis.call('ZREM', KEYS[2], h)
end

for _, h in ipairs(redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now)) do drop(h) end
local out = {0}
for _, h in ipairs(redis.call('ZRANGE', KEYS[2], 0, -1)) do
  local r = redis.call('HMGET', KEYS[1], 'm:' .. h, 'd:' .. h)
  local ok = r[1] and r[2] and string.match(r[1], '^%d+:%d+:%d+:%d+:%d+$')
  if ok then
    out[#out + 1] = h
    out[#out + 1] = r[1]
    out[#out + 1] = r[2]
  else
    if r[1] or r[2] then out[1] = out[1] + 1 end
    drop(h)
  end
end
if redis.call('ZCARD', KEYS[2]) == 0 then redis.call('DEL', KEYS[1], KEYS[2]) end
return out
