-- Writes a loaded entry only while the writer still holds the lease, then releases it (vtp-cache).
-- An invalidation deletes the lease, so a load that raced with a write to the source of truth is dropped here
-- instead of caching the older value.
-- KEYS[1]  the entry key              KEYS[2]  its lease key (same {hash tag})
-- ARGV[1]  the writer's lease token
-- ARGV[2]  the entry (JSON envelope)
-- ARGV[3]  the entry's Redis time-to-live in milliseconds (freshness + stale grace)
-- Returns  1 when written, 0 when dropped (lease lost to expiry or invalidation).
-- Time:    no clock is read; PX is relative to the Redis server's clock.
if redis.call('GET', KEYS[2]) == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
  redis.call('DEL', KEYS[2])
  return 1
end
return 0
