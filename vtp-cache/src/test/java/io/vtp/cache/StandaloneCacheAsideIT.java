package io.vtp.cache;

import io.vtp.testkit.KeyNamespace;
import io.vtp.testkit.RedisServer;
import io.vtp.testkit.VtpServers;
import org.junit.jupiter.api.extension.ExtendWith;

/** The cache contract on a standalone Redis. */
@ExtendWith(VtpServers.class)
class StandaloneCacheAsideIT extends CacheAsideContract {
  StandaloneCacheAsideIT(RedisServer redis, KeyNamespace ns) {
    super(redis, ns);
  }
}
