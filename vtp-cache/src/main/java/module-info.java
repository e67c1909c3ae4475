/**
 * VTP Scale caching: cache-aside over Redis with cross-instance single flight ({@code io.vtp.cache}), the course
 * service built on it ({@code io.vtp.cache.course}), and the optional Micrometer binding
 * ({@code io.vtp.cache.micrometer}, needs {@code micrometer-core}). The optional in-process L1 needs Caffeine.
 * Values are JSON through Jackson: a module whose value types the cache stores opens their package to
 * {@code com.fasterxml.jackson.databind}.
 */
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"})
module io.vtp.cache {
  requires transitive io.vtp.redis;
  requires transitive redis.clients.jedis;
  requires transitive com.fasterxml.jackson.databind;
  requires transitive java.sql;
  requires org.slf4j;
  requires static com.github.benmanes.caffeine;
  requires static transitive micrometer.core;

  exports io.vtp.cache;
  exports io.vtp.cache.course;
  exports io.vtp.cache.micrometer;

  opens io.vtp.cache.course to com.fasterxml.jackson.databind;

  // The Lua scripts are resources of the internal package, read by io.vtp.redis's RedisScript.
  opens io.vtp.cache.internal to io.vtp.redis;
}
