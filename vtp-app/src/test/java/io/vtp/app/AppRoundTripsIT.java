package io.vtp.app;

import static io.vtp.app.TestApps.get;
import static io.vtp.app.TestApps.json;
import static io.vtp.app.TestApps.post;
import static io.vtp.app.TestApps.registerAndLogin;
import static io.vtp.app.TestApps.write;
import static org.assertj.core.api.Assertions.assertThat;

import io.vtp.testkit.Dedicated;
import io.vtp.testkit.PostgresDatabase;
import io.vtp.testkit.RedisServer;
import io.vtp.testkit.VtpServers;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Redis round trips per request on the hot path, counted by the Redis server itself ({@link RedisRoundTrips}), on a
 * standalone Redis of this class's own: an authenticated, rate-limited course read is one round trip (the session
 * lookup, the user's limit and, unless the in-process L1 has it, the cached course, pipelined together); the L1 is
 * kept fresh across
 * instances by pub/sub. What the shared round trip may charge: {@link AppForgedSessionIT}.
 */
@ExtendWith(VtpServers.class)
class AppRoundTripsIT {
  private static final int N = 30;

  private static RedisServer redis;
  private static Map<String, String> env;
  private static App a;
  private static App b;
  private static RedisRoundTrips counts;
  private static String teacher;
  private static long course;

  @BeforeAll
  static void start(PostgresDatabase db, @Dedicated RedisServer dedicated) throws Exception {
    redis = dedicated;
    env = TestApps.env(db, redis, "backend-a");
    // Long enough that only the pub/sub invalidation can explain an update seen on the other instance in time.
    env.put("COURSE_CACHE_L1_TTL", "30s");
    a = TestApps.start(env);
    env.put("INSTANCE_ID", "backend-b");
    b = TestApps.start(env);
    teacher = registerAndLogin(a, "rt-teacher@example.com", "teacher");
    course = json(post(a, "/api/v1/courses", "{\"title\":\"Round trips\",\"description\":\"d\"}", teacher))
        .get("id").asLong();
    counts = new RedisRoundTrips(List.of(redis.hostAndPort()), redis.clientConfig());
  }

  @AfterAll
  static void stop() {
    if (counts != null) {
      counts.close();
    }
    for (App app : new App[] {a, b}) {
      if (app != null) {
        app.shutdown();
      }
    }
  }

  @Test
  void authenticatedCourseRead_isOneRoundTrip_sessionAndLimitTogether_courseFromL1() throws Exception {
    String token = registerAndLogin(a, "rt-one@example.com", "student");
    warmUp(a, token);

    RedisRoundTrips.Delta d = counts.measure(() -> {
      for (int i = 0; i < N; i++) {
        HttpResponse<String> r = get(a, "/api/v1/courses/" + course, token);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.headers().firstValue("X-Cache")).hasValue("HIT");
        assertThat(r.headers().firstValue("RateLimit")).get().asString().contains("\"api\";r=");
      }
    });
    System.out.println("[round trips] standalone, %s, %d reads: %s".formatted("authenticated read, L1 hit", N, d));

    assertThat(d.requestRoundTrips()).as("round trips for %d reads: %s", N, d).isEqualTo(N);
    assertThat(d.calls("hmget")).as("session lookups").isEqualTo(N);
    assertThat(d.calls("evalsha")).as("limit decisions").isEqualTo(N);
    assertThat(d.cacheGets()).as("cache reads (the L1 serves the course)").isZero();
    assertThat(d.calls("time")).as("one limiter script per read").isEqualTo(N);
  }

  @Test
  void anonymousCourseRead_isOneRoundTrip_theLimitAlone() throws Exception {
    warmUp(b, null);

    RedisRoundTrips.Delta d = counts.measure(() -> {
      for (int i = 0; i < N / 2; i++) {
        assertThat(get(b, "/api/v1/courses/" + course, null).statusCode()).isEqualTo(200);
      }
    });
    System.out.println("[round trips] standalone, %s, %d reads: %s".formatted("anonymous read, L1 hit", N / 2, d));

    assertThat(d.requestRoundTrips()).as("%s", d).isEqualTo(N / 2);
    assertThat(d.calls("evalsha")).isEqualTo(N / 2);
    assertThat(d.calls("hmget") + d.cacheGets()).isZero();
  }

  @Test
  void withoutL1_theCachedCourseTravelsInTheSameRoundTrip() throws Exception {
    Map<String, String> noL1 = new java.util.HashMap<>(env);
    noL1.put("INSTANCE_ID", "backend-c");
    noL1.put("COURSE_CACHE_L1_TTL", "0s");
    App c = TestApps.start(noL1);
    try {
      String token = registerAndLogin(c, "rt-two@example.com", "student");
      warmUp(c, token);

      RedisRoundTrips.Delta d = counts.measure(() -> {
        for (int i = 0; i < N; i++) {
          assertThat(get(c, "/api/v1/courses/" + course, token).statusCode()).isEqualTo(200);
        }
      });
      System.out.println("[round trips] standalone, %s, %d reads: %s".formatted("authenticated read, no L1", N, d));

      assertThat(d.requestRoundTrips()).as("%s", d).isEqualTo(N);
      assertThat(d.cacheGets()).as("cache reads, in the same pipeline").isEqualTo(N);
      assertThat(d.calls("hmget") + d.calls("evalsha")).isEqualTo(2L * N);
    } finally {
      c.shutdown();
    }
  }

  @Test
  void courseUpdatedOnA_isServedFreshByBsL1_withinTheBound() throws Exception {
    long id = json(post(a, "/api/v1/courses", "{\"title\":\"Before\",\"description\":\"d\"}", teacher))
        .get("id").asLong();
    for (App app : new App[] {a, b}) {
      get(app, "/api/v1/courses/" + id, null);
      assertThat(json(get(app, "/api/v1/courses/" + id, null)).get("title").asText()).isEqualTo("Before");
    }
    RedisRoundTrips.Delta fromL1 = counts.measure(
        () -> assertThat(get(b, "/api/v1/courses/" + id, null).statusCode()).isEqualTo(200));
    assertThat(fromL1.cacheGets()).as("B serves the course from its L1: %s", fromL1).isZero();

    HttpResponse<String> updated = write(a, "PUT", "/api/v1/courses/" + id, "{\"title\":\"After\",\"description\":\"d\"}",
        teacher);
    assertThat(updated.statusCode()).as(updated.body()).isEqualTo(200);
    long t0 = System.nanoTime();
    String seen;
    int reads = 0;
    do {
      seen = json(get(b, "/api/v1/courses/" + id, null)).get("title").asText();
      reads++;
    } while (!seen.equals("After") && System.nanoTime() - t0 < Duration.ofSeconds(2).toNanos());
    long micros = (System.nanoTime() - t0) / 1_000;
    long millis = micros / 1_000;
    System.out.println("[l1 staleness] course updated on A: B answered the new title on its read " + reads
        + ", " + micros + " us after A's answer (HTTP reads included)");

    // The L1 TTL is 30 s here: only the invalidation message can make B drop its copy this fast.
    assertThat(seen).as("B's answer %d ms after the update on A", millis).isEqualTo("After");
    assertThat(millis).isLessThan(2_000);
  }

  /** The first reads of a session on an instance: the lookup that makes it remember the session, the L1 load. */
  private static void warmUp(App app, String token) throws Exception {
    for (int i = 0; i < 3; i++) {
      assertThat(get(app, "/api/v1/courses/" + course, token).statusCode()).isEqualTo(200);
    }
  }
}
