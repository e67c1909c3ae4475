package io.vtp.app;

import static io.vtp.app.TestApps.get;
import static io.vtp.app.TestApps.json;
import static io.vtp.app.TestApps.post;
import static io.vtp.app.TestApps.registerAndLogin;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vtp.testkit.Dedicated;
import io.vtp.testkit.PostgresDatabase;
import io.vtp.testkit.RedisServer;
import io.vtp.testkit.VtpServers;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Redis hung (SIGSTOP) under a running app: cached course reads keep working from PostgreSQL, authenticated routes
 * answer 503 (never 401 or 500), the API limiter fails open, the login limiter fails closed, and everything
 * recovers when Redis comes back, without restarting the app.
 */
@ExtendWith(VtpServers.class)
class AppRedisOutageIT {
  private static App app;
  private static RedisServer redis;

  @BeforeAll
  static void start(PostgresDatabase db, @Dedicated RedisServer server) throws Exception {
    redis = server;
    app = TestApps.start(TestApps.env(db, redis, "backend-1"));
  }

  @AfterAll
  static void stop() {
    app.shutdown();
  }

  @Test
  void redisPaused_failureMappingThenRecovery() throws Exception {
    String teacher = registerAndLogin(app, "t@example.com", "teacher");
    long id = json(post(app, "/api/v1/courses", "{\"title\":\"Outage\",\"description\":\"d\"}", teacher))
        .get("id").asLong();
    assertThat(get(app, "/api/v1/courses/" + id, null).statusCode()).isEqualTo(200);

    redis.pause();
    try {
      HttpResponse<String> course = get(app, "/api/v1/courses/" + id, null);
      assertThat(course.statusCode()).as(course.body()).isEqualTo(200);
      assertThat(json(course).get("title").asText()).isEqualTo("Outage");
      assertThat(get(app, "/api/v1/courses", null).statusCode()).isEqualTo(200);

      // A public read carrying a session goes on anonymously; after the first one has paid the session store's
      // timeout, the following ones do not wait for it at all.
      HttpResponse<String> withSession = get(app, "/api/v1/courses/" + id, teacher);
      assertThat(withSession.statusCode()).as(withSession.body()).isEqualTo(200);
      long s0 = System.nanoTime();
      assertThat(get(app, "/api/v1/courses/" + id, null).statusCode()).isEqualTo(200);
      long s1 = System.nanoTime();
      assertThat(get(app, "/api/v1/courses/" + id, teacher).statusCode()).isEqualTo(200);
      long s2 = System.nanoTime();
      // A session lookup would wait the store's 500 ms command timeout on top of what the anonymous read costs.
      assertThat(Duration.ofNanos(s2 - s1)).as("second public read with a session, vs one without")
          .isLessThan(Duration.ofNanos(s1 - s0).plusMillis(400));

      HttpResponse<String> me = get(app, "/api/v1/auth/me", teacher);
      assertThat(me.statusCode()).as(me.body()).isEqualTo(503);
      assertThat(me.headers().firstValue("Retry-After")).isPresent();

      HttpResponse<String> login = post(app, "/api/v1/auth/login",
          "{\"email\":\"t@example.com\",\"password\":\"correct horse battery\"}", null);
      assertThat(login.statusCode()).as(login.body()).isEqualTo(503);

      app.health().refresh();
      app.health().refresh();
      HttpResponse<String> health = get(app, "/health", null);
      assertThat(health.statusCode()).isEqualTo(503);
      assertThat(json(health).get("reason").asText()).isEqualTo("redis unreachable");
      // Readiness stays up: the instance still serves what it can.
      assertThat(get(app, "/health/ready", null).statusCode()).isEqualTo(200);
      assertThat(get(app, "/health/live", null).statusCode()).isEqualTo(200);
    } finally {
      redis.resume();
    }
    long t0 = System.nanoTime();
    await("/api/v1/auth/me 200 after Redis resumed").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
        .until(() -> get(app, "/api/v1/auth/me", teacher).statusCode(), status -> status == 200);
    System.out.printf("recovered %d ms after Redis resumed%n", (System.nanoTime() - t0) / 1_000_000);
    assertThat(json(get(app, "/api/v1/courses/" + id, null)).get("title").asText()).isEqualTo("Outage");
  }
}
