-- The fleet view's heartbeat: one instance says it is alive (io.vtp.app.web.FleetView).
-- KEYS[1]  the fleet hash (vtp:fleet): field = instance id, value = "<last beat, ms> <figures as JSON>"
-- ARGV[1]  the instance id
-- ARGV[2]  its figures as JSON (requests served, open room sockets)
-- ARGV[3]  the hash's expiry in ms, refreshed by every beat (the hash goes away when no instance runs)
-- Returns the server time of the beat in ms.
-- Time source: the Redis server clock (TIME), so every instance's beat is stamped by one clock.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('HSET', KEYS[1], ARGV[1], string.format('%d', now) .. ' ' .. ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return now
