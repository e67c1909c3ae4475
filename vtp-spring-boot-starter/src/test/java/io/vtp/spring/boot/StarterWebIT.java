package io.vtp.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.MeterRegistry;
import io.vtp.testkit.Dedicated;
import io.vtp.testkit.RedisServer;
import io.vtp.testkit.VtpServers;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The starter in a real servlet service (embedded Tomcat on port 0, a real HTTP client): rate limiting, Actuator
 * health and metrics, once with a real Redis and once with Redis down (a closed port, as after a Redis crash).
 */
@ExtendWith(VtpServers.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StarterWebIT {
  private final HttpClient http = HttpClient.newHttpClient();
  private RedisServer redis;
  private ConfigurableApplicationContext up;
  private ConfigurableApplicationContext down;

  @BeforeAll
  void start(@Dedicated RedisServer redis) throws IOException {
    this.redis = redis;
    up = start(redis.uri().toString());
    int closedPort;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      closedPort = s.getLocalPort();
    }
    down = start("redis://127.0.0.1:" + closedPort);
  }

  private static ConfigurableApplicationContext start(String redisUrl) {
    SpringApplication app = new SpringApplication(WebTestApp.class);
    app.setDefaultProperties(Map.ofEntries(
        Map.entry("server.port", "0"),
        Map.entry("server.address", "127.0.0.1"),
        Map.entry("spring.main.banner-mode", "off"),
        Map.entry("vtp.redis.url", redisUrl),
        Map.entry("vtp.ratelimit.rules.api.paths", "/api/**"),
        Map.entry("vtp.ratelimit.rules.api.limit", "2"),
        Map.entry("vtp.ratelimit.rules.api.window", "1m"),
        Map.entry("vtp.ratelimit.rules.api.key", "user"),
        Map.entry("vtp.ratelimit.rules.login.paths", "/login"),
        Map.entry("vtp.ratelimit.rules.login.methods", "POST"),
        Map.entry("vtp.ratelimit.rules.login.limit", "5"),
        Map.entry("vtp.ratelimit.rules.login.window", "1m"),
        Map.entry("vtp.ratelimit.rules.login.failure-mode", "fail-closed"),
        Map.entry("vtp.ratelimit.rules.login.key", "user"),
        Map.entry("vtp.health.redis-criticality", "critical"),
        Map.entry("vtp.cache.caches.reports.type", "java.lang.String"),
        Map.entry("vtp.cache.caches.reports.bypass-permits", "1"),
        Map.entry("vtp.cache.caches.reports.bypass-wait", "0s"),
        Map.entry("management.endpoints.web.exposure.include", "health"),
        Map.entry("management.endpoint.health.show-details", "always"),
        Map.entry("management.endpoint.health.probes.enabled", "true"),
        Map.entry("management.endpoint.health.group.liveness.include", "livenessState,vtpLiveness"),
        Map.entry("management.endpoint.health.group.readiness.include", "readinessState,vtpReadiness")));
    return app.run();
  }

  @AfterAll
  void stop() {
    if (up != null) {
      up.close();
    }
    if (down != null) {
      down.close();
    }
  }

  private HttpResponse<String> send(ConfigurableApplicationContext ctx, String method, String path,
      String... headers) throws Exception {
    int port = ((WebServerApplicationContext) ctx).getWebServer().getPort();
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .method(method, HttpRequest.BodyPublishers.noBody());
    if (headers.length > 0) {
      b.headers(headers);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void rateLimit_deniesPastTheLimitWith429HeadersAndProblemDetail() throws Exception {
    HttpResponse<String> first = send(up, "GET", "/api/items", "X-Test-User", "carol");
    assertThat(first.statusCode()).isEqualTo(200);
    assertThat(first.headers().firstValue("RateLimit-Policy")).hasValue("\"api\";q=2;w=60");
    assertThat(first.headers().firstValue("RateLimit")).get().asString().startsWith("\"api\";r=1;t=");
    assertThat(send(up, "GET", "/api/me", "X-Test-User", "carol").statusCode()).isEqualTo(200);

    HttpResponse<String> denied = send(up, "GET", "/api/items", "X-Test-User", "carol");
    assertThat(denied.statusCode()).isEqualTo(429);
    assertThat(denied.headers().firstValue("Content-Type")).get().asString().startsWith("application/problem+json");
    assertThat(Long.parseLong(denied.headers().firstValue("Retry-After").orElseThrow())).isBetween(1L, 60L);
    assertThat(denied.headers().firstValue("RateLimit")).get().asString().startsWith("\"api\";r=0;t=");
    assertThat(denied.body()).contains("\"status\":429", "\"policy\":\"api\"", "rate limit 'api' exceeded")
        .doesNotContain("carol");

    // Another user from the same address has a bucket of its own; unlimited paths carry no headers.
    assertThat(send(up, "GET", "/api/items", "X-Test-User", "dave").statusCode()).isEqualTo(200);
    HttpResponse<String> open = send(up, "GET", "/public");
    assertThat(open.statusCode()).isEqualTo(200);
    assertThat(open.headers().firstValue("RateLimit-Policy")).isEmpty();
  }

  @Test
  void rateLimit_anonymousRequestsShareTheAddressBucketAndXForwardedForIsIgnored() throws Exception {
    assertThat(send(up, "GET", "/api/items").statusCode()).isEqualTo(200);
    assertThat(send(up, "GET", "/api/items", "X-Forwarded-For", "203.0.113.7").statusCode()).isEqualTo(200);
    assertThat(send(up, "GET", "/api/items", "X-Forwarded-For", "203.0.113.8").statusCode()).isEqualTo(429);
  }

  @Test
  void rateLimit_oneDecisionIsOneRedisRoundTrip() throws Exception {
    assertThat(send(up, "POST", "/login", "X-Test-User", "erin").statusCode()).isEqualTo(200); // script loaded
    redis.resetStats();
    for (int i = 0; i < 3; i++) {
      assertThat(send(up, "POST", "/login", "X-Test-User", "erin").statusCode()).isEqualTo(200);
    }
    assertThat(send(up, "GET", "/login").statusCode()).isEqualTo(405); // GET is not limited: no Redis call
    Map<String, Long> calls = redis.commandCalls();
    // One EVALSHA per decision and no other round trip (commandstats also counts the TIME, GET and SET the script
    // runs inside Redis; a script load or a plain EVAL would show here).
    assertThat(calls.get("evalsha")).isEqualTo(3L);
    assertThat(calls.keySet()).doesNotContain("eval", "script|load", "incr", "expire");
  }

  @Test
  void rateLimit_decisionsAreMetered() throws Exception {
    send(up, "POST", "/login", "X-Test-User", "frank");
    MeterRegistry meters = up.getBean(MeterRegistry.class);
    assertThat(meters.get("vtp.ratelimit.decisions").tags("name", "login", "outcome", "allowed").counter().count())
        .isGreaterThanOrEqualTo(1.0);
    assertThat(meters.find("vtp.health.status").tags("name", "vtp").gauge()).isNotNull();
  }

  @Test
  void redisDown_failOpenRuleLetsRequestsThroughAndFailClosedAnswers503() throws Exception {
    for (int i = 0; i < 4; i++) { // past the limit of 2: fail-open counts nothing
      HttpResponse<String> r = send(down, "GET", "/api/items");
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.headers().firstValue("RateLimit")).isEmpty();
    }
    HttpResponse<String> login = send(down, "POST", "/login");
    assertThat(login.statusCode()).isEqualTo(503);
    assertThat(login.headers().firstValue("Retry-After")).isPresent();
    assertThat(login.body()).contains("\"status\":503", "cannot be checked right now");
    MeterRegistry meters = down.getBean(MeterRegistry.class);
    assertThat(meters.get("vtp.ratelimit.decisions").tags("name", "api", "outcome", "fail_open").counter().count())
        .isEqualTo(4.0);
  }

  @Test
  void redisDown_cacheBypassFullAnswers503WithRetryAfter() throws Exception {
    WebTestApp.Reports reports = down.getBean(WebTestApp.Reports.class);
    int port = ((WebServerApplicationContext) down).getWebServer().getPort();
    CompletableFuture<HttpResponse<String>> first = http.sendAsync(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/reports/1")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(reports.entered().await(10, TimeUnit.SECONDS)).isTrue(); // it holds the one bypass slot
    HttpResponse<String> second = send(down, "GET", "/reports/2");
    assertThat(second.statusCode()).isEqualTo(503);
    assertThat(second.headers().firstValue("Retry-After")).hasValue("1");
    assertThat(second.body()).contains("\"status\":503", "cache 'reports' cannot serve right now");
    reports.release().countDown();
    HttpResponse<String> served = first.get(10, TimeUnit.SECONDS);
    assertThat(served.statusCode()).isEqualTo(200);
    assertThat(served.body()).isEqualTo("report 1");
  }

  @Test
  void health_probesFollowTheLiveAndReadyViews() throws Exception {
    HttpResponse<String> ready = send(up, "GET", "/actuator/health/readiness");
    assertThat(ready.statusCode()).isEqualTo(200);
    assertThat(ready.body()).contains("\"vtpReadiness\"", "\"redis\"", "\"status\":\"pass\"");

    HttpResponse<String> notReady = send(down, "GET", "/actuator/health/readiness");
    assertThat(notReady.statusCode()).isEqualTo(503);
    assertThat(notReady.body()).contains("\"vtpReadiness\"", "\"status\":\"DOWN\"", "\"status\":\"fail\"");
    // Liveness never depends on Redis.
    HttpResponse<String> live = send(down, "GET", "/actuator/health/liveness");
    assertThat(live.statusCode()).isEqualTo(200);
    assertThat(live.body()).contains("\"vtpLiveness\"");
  }
}
