package io.vtp.app;

import static io.vtp.app.TestApps.get;
import static io.vtp.app.TestApps.json;
import static io.vtp.app.TestApps.login;
import static io.vtp.app.TestApps.post;
import static io.vtp.app.TestApps.registerAndLogin;
import static org.assertj.core.api.Assertions.assertThat;

import io.vtp.health.CheckResult;
import io.vtp.health.Criticality;
import io.vtp.health.HealthStatus;
import io.vtp.testkit.PostgresDatabase;
import io.vtp.testkit.RedisServer;
import io.vtp.testkit.TestServers;
import io.vtp.testkit.VtpServers;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import redis.clients.jedis.RedisClient;

/**
 * The cache in a Redis of its own ({@code REDIS_CACHE_URL}): cache entries land there and nowhere else, sessions and
 * limiter state stay in the session Redis, and with the cache Redis stopped logins, {@code /auth/me} and course reads
 * (from PostgreSQL) keep working. Two real redis-server processes owned by this class.
 */
@ExtendWith(VtpServers.class)
class AppCacheRedisIT {
  private static TestServers servers;
  private static RedisServer sessionRedis;
  private static RedisServer cacheRedis;
  private static Map<String, String> env;
  private static App app;

  @BeforeAll
  static void start(PostgresDatabase db) throws Exception {
    servers = TestServers.create(Map.of());
    sessionRedis = servers.startRedis();
    cacheRedis = servers.startRedis();
    env = TestApps.env(db, sessionRedis, "backend-1");
    env.put("REDIS_CACHE_URL", "redis://127.0.0.1:" + cacheRedis.port());
    // A limiter key lives as long as its bucket takes to refill: at 60/min each request keeps it about a second, so
    // the key check below finds it (at the default test limit it expires within a millisecond).
    env.put("RATE_LIMIT_API_PER_MINUTE", "60");
    app = TestApps.start(env);
  }

  @AfterAll
  static void stop() {
    if (app != null) {
      app.shutdown();
    }
    servers.close();
  }

  @Test
  void cacheEntries_landInTheCacheRedis_sessionsAndLimitsDoNot() throws Exception {
    String teacher = registerAndLogin(app, "keys@example.com", "teacher");
    long id = json(post(app, "/api/v1/courses", "{\"title\":\"Split\",\"description\":\"d\"}", teacher))
        .get("id").asLong();
    for (int i = 0; i < 2; i++) {
      assertThat(get(app, "/api/v1/courses/" + id, teacher).statusCode()).isEqualTo(200);
      assertThat(get(app, "/api/v1/courses", teacher).statusCode()).isEqualTo(200);
    }
    assertThat(get(app, "/api/v1/auth/me", teacher).statusCode()).isEqualTo(200);

    Set<String> cacheKeys = keys(cacheRedis);
    Set<String> sessionKeys = keys(sessionRedis);
    assertThat(cacheKeys).as("cache Redis").isNotEmpty().allMatch(k -> k.startsWith("vtp:cache:"))
        .anyMatch(k -> k.startsWith("vtp:cache:courses:"));
    assertThat(sessionKeys).as("session Redis").noneMatch(k -> k.startsWith("vtp:cache:"))
        .anyMatch(k -> k.startsWith("vtp:session:"))
        .anyMatch(k -> k.startsWith("rl:"));
  }

  @Test
  void health_reportsTheCacheRedisAsItsOwnNonCriticalCheck() {
    app.health().refresh();
    assertThat(app.health().report().checks()).extracting(CheckResult::name).contains("redis", "redis-cache");
    CheckResult cache = app.health().report().checks().stream().filter(c -> c.name().equals("redis-cache"))
        .findFirst().orElseThrow();
    assertThat(cache.criticality()).isEqualTo(Criticality.NON_CRITICAL);
  }

