-- Test script. KEYS[1]: a counter. ARGV[1]: increment. Returns the new value. Sets a 60 s expiry.
local v = redis.call('INCRBY', KEYS[1], ARGV[1])
redis.call('EXPIRE', KEYS[1], 60)
return v
