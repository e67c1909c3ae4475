package io.vtp.ratelimit;

import io.vtp.testkit.KeyNamespace;
import io.vtp.testkit.RedisServer;
import io.vtp.testkit.VtpServers;
import java.util.Map;
import org.junit.jupiter.api.extension.ExtendWith;
import redis.clients.jedis.UnifiedJedis;

@ExtendWith(VtpServers.class)
class StandaloneRateLimiterIT extends RateLimiterContract {
  private final RedisServer redis;
  private final KeyNamespace ns;

  StandaloneRateLimiterIT(RedisServer redis, KeyNamespace ns) {
    this.redis = redis;
    this.ns = ns;
  }

  @Override
  UnifiedJedis newClient() {
    return redis.newClient();
  }

  @Override
  Map<String, Long> commandCalls() {
    return redis.commandCalls();
  }

  @Override
  void resetStats() {
    redis.resetStats();
  }

  @Override
  String prefix() {
    return ns.prefix();
  }
}
