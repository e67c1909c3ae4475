-- The fleet view: every instance's last beat (io.vtp.app.web.FleetView).
-- KEYS[1]  the fleet hash (vtp:fleet): field = instance id, value = "<last beat, ms> <figures as JSON>"
-- ARGV[1]  forget an instance whose last beat is older than this many ms (it is deleted from the hash)
-- Returns {server time in ms, id, value, id, value, ...} for the instances kept.
-- Time source: the Redis server clock (TIME), the clock the beats were stamped with.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local forget = tonumber(ARGV[1])
local all = redis.call('HGETALL', KEYS[1])
local out = {now}
for i = 1, #all, 2 do
  local seen = tonumber(string.match(all[i + 1], '^(%d+) '))
  if seen == nil or now - seen > forget then
    redis.call('HDEL', KEYS[1], all[i])
  else
    out[#out + 1] = all[i]
    out[#out + 1] = all[i + 1]
  end
end
return out
