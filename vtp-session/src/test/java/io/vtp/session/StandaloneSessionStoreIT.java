package io.vtp.session;

import io.vtp.testkit.KeyNamespace;
import io.vtp.testkit.RedisServer;
import io.vtp.testkit.VtpServers;
import java.util.Map;
import org.junit.jupiter.api.extension.ExtendWith;
import redis.clients.jedis.UnifiedJedis;

/** The session store contract on one standalone Redis. */
@ExtendWith(VtpServers.class)
class StandaloneSessionStoreIT extends SessionStoreContract {
  private final RedisServer redis;
  private final KeyNamespace ns;

  StandaloneSessionStoreIT(RedisServer redis, KeyNamespace ns) {
    this.redis = redis;
    this.ns = ns;
  }

  @Override
  UnifiedJedis connect() {
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
  String keyPrefix() {
    return ns.prefix();
  }
}
