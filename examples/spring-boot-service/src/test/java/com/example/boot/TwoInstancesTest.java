package com.example.boot;

import static org.assertj.core.api.Assertions.assertThat;

import io.vtp.testkit.KeyNamespace;
import io.vtp.testkit.RedisCluster;
import io.vtp.testkit.RedisServer;
import io.vtp.testkit.VtpServers;
import java.net.http.HttpResponse;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Two instances of the service (two Spring Boot applications on their own ports, real Tomcat) against one Redis:
 * a session made on one is used, rotated and ended on the other. On a standalone Redis and on a 3-master cluster.
 */
@ExtendWith(VtpServers.class)
class TwoInstancesTest {
  private static final String PASSWORD = "demo-password-123";

  @Test
  void sessionMovesBetweenInstances_standaloneRedis(RedisServer redis, KeyNamespace ns) {
    scenario("redis://" + redis.host() + ":" + redis.port(), ns.prefix());
  }

  @Test
  void sessionMovesBetweenInstances_redisCluster(RedisCluster cluster, KeyNamespace ns) {
    scenario("redis-cluster://" + cluster.hostAndPorts().stream().map(h -> h.getHost() + ":" + h.getPort())
        .collect(Collectors.joining(",")), ns.prefix());
  }

  private static void scenario(String redisUrl, String keyPrefix) {
    try (ConfigurableApplicationContext a = start(redisUrl, keyPrefix);
        ConfigurableApplicationContext b = start(redisUrl, keyPrefix)) {
      int portA = port(a);
      int portB = port(b);
      Browser browser = new Browser();

      // Log in on A. Spring Security changes the session id on login: the id from before the login is dead on both.
      browser.get(portA, "/login");
      String beforeLogin = browser.session;
      HttpResponse<String> login = browser.login(portA, "alice", PASSWORD);
      assertThat(login.statusCode()).isEqualTo(302);
      assertThat(login.headers().firstValue("Location")).hasValueSatisfying(l -> assertThat(l).doesNotContain("error"));
      String onA = browser.session;
      assertThat(onA).isNotNull().isNotEqualTo(beforeLogin);
      assertDead(beforeLogin, portA, portB);

      // Use it on B, then on A again: one session, shared state.
      assertThat(browser.get(portB, "/account").body()).startsWith("alice visits=1 ");
      assertThat(browser.get(portA, "/account").body()).startsWith("alice visits=2 ");

      // Log in again on B (as bob): the session rotates; the old id is dead on both instances.
      HttpResponse<String> relogin = browser.login(portB, "bob", PASSWORD);
      assertThat(relogin.statusCode()).isEqualTo(302);
      String onB = browser.session;
      assertThat(onB).isNotNull().isNotEqualTo(onA);
      assertDead(onA, portA, portB);
      assertThat(browser.get(portA, "/account").body()).startsWith("bob visits=");

      // Log out on B: the session ends on A too, even for a replayed cookie.
      assertThat(browser.logout(portB).statusCode()).isEqualTo(302);
      assertDead(onB, portA, portB);
    }
  }

  private static void assertDead(String sessionId, int... ports) {
    for (int port : ports) {
      Browser replay = new Browser();
      replay.session = sessionId;
      assertThat(replay.get(port, "/account").statusCode()).as("old session on port %s", port).isEqualTo(302);
    }
  }

  private static ConfigurableApplicationContext start(String redisUrl, String keyPrefix) {
    // Command-line arguments, as an operator would pass them: they win over application.properties.
    return new SpringApplicationBuilder(ServiceApplication.class)
        .run("--server.port=0", "--vtp.redis.url=" + redisUrl, "--vtp.session.key-prefix=" + keyPrefix,
            "--demo.password=" + PASSWORD, "--spring.main.banner-mode=off", "--logging.level.root=warn");
  }

  private static int port(ConfigurableApplicationContext context) {
    return Integer.parseInt(context.getEnvironment().getProperty("local.server.port"));
  }
}
