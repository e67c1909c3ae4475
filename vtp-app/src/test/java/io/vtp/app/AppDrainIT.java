package io.vtp.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vtp.testkit.PostgresDatabase;
import io.vtp.testkit.RedisServer;
import io.vtp.testkit.VtpServers;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.Socket;
import java.net.URI;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** SIGTERM's drain protocol: readiness fails at once, in-flight requests finish, WebSockets get 1001. */
@ExtendWith(VtpServers.class)
class AppDrainIT {

  @Test
  void shutdown_readinessFailsAtOnceAndAnInFlightRequestCompletes(PostgresDatabase db, RedisServer redis)
      throws Exception {
    Map<String, String> env = TestApps.env(db, redis, "backend-drain");
    env.put("DRAIN_DELAY", "1s");
    env.put("SHUTDOWN_TIMEOUT", "10s");
    App app = TestApps.start(env);
    int port = app.port();
    String token = TestApps.registerAndLogin(app, "ws@example.com", "teacher");
    long course = TestApps.createCourse(app, token);
    AppIT.Inbox inbox = new AppIT.Inbox();
    WebSocket ws = TestApps.HTTP.newWebSocketBuilder().header("Cookie", "vtp_session=" + token)
        .buildAsync(URI.create("ws://127.0.0.1:" + port + "/ws/rooms/" + course + "-drain"), inbox)
        .get(5, TimeUnit.SECONDS);
    inbox.next("welcome");

    String body = "{\"email\":\"slow@example.com\",\"password\":\"slow-upload-1\",\"fullName\":\"Slow\",\"role\":\"student\"}";
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    try (Socket slow = new Socket("127.0.0.1", port)) {
      OutputStream out = slow.getOutputStream();
      out.write(("POST /api/v1/auth/register HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
          + "Content-Length: " + bytes.length + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.write(bytes, 0, 10);
      out.flush();
      Thread.sleep(300); // the request is now in a handler, reading its body

      CompletableFuture<Void> stopping = CompletableFuture.runAsync(app::shutdown);
      await("draining").atMost(Duration.ofSeconds(2)).pollInterval(Duration.ofMillis(5))
          .until(() -> app.health().isDraining());
      // During the drain delay the instance still answers, with readiness failing.
      assertThat(TestApps.get(app, "/health/ready", null).statusCode()).isEqualTo(503);
      assertThat(TestApps.get(app, "/health/live", null).statusCode()).isEqualTo(200);

      // A slow upload: a byte every 100 ms, on past the drain delay, when the listener is already closed.
      for (int i = 10; i < bytes.length; i++) {
        out.write(bytes[i]);
        out.flush();
        Thread.sleep(2500 / (bytes.length - 10));
      }
      InputStream in = slow.getInputStream();
      String response = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      assertThat(response).startsWith("HTTP/1.1 201");
      long stopStart = System.nanoTime();
      stopping.get(15, TimeUnit.SECONDS);
      // Idle keep-alive connections do not hold the stop for the whole 10 s budget.
      assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - stopStart)).isLessThan(8);
    }
    assertThat(inbox.closed.poll(5, TimeUnit.SECONDS)).isEqualTo(1001);
    boolean refused;
    try {
      new Socket("127.0.0.1", port).close();
      refused = false;
    } catch (ConnectException e) {
      refused = true;
    }
    assertThat(refused).isTrue();
    ws.abort();
  }
}
