package io.vtp.app;

import static io.vtp.app.TestApps.HTTP;
import static io.vtp.app.TestApps.json;
import static io.vtp.app.TestApps.registerAndLogin;
import static org.assertj.core.api.Assertions.assertThat;

import io.vtp.testkit.PostgresDatabase;
import io.vtp.testkit.RedisServer;
import io.vtp.testkit.VtpServers;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 18's app-level attacks against a real instance on real Redis and PostgreSQL: cross-site WebSocket
 * hijacking, CSRF and login CSRF, the plain cookie over TLS, the token in the login body, metrics and health
 * details on the public port, and credentials in the logs. Each test performs the attack and asserts the refusal.
 */
@ExtendWith(VtpServers.class)
class SecurityAppIT {
  private static final String EVIL = "https://evil.example";
  private static final String LISTED = "https://app.example.com"; // TestApps' CORS_ORIGINS
  private static App app;

  @BeforeAll
  static void start(PostgresDatabase db, RedisServer redis) throws Exception {
    app = TestApps.start(TestApps.env(db, redis, "backend-sec"));
  }

  @AfterAll
  static void stop() {
    if (app != null) {
      app.shutdown();
    }
  }

  private static String own() {
    return TestApps.base(app);
  }

  // ------------------------------------------------------------ item 2: cross-site WebSocket hijacking

  @Test
  void wsUpgrade_fromAForeignOrigin_is403BeforeUpgrading() throws Exception {
    String token = registerAndLogin(app, "ws-origin@example.com", "student");
    String cookie = "vtp_session=" + token;
    assertThat(upgrade(app.port(), Map.of("Origin", EVIL, "Cookie", cookie))).startsWith("HTTP/1.1 403");
    assertThat(upgrade(app.port(), Map.of("Origin", "null", "Cookie", cookie))).startsWith("HTTP/1.1 403");
    // A subdomain or another port of the own host is another origin.
    assertThat(upgrade(app.port(), Map.of("Origin", "http://127.0.0.1:1", "Cookie", cookie)))
        .startsWith("HTTP/1.1 403");
    // Legitimate: the own origin, a listed CORS origin, and non-browser clients (no Origin).
    assertThat(upgrade(app.port(), Map.of("Origin", own(), "Cookie", cookie))).startsWith("HTTP/1.1 101");
    assertThat(upgrade(app.port(), Map.of("Origin", LISTED, "Cookie", cookie))).startsWith("HTTP/1.1 101");
    assertThat(upgrade(app.port(), Map.of("Cookie", cookie))).startsWith("HTTP/1.1 101");
  }

  // ------------------------------------------------------------ item 3: CSRF and login CSRF

