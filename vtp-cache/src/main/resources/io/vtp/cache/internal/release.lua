-- Releases a load lease without writing, only if the caller still holds it (vtp-cache).
-- KEYS[1]  the lease key
-- ARGV[1]  the holder's lease token
-- Returns  1 when released, 0 when the lease was not (or no longer) the caller's.
-- Time:    no clock is read.
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
