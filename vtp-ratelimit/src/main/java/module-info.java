/**
 * VTP Scale rate limiting: exact distributed limiters in one Redis round trip ({@code io.vtp.ratelimit}), and
 * their optional Micrometer binding ({@code io.vtp.ratelimit.micrometer}, needs {@code micrometer-core}).
 */
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"})
module io.vtp.ratelimit {
  requires transitive io.vtp.redis;
  requires transitive redis.clients.jedis;
  requires org.slf4j;
  requires static transitive micrometer.core;

  exports io.vtp.ratelimit;
  exports io.vtp.ratelimit.micrometer;

  // The Lua scripts are resources of the internal package, read by io.vtp.redis's RedisScript.
  opens io.vtp.ratelimit.internal to io.vtp.redis;
}
