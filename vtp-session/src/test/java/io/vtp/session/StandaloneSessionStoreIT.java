package io.vtp.session;

import io.vtp.testkit.KeyNamespace;
import io.vtp.testkit.RedisServer;
import io.vtp.testkit.VtpServers;
import org.junit.jupiter.api.extension.ExtendWith;

/** The session store contract on one standalone Redis. */
@ExtendWith(VtpServers.class)
class StandaloneSessionStoreIT extends SessionStoreContract {
  StandaloneSessionStoreIT(RedisServer redis, KeyNamespace ns) {
    super(redis, ns);
  }
}
