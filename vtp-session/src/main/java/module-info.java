/**
 * VTP Scale sessions: a Redis session store with sliding idle expiry, an absolute cap, rotation and
 * log-out-everywhere ({@code io.vtp.session}), and its optional Micrometer binding
 * ({@code io.vtp.session.micrometer}, needs {@code micrometer-core}).
 */
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"})
module io.vtp.session {
  requires transitive io.vtp.redis;
  requires transitive redis.clients.jedis;
  requires com.fasterxml.jackson.databind;
  requires org.slf4j;
  requires static transitive micrometer.core;

  exports io.vtp.session;
  exports io.vtp.session.micrometer;

  // The Lua scripts are resources of the internal package, read by io.vtp.redis's RedisScript.
  opens io.vtp.session.internal to io.vtp.redis;
}
