package com.example.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vtp.cache.CacheAside;
import io.vtp.cache.Loaded;
import io.vtp.cache.RedisCacheAside;
import io.vtp.health.HealthChecks;
import io.vtp.health.HealthFormat;
import io.vtp.health.HealthRegistry;
import io.vtp.health.HealthReport;
import io.vtp.ratelimit.Decision;
import io.vtp.ratelimit.FailureMode;
import io.vtp.ratelimit.RateLimitHttp;
import io.vtp.ratelimit.RateLimiter;
import io.vtp.ratelimit.RedisRateLimiter;
import io.vtp.redis.RedisClientOptions;
import io.vtp.redis.RedisClients;
import io.vtp.redis.PipelinedCall;
import io.vtp.redis.RedisUrl;
import io.vtp.redis.RoundTrip;
import io.vtp.session.PipelinedFind;
import io.vtp.session.RedisSessionStore;
import io.vtp.session.Session;
import io.vtp.session.SessionStore;
import io.vtp.testkit.PostgresDatabase;
import io.vtp.testkit.RedisServer;
import io.vtp.testkit.VtpServers;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import redis.clients.jedis.UnifiedJedis;

/**
 * The README's "Use the libraries in your service" snippets, compiled and run against real servers. Each snippet is
 * the text between a {@code tag::name[]} and an {@code end::name[]} comment; the root build's
 * {@code BuildConsistencyTest} checks that the README shows exactly these lines.
 */
@ExtendWith(VtpServers.class)
class ReadmeSnippetsTest {
  static UnifiedJedis redis;
  private final AtomicInteger loads = new AtomicInteger();

  @BeforeAll
  static void connect(RedisServer server) {
    String redisUrl = "redis://" + server.host() + ":" + server.port();
    // tag::redis[]
    UnifiedJedis redis = RedisClients.create(RedisUrl.parse("REDIS_URL", redisUrl),
        RedisClientOptions.builder().poolSize(32).clientName("catalog-1").build());
    // end::redis[]
    ReadmeSnippetsTest.redis = redis;
  }

  @AfterAll
  static void disconnect() {
    redis.close();
  }

  @Test
  void session() {
    // tag::session[]
    SessionStore sessions = RedisSessionStore.builder(redis)
        .name("web")
        .idleTimeout(Duration.ofHours(8))
        .absoluteLifetime(Duration.ofDays(7))
        .build();
    Session session = sessions.create("user-42", Map.of("role", "student"));
    String cookieValue = session.id();                     // HttpOnly, Secure, SameSite=Lax
    Optional<Session> found = sessions.find(cookieValue);  // one round trip, from any instance
    Optional<Session> rotated = sessions.rotate(cookieValue);  // new id, the old one is dead
    sessions.deleteAllForUser("user-42");                  // log out everywhere
    // end::session[]
    assertEquals("student", found.orElseThrow().attribute("role"));
    assertTrue(sessions.find(cookieValue).isEmpty());
    assertTrue(sessions.find(rotated.orElseThrow().id()).isEmpty());
  }

  @Test
  void rateLimit() {
    // tag::ratelimit[]
    RateLimiter api = RedisRateLimiter.builder(redis)
        .name("api").limit(100).window(Duration.ofMinutes(1))
        .failureMode(FailureMode.FAIL_OPEN)  // what to answer while Redis is down
        .build();
    Decision d = api.tryAcquire("user-42");
    Map<String, String> headers = RateLimitHttp.headers(d);  // RateLimit, RateLimit-Policy, Retry-After
    if (!d.allowed()) {
      int status = RateLimitHttp.rejectionStatus(d);  // 429, or 503 when failing closed
    }
    // end::ratelimit[]
    assertTrue(d.allowed());
    assertEquals(99, d.remaining());
    assertTrue(headers.containsKey("RateLimit"));
    api.close();
  }

  @Test
  void cache() {
    // tag::cache[]
    CacheAside<Product> products = RedisCacheAside.builder(redis, Product.class)
        .name("products").ttl(Duration.ofMinutes(5))
        .build();
    Optional<Product> p = products.get("42", key -> Loaded.ofNullable(findInDatabase(key)));
    products.invalidate("42");  // after the database commit: every instance reloads
    // end::cache[]
    assertEquals("Tea pot", p.orElseThrow().name());
    assertEquals("Tea pot", products.get("42", key -> Loaded.ofNullable(findInDatabase(key))).orElseThrow()
        .name());
    assertEquals(2, loads.get(), "one load before and one after the invalidation");
    products.close();
  }

  @Test
  void roundTrip() {
    SessionStore sessions = RedisSessionStore.builder(redis).name("round-trip").build();
    RateLimiter api = RedisRateLimiter.builder(redis)
        .name("round-trip-api").limit(100).window(Duration.ofMinutes(1))
        .failureMode(FailureMode.FAIL_OPEN)
        .build();
    String cookieValue = sessions.create("user-7", Map.of()).id();
    sessions.find(cookieValue);  // this store has found the id once: the next lookup may charge its user alongside
    // tag::roundtrip[]
    PipelinedFind lookup = sessions.findCall(cookieValue);
    // Charge a user only if this store itself found this exact id before: a forged id carrying the user's tag names nobody.
    PipelinedCall<Decision> charge = lookup.rememberedUserId().map(u -> api.acquireCall("user:" + u)).orElse(null);
    if (charge == null) RoundTrip.send(lookup); else RoundTrip.send(lookup, charge);
    Optional<Session> found = lookup.result();   // throws SessionStoreUnavailableException as find() does
    // end::roundtrip[]
    assertEquals("user-7", found.orElseThrow().userId());
    assertTrue(charge != null, "the remembered user is charged in the same round trip");
    assertEquals(99, charge.result().remaining());
    api.close();
  }

  @Test
  void health(PostgresDatabase db) {
    DataSource dataSource = db.dataSource();
    // tag::health[]
    HealthRegistry health = HealthRegistry.builder()
        .instanceId("catalog-1")
        .register(HealthChecks.postgres(dataSource))
        .register(HealthChecks.redis(redis))
        .build();
    health.start();                            // checks run in the background
    HealthReport ready = health.readiness();   // reads the snapshot: never blocks on a dependency
    int status = ready.httpStatus();           // 503 while a critical check fails or while draining
    String body = ready.toJson(HealthFormat.HEALTH_JSON);
    // end::health[]
    assertTrue(status == 200 || status == 503);
    assertTrue(body.contains("catalog-1"));
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> health.readiness().httpStatus() == 200);
    health.startDraining();
    assertEquals(503, health.readiness().httpStatus());
    assertFalse(health.readiness().isHealthy());
    health.close();
  }

  private Product findInDatabase(String key) {
    loads.incrementAndGet();
    return new Product(Long.parseLong(key), "Tea pot");
  }
}
