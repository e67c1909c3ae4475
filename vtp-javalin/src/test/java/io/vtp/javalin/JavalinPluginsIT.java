package io.vtp.javalin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vtp.health.Criticality;
import io.vtp.health.HealthChecks;
import io.vtp.health.HealthRegistry;
import io.vtp.ratelimit.FailureMode;
import io.vtp.ratelimit.RateLimiter;
import io.vtp.ratelimit.RedisRateLimiter;
import io.vtp.session.RedisSessionStore;
import io.vtp.session.SessionStore;
import io.vtp.testkit.Dedicated;
import io.vtp.testkit.KeyNamespace;
import io.vtp.testkit.RedisServer;
import io.vtp.testkit.VtpServers;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import redis.clients.jedis.RedisClient;

/**
 * The five plugins on one real Javalin server (free port) over a real Redis: sessions, rate limits, health,
 * metrics and the client address; a second server over a Redis of its own that is stopped shows the failure
 * policies.
 */
@ExtendWith(VtpServers.class)
class JavalinPluginsIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private static RedisClient redis;
  private static SessionStore store;
  private static RateLimiter limiter;
  private static HealthRegistry health;
  private static SimpleMeterRegistry meters;
  private static MetricsPlugin metrics;
  private static Javalin app;

  @BeforeAll
  static void start(RedisServer server, KeyNamespace ns) {
    redis = server.newClient();
    store = RedisSessionStore.builder(redis).name("sessions").keyPrefix(ns.key("s")).build();
    limiter = RedisRateLimiter.builder(redis).name("items").limit(2).window(Duration.ofMinutes(1))
        .keyPrefix(ns.key("rl")).build();
    health = HealthRegistry.builder().instanceId("it-1").register(HealthChecks.redis(redis, Criticality.CRITICAL))
        .build();
    health.start();
    meters = new SimpleMeterRegistry();
    metrics = new MetricsPlugin(m -> {
      m.registry = meters;
      m.scrape = () -> "scraped " + meters.getMeters().size();
      m.managementPort = 0;
    });
    app = Javalin.create(cfg -> {
      cfg.startup.showJavalinBanner = false;
      // Loopback is the trusted proxy here, so tests can claim TLS with X-Forwarded-Proto.
      cfg.registerPlugin(new ClientAddressPlugin(c -> c.trustedProxies = List.of("127.0.0.0/8", "::1/128")));
      cfg.registerPlugin(new SessionPlugin(s -> {
        s.store = store;
        s.cookieMaxAge = Duration.ofHours(1);
      }));
      cfg.registerPlugin(new RateLimitPlugin(r -> r.limit("/items/*", limiter,
          ctx -> "ip:" + ctx.with(ClientAddressPlugin.class).ip())));
      cfg.registerPlugin(new HealthPlugin(h -> h.registry = health));
      cfg.registerPlugin(metrics);
      cfg.routes.post("/login/{user}", ctx -> ctx.result(
          ctx.with(SessionPlugin.class).login(ctx.pathParam("user"), Map.of("role", "student")).id()));
      cfg.routes.get("/me", ctx -> ctx.result(ctx.with(SessionPlugin.class).require().userId()));
      cfg.routes.post("/logout", ctx -> ctx.status(204).with(SessionPlugin.class).logout());
      cfg.routes.post("/logout-all", ctx -> ctx.result(
          Integer.toString(ctx.with(SessionPlugin.class).logoutEverywhere())));
      cfg.routes.get("/items/{id}", ctx -> ctx.result("item " + ctx.pathParam("id")));
    }).start(0);
  }

  @AfterAll
  static void stop() {
    app.stop();
    limiter.close();
    health.close();
    redis.close();
  }

  @Test
  void sessions_loginRotatesTheIdAndSetsTheCookieFlags() throws Exception {
    HttpResponse<String> first = send("POST", "/login/u1", Map.of());
    String cookie = first.headers().firstValue("Set-Cookie").orElseThrow();
    assertThat(cookie).isEqualTo("vtp_session=" + first.body() + "; Path=/; Max-Age=3600; HttpOnly; SameSite=Lax");
    assertThat(send("GET", "/me", Map.of("Cookie", "vtp_session=" + first.body())).body()).isEqualTo("u1");
    assertThat(send("GET", "/me", Map.of("Authorization", "Bearer " + first.body())).body()).isEqualTo("u1");

    // Logging in again with the old session: a new id, and the old one is deleted server-side.
    HttpResponse<String> second = send("POST", "/login/u1", Map.of("Cookie", "vtp_session=" + first.body()));
    assertThat(second.body()).isNotEqualTo(first.body());
    assertThat(store.find(first.body())).isEmpty();
    HttpResponse<String> stale = send("GET", "/me", Map.of("Authorization", "Bearer " + first.body()));
    assertThat(stale.statusCode()).isEqualTo(401);
    assertThat(stale.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    assertThat(JSON.readTree(stale.body()).get("detail").asText()).isEqualTo("session is invalid or expired; "
        + "log in again");

    assertThat(send("POST", "/logout", Map.of("Cookie", "vtp_session=" + second.body())).headers()
        .firstValue("Set-Cookie")).hasValue("vtp_session=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax");
    assertThat(store.find(second.body())).isEmpty();
  }

  @Test
  void sessions_overTlsUseOnlyTheHostPrefixedSecureCookie() throws Exception {
    Map<String, String> tls = Map.of("X-Forwarded-Proto", "https");
    HttpResponse<String> login = send("POST", "/login/u2", tls);
    assertThat(login.headers().firstValue("Set-Cookie")).hasValue("__Host-vtp_session=" + login.body()
        + "; Path=/; Max-Age=3600; HttpOnly; SameSite=Lax; Secure");
    assertThat(send("GET", "/me", Map.of("X-Forwarded-Proto", "https", "Cookie", "__Host-vtp_session="
        + login.body())).body()).isEqualTo("u2");
    // The plain name may have been planted over HTTP or by a sibling subdomain: not read over TLS.
    assertThat(send("GET", "/me", Map.of("X-Forwarded-Proto", "https", "Cookie", "vtp_session=" + login.body()))
        .statusCode()).isEqualTo(401);
    // Never from the URL.
    assertThat(send("GET", "/me?session=" + login.body(), Map.of()).statusCode()).isEqualTo(401);
  }

  @Test
  void sessions_logoutEverywhereEndsEverySessionOfTheUser() throws Exception {
    String a = send("POST", "/login/u3", Map.of()).body();
    String b = send("POST", "/login/u3", Map.of()).body();
    assertThat(send("POST", "/logout-all", Map.of("Authorization", "Bearer " + a)).body()).isEqualTo("2");
    assertThat(store.find(a)).isEmpty();
    assertThat(store.find(b)).isEmpty();
  }

  @Test
  void rateLimit_perRouteGroupAndClientAddressWithIetfHeadersAnd429Problem() throws Exception {
    // The address comes from X-Forwarded-For (loopback is a trusted proxy): each client has its own bucket.
    Map<String, String> client = Map.of("X-Forwarded-For", "198.51.100.7");
    HttpResponse<String> ok = send("GET", "/items/1", client);
    assertThat(ok.statusCode()).isEqualTo(200);
    assertThat(ok.headers().firstValue("RateLimit-Policy")).isPresent();
    assertThat(ok.headers().firstValue("RateLimit")).isPresent();
    assertThat(send("GET", "/items/2", client).statusCode()).isEqualTo(200);
    HttpResponse<String> denied = send("GET", "/items/3", client);
    assertThat(denied.statusCode()).isEqualTo(429);
    assertThat(denied.headers().firstValue("Retry-After")).isPresent();
    assertThat(denied.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    JsonNode problem = JSON.readTree(denied.body());
    assertThat(problem.get("status").asInt()).isEqualTo(429);
    assertThat(problem.get("detail").asText()).startsWith("rate limit 'items' exceeded; retry after");
    assertThat(problem.get("instance").asText()).isEqualTo("/items/3");
    // Another client behind the same proxy, and a route outside the group, are not limited by it.
    assertThat(send("GET", "/items/3", Map.of("X-Forwarded-For", "198.51.100.8")).statusCode()).isEqualTo(200);
    assertThat(send("GET", "/health/live", client).headers().firstValue("RateLimit")).isEmpty();
  }

  @Test
  void health_servesBothShapesWithoutDetailsOnThePublicPort() throws Exception {
    health.refresh();
    HttpResponse<String> live = send("GET", "/health/live", Map.of());
    assertThat(live.statusCode()).isEqualTo(200);
    assertThat(live.headers().firstValue("Content-Type")).hasValue("application/health+json");
    assertThat(send("GET", "/health/ready", Map.of()).statusCode()).isEqualTo(200);
    JsonNode compat = JSON.readTree(send("GET", "/health", Map.of()).body());
    assertThat(compat.get("status").asText()).isEqualTo("healthy");
    assertThat(compat.get("instance").asText()).isEqualTo("it-1");
    HttpResponse<String> ietf = send("GET", "/health", Map.of("Accept", "application/health+json"));
    assertThat(ietf.headers().firstValue("Content-Type")).hasValue("application/health+json");
    assertThat(ietf.body()).doesNotContain(String.valueOf(redis.toString()));
  }

  @Test
  void metrics_recordsRouteTemplatesAndServesScrapeOnlyOnTheManagementPort() throws Exception {
    send("GET", "/items/42", Map.of("X-Forwarded-For", "198.51.100.42"));
    send("GET", "/nowhere/7", Map.of());
    assertThat(meters.get("http.server.requests").tags("method", "GET", "uri", "/items/{id}", "status", "200",
        "outcome", "SUCCESS").timer().count()).isPositive();
    assertThat(meters.get("http.server.requests").tags("uri", "NOT_FOUND", "status", "404").timer().count())
        .isPositive();
    assertThat(send("GET", "/metrics", Map.of()).statusCode()).isEqualTo(404);
    HttpResponse<String> scrape = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
        + metrics.managementPort() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(scrape.statusCode()).isEqualTo(200);
    assertThat(scrape.body()).startsWith("scraped ");
  }

  @Test
  void redisDown_eachPartFollowsItsFailurePolicy(@Dedicated RedisServer own, KeyNamespace ns) throws Exception {
    try (RedisClient client = own.newClient();
        RateLimiter open = RedisRateLimiter.builder(client).name("open").limit(100).window(Duration.ofMinutes(1))
            .failureMode(FailureMode.FAIL_OPEN).timeout(Duration.ofMillis(200)).keyPrefix(ns.key("o")).build();
        RateLimiter closed = RedisRateLimiter.builder(client).name("closed").limit(100)
            .window(Duration.ofMinutes(1)).failureMode(FailureMode.FAIL_CLOSED).timeout(Duration.ofMillis(200))
            .keyPrefix(ns.key("c")).build()) {
      SessionStore sessions = RedisSessionStore.builder(client).name("down").keyPrefix(ns.key("s")).build();
      Javalin down = Javalin.create(cfg -> {
        cfg.startup.showJavalinBanner = false;
        cfg.registerPlugin(new SessionPlugin(s -> s.store = sessions));
        cfg.registerPlugin(new RateLimitPlugin(r -> r
            .limit("/open", open, ctx -> "k")
            .limit("/closed", closed, ctx -> "k")));
        cfg.routes.get("/open", ctx -> ctx.result("served"));
        cfg.routes.get("/closed", ctx -> ctx.result("served"));
        cfg.routes.get("/me", ctx -> ctx.result(ctx.with(SessionPlugin.class).require().userId()));
      }).start(0);
      String presented = sessions.create("u9", Map.of()).id();
      try {
        own.stop();
        HttpResponse<String> failOpen = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
            + down.port() + "/open")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(failOpen.statusCode()).isEqualTo(200);
        assertThat(failOpen.body()).isEqualTo("served");
        HttpResponse<String> failClosed = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
            + down.port() + "/closed")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(failClosed.statusCode()).isEqualTo(503);
        assertThat(failClosed.headers().firstValue("Retry-After")).isPresent();
        HttpResponse<String> session = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
            + down.port() + "/me")).header("Authorization", "Bearer " + presented).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(session.statusCode()).isEqualTo(503);
        assertThat(session.headers().firstValue("Retry-After")).hasValue("5");
        assertThat(session.headers().firstValue("Content-Type")).hasValue("application/problem+json");
      } finally {
        down.stop();
      }
    }
  }

  @Test
  void misconfiguration_failsAtStartWithOneMessageNamingTheSetting() {
    assertThatThrownBy(() -> new SessionPlugin(s -> { })).isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("session plugin: store must be set");
    assertThatThrownBy(() -> new SessionPlugin(s -> {
      s.store = store;
      s.sameSite = "lax";
    })).hasMessage("session plugin: sameSite must be Strict, Lax or None but was 'lax'");
    assertThatThrownBy(() -> new RateLimitPlugin(r -> r.limit("/api/*", null, ctx -> "k")))
        .hasMessageStartingWith("rate limit rule 1 (/api/*): limiter must be set");
    assertThatThrownBy(() -> new HealthPlugin(h -> { })).hasMessageStartingWith("health plugin: registry must be set");
    assertThatThrownBy(() -> new MetricsPlugin(m -> { })).hasMessageStartingWith("metrics plugin: registry must be set");
    assertThatThrownBy(() -> new ClientAddressPlugin(c -> c.trustedProxies = List.of("proxy.internal")))
        .hasMessageStartingWith("trustedProxies entries must be IP networks");
    // A zero limit is the limiter's own rule, reported when it is built.
    assertThatThrownBy(() -> RedisRateLimiter.builder(redis).name("zero").limit(0)
        .window(Duration.ofMinutes(1)).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("limit");
  }

  private static HttpResponse<String> send(String method, String path, Map<String, String> headers)
      throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + path))
        .method(method, HttpRequest.BodyPublishers.noBody());
    headers.forEach(b::header);
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }
}
