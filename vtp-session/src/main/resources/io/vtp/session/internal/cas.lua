-- cas.lua: the update fast path, a compare-and-set of one session's record.
-- KEYS[1] <prefix>{tag}:s  hash: m:<h> = "version:created:lastAccess:idleExpiry:absoluteExpiry" (ms), d:<h> = JSON
-- ARGV[1] m:<h>   ARGV[2] d:<h>   ARGV[3] the meta as the caller read it   ARGV[4] the new meta   ARGV[5] new data
-- Returns 1 written | 0 nothing written.
-- The caller sends this only when its own clock reading shows the session as read neither expired nor due a slide,
-- and computed ARGV[4] from ARGV[3] (version + 1, times unchanged). The stored meta being byte-for-byte ARGV[3]
-- then proves the version matches and nothing else changed, so nothing needs parsing, no TTL or index changes.
-- Anything else (another writer, a slide by another instance, a deleted record, a foreign type, whose error reply
-- pcall returns as a table) is 0, and the caller runs update.lua, which checks and decides.
if redis.pcall('HGET', KEYS[1], ARGV[1]) == ARGV[3] then
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[4], ARGV[2], ARGV[5])
  return 1
end
return 0
