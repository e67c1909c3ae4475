package io.vtp.cache;

import io.vtp.testkit.KeyNamespace;
import io.vtp.testkit.RedisServer;
import io.vtp.testkit.VtpServers;
import java.util.Collection;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.ExtendWith;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.UnifiedJedis;

/** The cache contract on a standalone Redis. */
@ExtendWith(VtpServers.class)
class StandaloneCacheAsideIT extends CacheAsideContract {
  private final RedisServer redis;
  private final KeyNamespace ns;
  private final RedisClient client;

  StandaloneCacheAsideIT(RedisServer redis, KeyNamespace ns) {
    this.redis = redis;
    this.ns = ns;
    this.client = redis.newClient();
  }

  @AfterEach
  void closeClient() {
    client.close();
  }

  @Override
  protected UnifiedJedis client() {
    return client;
  }

  @Override
  protected UnifiedJedis newClient() {
    return redis.newClient();
  }

  @Override
  protected Map<String, Long> commandCalls() {
    return redis.commandCalls();
  }

  @Override
  protected void resetStats() {
    redis.resetStats();
  }

  @Override
  protected String prefix() {
    return ns.prefix();
  }

  @Override
  protected int slotCount(Collection<String> redisKeys) {
    return 1;
  }
}