  @Test
  void cacheRedisStopped_loginsMeAndCourseReadsStillWork() throws Exception {
    String teacher = registerAndLogin(app, "outage@example.com", "teacher");
    long id = json(post(app, "/api/v1/courses", "{\"title\":\"From the database\",\"description\":\"d\"}", teacher))
        .get("id").asLong();
    assertThat(get(app, "/api/v1/courses/" + id, null).statusCode()).isEqualTo(200);

    cacheRedis.stop();
    try {
      String again = login(app, "outage@example.com", "correct horse battery");
      HttpResponse<String> me = get(app, "/api/v1/auth/me", again);
      assertThat(me.statusCode()).as(me.body()).isEqualTo(200);
      assertThat(json(me).get("email").asText()).isEqualTo("outage@example.com");
      assertThat(get(app, "/api/v1/auth/me", teacher).statusCode()).isEqualTo(200);

      HttpResponse<String> course = get(app, "/api/v1/courses/" + id, again);
      assertThat(course.statusCode()).as(course.body()).isEqualTo(200);
      assertThat(json(course).get("title").asText()).isEqualTo("From the database");
      assertThat(get(app, "/api/v1/courses", null).statusCode()).isEqualTo(200);

      app.health().refresh();
      app.health().refresh();
      CheckResult cache = app.health().report().checks().stream().filter(c -> c.name().equals("redis-cache"))
          .findFirst().orElseThrow();
      assertThat(cache.status()).isEqualTo(HealthStatus.FAIL);
      assertThat(get(app, "/health/ready", null).statusCode()).as("readiness without the cache Redis")
          .isEqualTo(200);
    } finally {
      cacheRedis.start();
      cacheRedis.awaitAnswering(Duration.ofSeconds(10));
    }
  }

  @Test
  void startup_warnsWhenTheSessionRedisEvicts_notForNoeviction() throws Exception {
    try (RedisClient c = sessionRedis.newClient()) {
      c.configSet("maxmemory-policy", "volatile-lru");
      String evicting = startupLog("backend-2");
      assertThat(evicting).contains("instance=backend-2 the Redis that holds sessions")
          .contains("maxmemory-policy volatile-lru");
      assertThat(EvictionPolicyCheck.warning(c, false)).get().asString().contains("REDIS_CACHE_URL");

      c.configSet("maxmemory-policy", "noeviction");
      String safe = startupLog("backend-3");
      assertThat(safe).contains("instance=backend-3 listening").doesNotContain("maxmemory-policy");
      assertThat(EvictionPolicyCheck.warning(c, true)).isEmpty();
    }
  }

  /** Starts and stops one more instance against the same servers; returns what it logged meanwhile. */
  private static String startupLog(String instance) throws Exception {
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    PrintStream original = System.out;
    // The log writer writes to System.out as it is at each write: tee it, so the run's output stays
    // complete. It writes from its own thread: wait until everything accepted is written before restoring.
    System.setOut(new PrintStream(new TeeStream(original, captured), true, StandardCharsets.UTF_8));
    try {
      Map<String, String> e = new java.util.HashMap<>(env);
      e.put("INSTANCE_ID", instance);
      TestApps.start(e).shutdown();
      ch.qos.logback.classic.LoggerContext logs =
          (ch.qos.logback.classic.LoggerContext) org.slf4j.LoggerFactory.getILoggerFactory();
      io.vtp.app.logging.BatchingAppender writer = (io.vtp.app.logging.BatchingAppender)
          logs.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).getAppender(io.vtp.app.logging.LogSetup.APPENDER);
      org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5)).until(() -> writer.pending() == 0);
    } finally {
      System.setOut(original);
    }
    return captured.toString(StandardCharsets.UTF_8);
  }

  private static Set<String> keys(RedisServer server) {
    try (RedisClient c = server.newClient()) {
      return c.keys("*");
    }
  }

  private static final class TeeStream extends OutputStream {
    private final OutputStream a;
    private final OutputStream b;

    TeeStream(OutputStream a, OutputStream b) {
      this.a = a;
      this.b = b;
    }

    @Override
    public void write(int x) throws java.io.IOException {
      a.write(x);
      b.write(x);
    }

    @Override
    public void write(byte[] buf, int off, int len) throws java.io.IOException {
      a.write(buf, off, len);
      b.write(buf, off, len);
    }
  }
}
