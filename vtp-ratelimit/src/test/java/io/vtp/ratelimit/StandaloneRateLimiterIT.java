package io.vtp.ratelimit;

import io.vtp.testkit.KeyNamespace;
import io.vtp.testkit.RedisServer;
import io.vtp.testkit.VtpServers;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VtpServers.class)
class StandaloneRateLimiterIT extends RateLimiterContract {
  StandaloneRateLimiterIT(RedisServer redis, KeyNamespace ns) {
    super(redis, ns);
  }
}