  @Test
  void cookieStateChange_crossSiteOrNotJson_isRefused() throws Exception {
    String token = registerAndLogin(app, "csrf@example.com", "student");
    String cookie = "vtp_session=" + token;
    // A cross-site HTML form: text/plain (no preflight) with the ambient cookie.
    HttpResponse<String> form = send("POST", "/api/v1/auth/logout-all", "x=1",
        "Content-Type", "text/plain", "Cookie", cookie);
    assertThat(form.statusCode()).as(form.body()).isEqualTo(415);
    assertThat(form.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
    assertThat(json(form).get("status").asInt()).isEqualTo(415);
    HttpResponse<String> urlencoded = send("POST", "/api/v1/auth/logout-all", "",
        "Content-Type", "application/x-www-form-urlencoded", "Cookie", cookie);
    assertThat(urlencoded.statusCode()).isEqualTo(415);
    // A foreign Origin, even with JSON.
    HttpResponse<String> foreign = send("POST", "/api/v1/auth/logout-all", "{}",
        "Content-Type", "application/json", "Cookie", cookie, "Origin", EVIL);
    assertThat(foreign.statusCode()).as(foreign.body()).isEqualTo(403);
    assertThat(json(foreign).get("detail").asText()).contains("evil.example");
    HttpResponse<String> fetchMetadata = send("POST", "/api/v1/auth/logout-all", "{}",
        "Content-Type", "application/json", "Cookie", cookie, "Sec-Fetch-Site", "cross-site");
    assertThat(fetchMetadata.statusCode()).isEqualTo(403);
    // None of them took effect.
    assertThat(TestApps.get(app, "/api/v1/auth/me", token).statusCode()).isEqualTo(200);
    // Legitimate: same origin with JSON works.
    HttpResponse<String> same = send("POST", "/api/v1/auth/logout-all", "{}",
        "Content-Type", "application/json; charset=utf-8", "Cookie", cookie, "Origin", own());
    assertThat(same.statusCode()).as(same.body()).isEqualTo(204);
    assertThat(TestApps.get(app, "/api/v1/auth/me", token).statusCode()).isEqualTo(401);
  }

  @Test
  void bearerClients_areNotAffected() throws Exception {
    String token = registerAndLogin(app, "bearer@example.com", "student");
    // No Content-Type, a foreign Origin: a bearer token is no ambient credential, so the CSRF rules do not apply.
    HttpResponse<String> r = send("POST", "/api/v1/auth/logout-all", null,
        "Authorization", "Bearer " + token, "Origin", EVIL);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(204);
  }

  @Test
  void login_crossSiteOrNotJson_isRefused() throws Exception {
    registerAndLogin(app, "login-csrf@example.com", "student");
    String body = "{\"email\":\"login-csrf@example.com\",\"password\":\"correct horse battery\"}";
    HttpResponse<String> form = send("POST", "/api/v1/auth/login", body, "Content-Type", "text/plain");
    assertThat(form.statusCode()).as(form.body()).isEqualTo(415);
    assertThat(form.headers().allValues("Set-Cookie")).isEmpty();
    HttpResponse<String> foreign = send("POST", "/api/v1/auth/login", body,
        "Content-Type", "application/json", "Origin", EVIL);
    assertThat(foreign.statusCode()).isEqualTo(403);
    assertThat(foreign.headers().allValues("Set-Cookie")).isEmpty();
    HttpResponse<String> register = send("POST", "/api/v1/auth/register", "{\"email\":\"x-csrf@example.com\","
        + "\"password\":\"correct horse battery\",\"fullName\":\"X\",\"role\":\"student\"}", "Content-Type",
        "text/plain");
    assertThat(register.statusCode()).isEqualTo(415);
    HttpResponse<String> ok = send("POST", "/api/v1/auth/login", body, "Content-Type", "application/json",
        "Origin", own());
    assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
  }

  // ------------------------------------------------------------ item 12: only __Host- over TLS

  @Test
  void plainCookieOverTls_isRefused() throws Exception {
    String token = registerAndLogin(app, "host-cookie@example.com", "student");
    // TLS ended at a trusted proxy (127.0.0.1 is in TRUSTED_PROXIES).
    HttpResponse<String> plain = send("GET", "/api/v1/auth/me", null, "X-Forwarded-Proto", "https",
        "Cookie", "vtp_session=" + token);
    assertThat(plain.statusCode()).as(plain.body()).isEqualTo(401);
    assertThat(upgrade(app.port(), Map.of("X-Forwarded-Proto", "https", "Cookie", "vtp_session=" + token)))
        .startsWith("HTTP/1.1 401");
    HttpResponse<String> host = send("GET", "/api/v1/auth/me", null, "X-Forwarded-Proto", "https",
        "Cookie", "__Host-vtp_session=" + token);
    assertThat(host.statusCode()).isEqualTo(200);
    // Plain HTTP keeps the plain name.
    assertThat(send("GET", "/api/v1/auth/me", null, "Cookie", "vtp_session=" + token).statusCode()).isEqualTo(200);
  }

  // ------------------------------------------------------------ low: the token only when asked for

  @Test
  void login_returnsTheTokenOnlyWhenABearerTokenIsAskedFor() throws Exception {
    registerAndLogin(app, "browser@example.com", "student");
    String body = "{\"email\":\"browser@example.com\",\"password\":\"correct horse battery\"}";
    HttpResponse<String> browser = send("POST", "/api/v1/auth/login", body, "Content-Type", "application/json");
    assertThat(browser.statusCode()).isEqualTo(200);
    assertThat(json(browser).has("token")).isFalse();
    assertThat(json(browser).has("user")).isTrue();
    assertThat(browser.headers().firstValue("Set-Cookie").orElseThrow()).startsWith("vtp_session=");
    HttpResponse<String> api = send("POST", "/api/v1/auth/login", body, "Content-Type", "application/json",
        "X-Token-Type", "bearer");
    assertThat(json(api).get("token").asText()).hasSizeGreaterThan(40);
  }

  // ------------------------------------------------------------ item 6 and low: management port

  @Test
  void metrics_areNotOnThePublicPort() throws Exception {
    for (String path : List.of("/metrics", "/metrics/", "/METRICS", "/metrics?x=1")) {
      HttpResponse<String> r = send("GET", path, null);
      assertThat(r.statusCode()).as(path).isEqualTo(404);
      assertThat(r.body()).as(path).doesNotContain("jvm_memory");
    }
    HttpResponse<String> m = HTTP.send(HttpRequest.newBuilder(URI.create(TestApps.management(app) + "/metrics"))
        .build(), HttpResponse.BodyHandlers.ofString());
    assertThat(m.statusCode()).isEqualTo(200);
    assertThat(m.body()).contains("jvm_memory_used_bytes");
    // The management port serves nothing else.
    HttpResponse<String> api = HTTP.send(HttpRequest.newBuilder(URI.create(TestApps.management(app)
        + "/api/v1/courses")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(api.statusCode()).isEqualTo(404);
  }

  @Test
  void publicHealth_showsNoExceptionTextOrAddresses(PostgresDatabase db, RedisServer redis) throws Exception {
    int deadRedis;
    try (ServerSocket s = new ServerSocket(0)) {
      deadRedis = s.getLocalPort();
    }
    Map<String, String> env = TestApps.env(db, redis, "backend-health");
    env.put("REDIS_URL", "redis://127.0.0.1:" + deadRedis);
    App broken = TestApps.start(env);
    try {
      broken.health().refresh();
      broken.health().refresh();
      String secretish = "127.0.0.1:" + deadRedis;
      HttpResponse<String> detailed = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
          + broken.managementPort() + "/health")).header("Accept", "application/health+json").build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(detailed.body()).as("the management port keeps the details").contains(secretish);
      for (String path : List.of("/health", "/health/ready", "/health/live")) {
        for (String accept : List.of("application/json", "application/health+json")) {
          HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(TestApps.base(broken) + path))
              .header("Accept", accept).build(), HttpResponse.BodyHandlers.ofString());
          assertThat(r.body()).as(path + " " + accept).doesNotContain(secretish).doesNotContain("Exception")
              .doesNotContain("Connection refused");
        }
      }
      HttpResponse<String> health = TestApps.get(broken, "/health", null);
      assertThat(health.statusCode()).isEqualTo(503);
      assertThat(json(health).get("reason").asText()).isEqualTo("redis unreachable");
    } finally {
      broken.shutdown();
    }
  }

  // ------------------------------------------------------------ item 9: credentials never in the logs

  @Test
  void startedInstance_logsNoCredentialInAnyUrlForm(PostgresDatabase db, RedisServer redis) throws Exception {
    String redisSecret = "redis-pw-" + Long.toHexString(System.nanoTime());
    // The testkit's own PostgreSQL trusts loopback (empty password): any password then logs in, so a unique one
    // can be grepped for; a configured server's real password is used as it is.
    String dbSecret = db.password().isEmpty() ? "pg-pw-" + Long.toHexString(System.nanoTime()) : db.password();
    Path log = Files.createTempFile("vtp-sec-log-", ".log");
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), Main.class.getName()));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
    Map<String, String> env = TestApps.env(db, redis, "backend-log");
    // The password as a jdbc: parameter, and Redis credentials in the URL (this Redis has no password: the AUTH
    // fails and its error is logged too).
    env.put("DATABASE_URL", "jdbc:postgresql://127.0.0.1:" + db.server().port() + "/" + db.name() + "?user="
        + db.user() + "&password=" + dbSecret);
    env.put("READ_DATABASE_URL", "postgresql://" + db.user() + ":" + dbSecret + "@127.0.0.1:"
        + db.server().port() + "/" + db.name());
    env.put("REDIS_URL", "redis://vtp:" + redisSecret + "@127.0.0.1:" + redis.port());
    env.put("LOG_LEVEL", "debug");
    pb.environment().putAll(env);
    Process p = pb.start();
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      String text = "";
      while (System.nanoTime() < deadline && !text.contains("listening on") && p.isAlive()) {
        Thread.sleep(100); // polls the child's log file; no clock to inject into another process
        text = Files.readString(log);
      }
      assertThat(text).as("the instance started").contains("starting with").contains("listening on");
    } finally {
      p.destroy();
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
    }
    String text = Files.readString(log);
    assertThat(text).doesNotContain(dbSecret).doesNotContain(redisSecret).contains("password=****");
    Files.deleteIfExists(log);
  }

  // ------------------------------------------------------------ helpers

  private static HttpResponse<String> send(String method, String path, String body, String... headers)
      throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(own() + path))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return TestApps.send(b);
  }

  /** A raw WebSocket upgrade (so Origin and Cookie are exactly what a browser would send); returns the status line. */
  static String upgrade(int port, Map<String, String> headers) throws IOException {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(10_000);
      StringBuilder req = new StringBuilder("GET /ws/rooms/lobby HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\n"
          + "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
          + "Sec-WebSocket-Version: 13\r\n");
      headers.forEach((k, v) -> req.append(k).append(": ").append(v).append("\r\n"));
      req.append("\r\n");
      OutputStream out = s.getOutputStream();
      out.write(req.toString().getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = s.getInputStream();
      return new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII)).readLine();
    }
  }
}
