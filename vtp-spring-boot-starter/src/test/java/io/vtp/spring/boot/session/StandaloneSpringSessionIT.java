package io.vtp.spring.boot.session;

import io.vtp.testkit.KeyNamespace;
import io.vtp.testkit.RedisServer;
import io.vtp.testkit.VtpServers;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VtpServers.class)
class StandaloneSpringSessionIT extends SpringSessionContract {
  StandaloneSpringSessionIT(RedisServer redis, KeyNamespace ns) {
    super(redis, java.util.List.of(redis), "redis://" + redis.host() + ":" + redis.port(), ns.prefix());
  }
}
