package io.vtp.app;

import static io.vtp.app.TestApps.HTTP;
import static io.vtp.app.TestApps.registerAndLogin;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.vtp.testkit.PostgresDatabase;
import io.vtp.testkit.RedisServer;
import io.vtp.testkit.VtpServers;
import java.net.URI;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.args.ClientType;
import redis.clients.jedis.params.ClientKillParams;

/**
 * Redis pub/sub delivers at most once: a room message published while the instance's subscription is down reaches
 * nobody. The sender must learn it (an {@code error} frame, "room relay unavailable") instead of the message
 * vanishing. The test kills the instance's subscriber connection ({@code CLIENT KILL TYPE pubsub}) again and again
 * while sending, and requires every message to come back either as its echo or as that error.
 */
@ExtendWith(VtpServers.class)
class AppRoomRelayIT {
  private static final int MESSAGES = 40;
  private static final int KILL_EVERY = 5;

  @Test
  void subscriberKilledRepeatedly_everyMessageIsEchoedOrRefused_neverSilentlyLost(PostgresDatabase db,
      RedisServer redis) throws Exception {
    App app = TestApps.start(TestApps.env(db, redis, "relay-a"));
    try (Jedis admin = new Jedis(redis.hostAndPort())) {
      String teacher = registerAndLogin(app, "relay-teacher@example.com", "teacher");
      long course = TestApps.createCourse(app, teacher);
      AppIT.Inbox inbox = new AppIT.Inbox();
      WebSocket ws = HTTP.newWebSocketBuilder().header("Cookie", "vtp_session=" + teacher)
          .buildAsync(URI.create("ws://127.0.0.1:" + app.port() + "/ws/rooms/" + course), inbox)
          .get(5, TimeUnit.SECONDS);
      inbox.next("welcome");

      List<String> lost = new ArrayList<>();
      int echoed = 0;
      int refused = 0;
      for (int i = 0; i < MESSAGES; i++) {
        if (i % KILL_EVERY == 0) {
          await("the subscriber back").atMost(Duration.ofSeconds(10))
              .until(() -> !admin.clientList(ClientType.PUBSUB).isBlank());
          assertThat(admin.clientKill(ClientKillParams.clientKillParams().type(ClientType.PUBSUB)))
              .as("subscriber connections killed").isPositive();
        }
        ws.sendText("{\"type\":\"message\",\"data\":\"m" + i + "\"}", true).get(5, TimeUnit.SECONDS);
        String outcome = outcome(inbox, "m" + i);
        switch (outcome) {
          case "echo" -> echoed++;
          case "error" -> refused++;
          default -> lost.add("m" + i);
        }
        Thread.sleep(30);
      }
      assertThat(lost).as("messages neither echoed nor refused (echoed %d, refused %d)", echoed, refused).isEmpty();
      assertThat(refused).as("messages refused right after a kill").isPositive();
      assertThat(echoed).as("messages echoed once the subscription was back").isPositive();
      assertThat(inbox.closed).as("the socket stays open").isEmpty();
    } finally {
      app.shutdown();
    }
  }

  /** "echo", "error" or "none" within 5 s: the first of the message's echo or a relay error. */
  private static String outcome(AppIT.Inbox inbox, String data) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (System.nanoTime() < deadline) {
      JsonNode e = inbox.events.poll(100, TimeUnit.MILLISECONDS);
      if (e == null) {
        continue;
      }
      if ("message".equals(e.path("type").asText()) && data.equals(e.path("data").asText())) {
        return "echo";
      }
      if ("error".equals(e.path("type").asText()) && e.path("error").asText().contains("relay unavailable")) {
        return "error";
      }
    }
    return "none";
  }
}
