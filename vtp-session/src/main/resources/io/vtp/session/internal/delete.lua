-- delete.lua: remove one session (logout), or a record Java found corrupt.
-- KEYS[1] <prefix>{tag}:s  hash of session records   KEYS[2] <prefix>{tag}:i  sorted set index
-- ARGV[1] <h>
-- Returns 1 when a record was removed, else 0 (foreign values under the keys are deleted and count as 0).
-- Time source: none.
local h = ARGV[1]
local t1, t2 = redis.call('TYPE', KEYS[1])['ok'], redis.call('TYPE', KEYS[2])['ok']
if (t1 ~= 'hash' and t1 ~= 'none') or (t2 ~= 'zset' and t2 ~= 'none') then
  redis.call('DEL', KEYS[1], KEYS[2])
  return 0
end
local n = redis.call('HDEL', KEYS[1], 'm:' .. h, 'd:' .. h)
redis.call('ZREM', KEYS[2], h)
if redis.call('ZCARD', KEYS[2]) == 0 then redis.call('DEL', KEYS[1], KEYS[2]) end
if n > 0 then return 1 end
return 0
