-- Reads a cache entry or takes its load lease, atomically (vtp-cache).
-- KEYS[1]  the entry key              KEYS[2]  its lease key (same {hash tag}, so one Cluster slot)
-- ARGV[1]  lease token (random per load attempt)
-- ARGV[2]  lease time-to-live in milliseconds
-- ARGV[3]  optional: an entry to treat as absent (the caller's own expired, corrupt or about-to-be-refreshed
--          copy); the argument is left out when there is none
-- Returns  {1, entry} when an entry other than ARGV[3] exists;
--          {2}        when this caller now holds the lease (it must load, then put.lua or release.lua);
--          {3}        when another caller holds the lease.
--          Decoded in one place: Leases.Acquired (FOUND, LEASED, BUSY).
-- Time:    no clock is read; PX is relative to the Redis server's clock.
local v = redis.call('GET', KEYS[1])
if v and v ~= ARGV[3] then
  return {1, v}
end
if redis.call('SET', KEYS[2], ARGV[1], 'NX', 'PX', ARGV[2]) then
  return {2}
end
return {3}
