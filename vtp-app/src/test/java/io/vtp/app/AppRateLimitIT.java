package io.vtp.app;

import static io.vtp.app.TestApps.get;
import static io.vtp.app.TestApps.post;
import static org.assertj.core.api.Assertions.assertThat;

import io.vtp.testkit.PostgresDatabase;
import io.vtp.testkit.RedisServer;
import io.vtp.testkit.VtpServers;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The API and login limits hold across two instances together, not per instance. */
@ExtendWith(VtpServers.class)
class AppRateLimitIT {
  private static final int API_LIMIT = 30;
  private static App a;
  private static App b;

  @BeforeAll
  static void start(PostgresDatabase db, RedisServer redis) throws Exception {
    Map<String, String> env = TestApps.env(db, redis, "backend-a");
    env.put("RATE_LIMIT_API_PER_MINUTE", Integer.toString(API_LIMIT));
    env.put("RATE_LIMIT_LOGIN_PER_MINUTE", "5");
    a = TestApps.start(env);
    env.put("INSTANCE_ID", "backend-b");
    b = TestApps.start(env);
  }

  @AfterAll
  static void stop() {
    a.shutdown();
    b.shutdown();
  }

  @Test
  void apiLimit_holdsExactlyAcrossBothInstances() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(8);
    AtomicInteger ok = new AtomicInteger();
    AtomicInteger limited = new AtomicInteger();
    List<Future<?>> futures = new ArrayList<>();
    long t0 = System.nanoTime();
    for (int i = 0; i < 120; i++) {
      App target = i % 2 == 0 ? a : b;
      futures.add(pool.submit(() -> {
        HttpResponse<String> r = get(target, "/api/v1/courses", null);
        if (r.statusCode() == 200) {
          ok.incrementAndGet();
          assertThat(r.headers().firstValue("RateLimit-Policy").orElse("")).contains("\"api\";q=" + API_LIMIT);
        } else if (r.statusCode() == 429) {
          limited.incrementAndGet();
          assertThat(r.headers().firstValue("Retry-After")).isPresent();
          assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
        }
        return null;
      }));
    }
    for (Future<?> f : futures) {
      f.get();
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    pool.shutdown();
    // GCRA at 30/min: the burst of 30 at once, plus one more per 2 s the run took. Never one more than that.
    int refill = (int) Math.floor(seconds / 2.0);
    assertThat(ok.get()).isBetween(API_LIMIT, API_LIMIT + refill);
    assertThat(ok.get() + limited.get()).isEqualTo(120);
  }

  @Test
  void loginLimit_perAccountHoldsAcrossInstancesAndDeniesBeforeCheckingThePassword() throws Exception {
    String body = "{\"email\":\"victim@example.com\",\"password\":\"guess-guess\"}";
    int unauthorized = 0;
    int limited = 0;
    for (int i = 0; i < 8; i++) {
      HttpResponse<String> r = post(i % 2 == 0 ? a : b, "/api/v1/auth/login", body, null);
      if (r.statusCode() == 401) {
        unauthorized++;
      } else if (r.statusCode() == 429) {
        limited++;
        assertThat(r.headers().firstValue("Retry-After")).isPresent();
      }
    }
    assertThat(unauthorized).isEqualTo(5);
    assertThat(limited).isEqualTo(3);
  }
}
