-- delete-all.lua: end every session of a user (log out everywhere).
-- KEYS[1] <prefix>{tag}:s  hash of session records   KEYS[2] <prefix>{tag}:i  sorted set index
-- ARGV[1] now (ms)
-- Returns how many live sessions were ended.
-- Time source: ARGV[1], the caller's injected clock.
local n = redis.pcall('ZCOUNT', KEYS[2], '(' .. ARGV[1], '+inf')
if type(n) ~= 'number' then n = 0 end
redis.call('DEL', KEYS[1], KEYS[2])
return n
