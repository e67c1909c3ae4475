/**
 * VTP Scale's Redis plumbing: the Redis client factory ({@code RedisUrl}, {@code RedisClientOptions},
 * {@code RedisClients}), Lua scripts run with {@code EVALSHA} ({@code RedisScript}) and the base of every "backend
 * unavailable" exception. {@code io.vtp.redis.internal} is shared with the other VTP Scale modules only.
 */
@SuppressWarnings({"module", "requires-automatic", "requires-transitive-automatic"})
module io.vtp.redis {
  requires transitive redis.clients.jedis;
  requires org.apache.commons.pool2;
  requires org.slf4j;

  exports io.vtp.redis;
  exports io.vtp.redis.internal to io.vtp.session, io.vtp.ratelimit, io.vtp.cache;
}
