-- Deletes an entry and its load lease, then publishes the invalidation for other instances' L1 (vtp-cache).
-- Deleting the lease makes a concurrent load's put.lua drop its (possibly older) value.
-- KEYS[1]  the entry key              KEYS[2]  its lease key (same {hash tag})
-- ARGV[1]  the invalidation channel   ARGV[2]  the message (the key's hashed or safe form)
-- Returns  the number of keys deleted (0 to 2).
-- Time:    no clock is read.
local n = redis.call('DEL', KEYS[1], KEYS[2])
redis.call('PUBLISH', ARGV[1], ARGV[2])
return n
