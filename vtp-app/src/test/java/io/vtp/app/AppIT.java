package io.vtp.app;

import static io.vtp.app.TestApps.HTTP;
import static io.vtp.app.TestApps.get;
import static io.vtp.app.TestApps.json;
import static io.vtp.app.TestApps.post;
import static io.vtp.app.TestApps.registerAndLogin;
import static io.vtp.app.TestApps.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.vtp.testkit.PostgresDatabase;
import io.vtp.testkit.RedisServer;
import io.vtp.testkit.VtpServers;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Two real app instances sharing one PostgreSQL and one Redis, driven over real HTTP and WebSocket clients. */
@ExtendWith(VtpServers.class)
class AppIT {
  private static App a;
  private static App b;

  @BeforeAll
  static void start(PostgresDatabase db, RedisServer redis) throws Exception {
    a = TestApps.start(TestApps.env(db, redis, "backend-a"));
    b = TestApps.start(TestApps.env(db, redis, "backend-b"));
  }

  @AfterAll
  static void stop() {
    if (a != null) {
      a.shutdown();
    }
    if (b != null) {
      b.shutdown();
    }
  }

  @Test
  void fleet_listsEveryInstanceFromItsBeats_showsOneDraining_andOneThatStopsLeavesIt(PostgresDatabase db, RedisServer redis)
      throws Exception {
    get(a, "/api/v1/courses", null);
    App c = TestApps.start(TestApps.env(db, redis, "backend-c"));
    try {
      // Asked of b: every instance answers with the whole fleet, from Redis.
      JsonNode fleet = await("the fleet view lists a, b and c").atMost(Duration.ofSeconds(10))
          .until(() -> json(get(b, "/api/v1/fleet", null)), f -> fleetIds(f, "up").containsAll(
              java.util.List.of("backend-a", "backend-b", "backend-c")) && requests(f, "backend-a") > 0);
      assertThat(fleet.get("instance").asText()).isEqualTo("backend-b");
      assertThat(fleet.get("downAfterMs").asLong()).isEqualTo(io.vtp.app.web.FleetView.DOWN_AFTER.toMillis());
      // SIGTERM's first step: the instance still serves, and the fleet shows it leaving.
      c.health().startDraining();
      await("backend-c shown as draining").atMost(Duration.ofSeconds(10))
          .until(() -> fleetIds(json(get(a, "/api/v1/fleet", null)), "draining").contains("backend-c"));
    } finally {
      c.shutdown();
    }
    // A clean stop removes the instance at once: it is never shown as down.
    assertThat(fleetIds(json(get(a, "/api/v1/fleet", null)), null)).contains("backend-a", "backend-b")
        .doesNotContain("backend-c");
  }

  private static java.util.List<String> fleetIds(JsonNode fleet, String status) {
    java.util.List<String> ids = new java.util.ArrayList<>();
    for (JsonNode i : fleet.get("instances")) {
      if (status == null || status.equals(i.get("status").asText())) {
        ids.add(i.get("id").asText());
      }
    }
    return ids;
  }

  private static long requests(JsonNode fleet, String id) {
    for (JsonNode i : fleet.get("instances")) {
      if (id.equals(i.get("id").asText())) {
        return i.get("requests").asLong();
      }
    }
    return -1;
  }

  @Test
  void page_isServedByEveryInstanceWithItsPolicy_andStartsAnonymousWithoutAFailingRequest() throws Exception {
    for (App app : new App[] {a, b}) {
      HttpResponse<String> page = get(app, "/", null);
      assertThat(page.statusCode()).isEqualTo(200);
      assertThat(page.headers().firstValue("Content-Type").orElse("")).startsWith("text/html");
      assertThat(page.headers().allValues("Content-Security-Policy"))
          .containsExactly(io.vtp.app.web.WebPage.CONTENT_SECURITY_POLICY);
      assertThat(page.body()).contains("<script type=\"module\" src=\"/app/main.js\"></script>");
      assertThat(get(app, "/app/main.js", null).headers().firstValue("Content-Type").orElse(""))
          .startsWith("text/javascript");
    }
    assertThat(get(a, "/app/missing.js", null).statusCode()).isEqualTo(404);
    JsonNode anonymous = json(get(a, "/api/v1/page", null));
    assertThat(anonymous.get("instance").asText()).isEqualTo("backend-a");
    assertThat(anonymous.get("user").isNull()).isTrue();
    // No demo accounts outside a demo deployment (SEED_DEMO_DATA is off here).
    assertThat(anonymous.get("demoAccounts")).isEmpty();
    String token = registerAndLogin(a, "page-" + System.nanoTime() + "@example.com", "student");
    assertThat(json(get(b, "/api/v1/page", token)).get("user").get("role").asText()).isEqualTo("student");
  }

  @Test
  void health_reportsTheOriginalShapeWithTheInstanceId() throws Exception {
    HttpResponse<String> r = get(a, "/health", null);
    assertThat(r.statusCode()).isEqualTo(200);
    JsonNode h = json(r);
    assertThat(h.get("status").asText()).isEqualTo("healthy");
    assertThat(h.get("instance").asText()).isEqualTo("backend-a");
    assertThat(h.get("timestamp").asLong()).isPositive();
    assertThat(r.headers().firstValue("X-Instance-Id")).hasValue("backend-a");
    assertThat(r.headers().firstValue("X-Request-Id")).isPresent();
    assertThat(get(a, "/health/live", null).statusCode()).isEqualTo(200);
    HttpResponse<String> ready = get(b, "/health/ready", null);
    assertThat(ready.statusCode()).isEqualTo(200);
    assertThat(ready.headers().firstValue("Content-Type").orElse("")).startsWith("application/health+json");
  }

  @Test
  void metrics_arePrometheusTextWithTheInstanceTag() throws Exception {
    get(a, "/api/v1/courses", null);
    // On the management port since issue 18 (the public port answers 404: SecurityAppIT).
    HttpResponse<String> m = TestApps.send(HttpRequest.newBuilder(URI.create(TestApps.management(a) + "/metrics")));
    assertThat(m.statusCode()).isEqualTo(200);
    assertThat(m.body())
        .contains("http_server_requests_seconds_bucket")
        .contains("uri=\"/api/v1/courses\"")
        .contains("instance=\"backend-a\"")
        .contains("hikaricp_connections_active")
        .contains("vtp_health_status")
        .contains("vtp_session_operations_seconds_count{")
        .contains("vtp_cache_gets_total{")
        .contains("name=\"courses\"")
        .contains("jvm_memory_used_bytes");
  }

  @Test
  void loginOnA_tokenWorksOnB_andLogoutOnBKillsItOnA() throws Exception {
    String token = registerAndLogin(a, "ann@example.com", "student");
    HttpResponse<String> me = get(b, "/api/v1/auth/me", token);
    assertThat(me.statusCode()).isEqualTo(200);
    assertThat(json(me).get("email").asText()).isEqualTo("ann@example.com");
    assertThat(me.headers().firstValue("X-Instance-Id")).hasValue("backend-b");

    assertThat(post(b, "/api/v1/auth/logout", null, token).statusCode()).isEqualTo(204);
    assertThat(get(a, "/api/v1/auth/me", token).statusCode()).isEqualTo(401);
  }

  @Test
  void login_setsAHardenedCookieAndRotatesThePresentedSession() throws Exception {
    String first = registerAndLogin(a, "rot@example.com", "student");
    HttpResponse<String> again = HTTP.send(HttpRequest.newBuilder(URI.create(TestApps.base(b) + "/api/v1/auth/login"))
        .header("Content-Type", "application/json").header("Authorization", "Bearer " + first)
        .header("X-Token-Type", "bearer")
        .POST(HttpRequest.BodyPublishers.ofString("{\"email\":\"rot@example.com\",\"password\":\"correct horse battery\"}"))
        .build(), HttpResponse.BodyHandlers.ofString());
    assertThat(again.statusCode()).isEqualTo(200);
    String second = json(again).get("token").asText();
    assertThat(second).isNotEqualTo(first);
    assertThat(get(a, "/api/v1/auth/me", first).statusCode()).isEqualTo(401);
    assertThat(get(a, "/api/v1/auth/me", second).statusCode()).isEqualTo(200);
    String cookie = again.headers().firstValue("Set-Cookie").orElseThrow();
    assertThat(cookie).startsWith("vtp_session=" + second).contains("HttpOnly").contains("SameSite=Lax")
        .contains("Path=/");
    // Through a trusted proxy that terminated TLS, the cookie is __Host- and Secure.
    HttpResponse<String> tls = HTTP.send(HttpRequest.newBuilder(URI.create(TestApps.base(a) + "/api/v1/auth/login"))
        .header("Content-Type", "application/json").header("X-Forwarded-Proto", "https")
        .POST(HttpRequest.BodyPublishers.ofString("{\"email\":\"rot@example.com\",\"password\":\"correct horse battery\"}"))
        .build(), HttpResponse.BodyHandlers.ofString());
    assertThat(tls.headers().firstValue("Set-Cookie").orElseThrow()).startsWith("__Host-vtp_session=")
        .contains("; Secure");
  }

  @Test
  void cookieAuthentication_worksAndUrlTokensAreIgnored() throws Exception {
    String token = registerAndLogin(a, "cookie@example.com", "student");
    HttpResponse<String> viaCookie = HTTP.send(HttpRequest.newBuilder(URI.create(TestApps.base(b) + "/api/v1/auth/me"))
        .header("Cookie", "vtp_session=" + token).GET().build(), HttpResponse.BodyHandlers.ofString());
    assertThat(viaCookie.statusCode()).isEqualTo(200);
    assertThat(get(b, "/api/v1/auth/me?token=" + token, null).statusCode()).isEqualTo(401);
    assertThat(get(b, "/api/v1/auth/me?access_token=" + token, null).statusCode()).isEqualTo(401);
  }

  @Test
  void logoutAll_endsEverySessionOfTheUser_andSessionsListsThem() throws Exception {
    String t1 = registerAndLogin(a, "multi@example.com", "student");
    String t2 = TestApps.login(b, "multi@example.com", "correct horse battery");
    HttpResponse<String> list = get(a, "/api/v1/auth/sessions", t1);
    assertThat(list.statusCode()).isEqualTo(200);
    assertThat(json(list).get("sessions")).hasSize(2);
    assertThat(list.body()).doesNotContain(t1).doesNotContain(t2);
    assertThat(post(b, "/api/v1/auth/logout-all", null, t2).statusCode()).isEqualTo(204);
    assertThat(get(a, "/api/v1/auth/me", t1).statusCode()).isEqualTo(401);
    assertThat(get(b, "/api/v1/auth/me", t2).statusCode()).isEqualTo(401);
  }

  @Test
  void courseUpdatedOnA_isReadFreshOnB() throws Exception {
    String teacher = registerAndLogin(a, "teach@example.com", "teacher");
    HttpResponse<String> created = post(a, "/api/v1/courses", "{\"title\":\"Old title\",\"description\":\"d\"}", teacher);
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    long id = json(created).get("id").asLong();

    HttpResponse<String> first = get(b, "/api/v1/courses/" + id, null);
    assertThat(first.headers().firstValue("X-Cache")).hasValue("MISS");
    HttpResponse<String> second = get(b, "/api/v1/courses/" + id, null);
    assertThat(second.headers().firstValue("X-Cache")).hasValue("HIT");
    assertThat(json(second).get("title").asText()).isEqualTo("Old title");

    HttpResponse<String> updated = write(a, "PUT", "/api/v1/courses/" + id,
        "{\"title\":\"New title\",\"description\":\"d2\"}", teacher);
    assertThat(updated.statusCode()).as(updated.body()).isEqualTo(200);
    // B holds the course in its L1: A's update reaches it by Redis pub/sub (well under a millisecond here, bounded
    // by COURSE_CACHE_L1_TTL when the message is lost), so B serves the new title within the bound, not at once.
    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(2)).pollInterval(java.time.Duration.ofMillis(5))
        .untilAsserted(() -> assertThat(json(get(b, "/api/v1/courses/" + id, null)).get("title").asText())
            .isEqualTo("New title"));

    HttpResponse<String> page = get(b, "/api/v1/courses?page=1&pageSize=50", null);
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(json(page).get("total").asLong()).isGreaterThanOrEqualTo(1);
    assertThat(json(page).get("pageSize").asInt()).isEqualTo(50);

    assertThat(write(b, "DELETE", "/api/v1/courses/" + id, null, teacher).statusCode()).isEqualTo(204);
    assertThat(get(a, "/api/v1/courses/" + id, null).statusCode()).isEqualTo(404);
  }

  @Test
  void courses_onlyTheirTeacherOrAnAdminMayChangeThem() throws Exception {
    String owner = registerAndLogin(a, "owner@example.com", "teacher");
    String other = registerAndLogin(a, "other@example.com", "teacher");
    String student = registerAndLogin(a, "stud@example.com", "student");
    long id = json(post(a, "/api/v1/courses", "{\"title\":\"Mine\",\"description\":\"\"}", owner)).get("id").asLong();
    assertThat(write(b, "PUT", "/api/v1/courses/" + id, "{\"title\":\"x\",\"description\":\"\"}", other).statusCode())
        .isEqualTo(403);
    assertThat(post(b, "/api/v1/courses", "{\"title\":\"x\",\"description\":\"\"}", student).statusCode())
        .isEqualTo(403);
    assertThat(post(b, "/api/v1/courses", "{\"title\":\"x\",\"description\":\"\"}", null).statusCode())
        .isEqualTo(401);
  }

  @Test
  void roomMessageSentOnA_reachesAMemberConnectedToB() throws Exception {
    String alice = registerAndLogin(a, "alice@example.com", "student");
    String bob = registerAndLogin(b, "bob@example.com", "student");
    // Rooms belong to courses: both enrol in the course whose room they join.
    long course = TestApps.createCourse(a, registerAndLogin(a, "lobby-teacher@example.com", "teacher"));
    TestApps.enrol(a, alice, course);
    TestApps.enrol(b, bob, course);
    Inbox onA = new Inbox();
    Inbox onB = new Inbox();
    WebSocket wsA = HTTP.newWebSocketBuilder().header("Cookie", "vtp_session=" + alice)
        .buildAsync(URI.create("ws://127.0.0.1:" + a.port() + "/ws/rooms/" + course), onA).get(5, TimeUnit.SECONDS);
    // Bob authenticates with a first message instead of the cookie.
    WebSocket wsB = HTTP.newWebSocketBuilder()
        .buildAsync(URI.create("ws://127.0.0.1:" + b.port() + "/ws/rooms/" + course), onB).get(5, TimeUnit.SECONDS);
    wsB.sendText("{\"type\":\"auth\",\"token\":\"" + bob + "\"}", true).get(5, TimeUnit.SECONDS);
    assertThat(onA.next("welcome").get("instance").asText()).isEqualTo("backend-a");
    assertThat(onB.next("welcome").get("instance").asText()).isEqualTo("backend-b");
    // Alice sees Bob join through B.
    assertThat(onA.next("join").get("from").get("name").asText()).isEqualTo("Test User");

    wsA.sendText("{\"type\":\"message\",\"data\":{\"text\":\"hello from A\"}}", true).get(5, TimeUnit.SECONDS);
    JsonNode got = onB.next("message");
    assertThat(got.get("data").get("text").asText()).isEqualTo("hello from A");
    assertThat(got.get("instance").asText()).isEqualTo("backend-a");

    wsB.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(5, TimeUnit.SECONDS);
    assertThat(onA.next("leave").get("room").asText()).isEqualTo(Long.toString(course));
    wsA.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(5, TimeUnit.SECONDS);
  }

  @Test
  void roomWithoutAuthentication_isClosedWithPolicyViolation() throws Exception {
    Inbox inbox = new Inbox();
    WebSocket ws = HTTP.newWebSocketBuilder()
        .buildAsync(URI.create("ws://127.0.0.1:" + a.port() + "/ws/rooms/1"), inbox).get(5, TimeUnit.SECONDS);
    ws.sendText("{\"type\":\"message\",\"data\":1}", true);
    assertThat(inbox.closed.poll(5, TimeUnit.SECONDS)).isEqualTo(1008);
  }

  @Test
  void badInput_getsA4xxProblemNamingTheField() throws Exception {
    HttpResponse<String> malformed = post(a, "/api/v1/auth/register", "{\"email\":", null);
    assertThat(malformed.statusCode()).isEqualTo(400);
    assertThat(malformed.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
    assertThat(json(malformed).get("errors").get(0).get("field").asText()).isEqualTo("body");

    HttpResponse<String> unknown = post(a, "/api/v1/auth/register",
        "{\"email\":\"x@example.com\",\"password\":\"12345678\",\"fullName\":\"X\",\"role\":\"student\",\"admin\":true}",
        null);
    assertThat(unknown.statusCode()).isEqualTo(400);
    assertThat(json(unknown).get("errors").get(0).get("field").asText()).isEqualTo("admin");

    HttpResponse<String> wrongType = post(a, "/api/v1/auth/register",
        "{\"email\":42,\"password\":\"12345678\",\"fullName\":\"X\",\"role\":\"student\"}", null);
    assertThat(wrongType.statusCode()).isEqualTo(400);
    assertThat(json(wrongType).get("errors").get(0).get("field").asText()).isEqualTo("email");

    HttpResponse<String> invalid = post(a, "/api/v1/auth/register",
        "{\"email\":\"nope\",\"password\":\"short\",\"fullName\":\"\",\"role\":\"root\"}", null);
    assertThat(invalid.statusCode()).isEqualTo(400);
    assertThat(invalid.body()).contains("\"email\"").contains("\"password\"").contains("\"fullName\"")
        .contains("\"role\"");

    String sqlish = "robert'); DROP TABLE users;--@example.com";
    HttpResponse<String> sql = post(a, "/api/v1/auth/register", "{\"email\":\"" + sqlish
        + "\",\"password\":\"not-a-common-one\",\"fullName\":\"Robert'); DROP TABLE users;--\",\"role\":\"student\"}", null);
    assertThat(sql.statusCode()).isIn(201, 400);
    assertThat(get(a, "/health", null).statusCode()).isEqualTo(200);
    registerAndLogin(a, "still-works@example.com", "student");

    assertThat(get(a, "/api/v1/courses/99999999999999999999999", null).statusCode()).isEqualTo(400);
    assertThat(get(a, "/api/v1/courses/-1", null).statusCode()).isEqualTo(400);
    assertThat(get(a, "/api/v1/courses/abc", null).statusCode()).isEqualTo(400);
    assertThat(get(a, "/api/v1/courses/9223372036854775807", null).statusCode()).isEqualTo(404);
    assertThat(get(a, "/api/v1/courses?page=0", null).statusCode()).isEqualTo(400);
    assertThat(get(a, "/api/v1/courses?pageSize=100000", null).statusCode()).isEqualTo(400);

    assertThat(get(a, "/api/v1/auth/me", "forged-token").statusCode()).isEqualTo(401);
    assertThat(get(a, "/api/v1/auth/me", "A".repeat(43)).statusCode()).isEqualTo(401);
    assertThat(get(a, "/api/v1/auth/me", "x".repeat(5000)).statusCode()).isEqualTo(401);

    HttpResponse<String> huge = post(a, "/api/v1/auth/register", "{\"email\":\"" + "a".repeat(2 << 20) + "\"}", null);
    assertThat(huge.statusCode()).isEqualTo(413);

    HttpResponse<String> wrongLogin = post(a, "/api/v1/auth/login",
        "{\"email\":\"nobody@example.com\",\"password\":\"whatever1\"}", null);
    HttpResponse<String> wrongPassword = post(a, "/api/v1/auth/login",
        "{\"email\":\"still-works@example.com\",\"password\":\"whatever1\"}", null);
    assertThat(wrongLogin.statusCode()).isEqualTo(401);
    assertThat(wrongPassword.statusCode()).isEqualTo(401);
    assertThat(json(wrongLogin).get("detail").asText()).isEqualTo(json(wrongPassword).get("detail").asText());

    assertThat(get(a, "/no/such/route", null).statusCode()).isEqualTo(404);
  }

  @Test
  void register_sameEmailTwice_isConflict() throws Exception {
    registerAndLogin(a, "dup@example.com", "student");
    HttpResponse<String> again = post(b, "/api/v1/auth/register",
        "{\"email\":\"DUP@example.com\",\"password\":\"not-a-common-one\",\"fullName\":\"X\",\"role\":\"student\"}", null);
    assertThat(again.statusCode()).isEqualTo(409);
  }

  @Test
  void requestId_isEchoedFromATrustedProxyOnlyWhenSane() throws Exception {
    // The test client is on loopback, which is trusted by default: the header is believed from it. A request
    // id that is not sane is replaced.
    HttpResponse<String> r = TestApps.send(HttpRequest.newBuilder(URI.create(TestApps.base(a) + "/health/live"))
        .header("X-Request-Id", "bad id with spaces"));
    assertThat(r.headers().firstValue("X-Request-Id").orElseThrow()).matches("[0-9a-f]{24}");
    HttpResponse<String> echoed = TestApps.send(HttpRequest.newBuilder(URI.create(TestApps.base(a) + "/health/live"))
        .header("X-Request-Id", "req-123"));
    assertThat(echoed.headers().firstValue("X-Request-Id")).hasValue("req-123");
  }

  @Test
  void cors_onlyListedOriginsGetCredentialedAccess() throws Exception {
    HttpResponse<String> preflight = TestApps.send(HttpRequest.newBuilder(URI.create(TestApps.base(a)
        + "/api/v1/courses")).method("OPTIONS", HttpRequest.BodyPublishers.noBody())
        .header("Origin", "https://app.example.com").header("Access-Control-Request-Method", "POST"));
    assertThat(preflight.statusCode()).isEqualTo(204);
    assertThat(preflight.headers().firstValue("Access-Control-Allow-Origin")).hasValue("https://app.example.com");
    assertThat(preflight.headers().firstValue("Access-Control-Allow-Credentials")).hasValue("true");
    HttpResponse<String> foreign = TestApps.send(HttpRequest.newBuilder(URI.create(TestApps.base(a)
        + "/api/v1/courses")).header("Origin", "https://evil.example.com"));
    assertThat(foreign.statusCode()).isEqualTo(200);
    assertThat(foreign.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
  }

  /** Collects WebSocket events by type. */
  static final class Inbox implements WebSocket.Listener {
    final BlockingQueue<JsonNode> events = new LinkedBlockingQueue<>();
    final BlockingQueue<Integer> closed = new LinkedBlockingQueue<>();
    private final StringBuilder partial = new StringBuilder();

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        try {
          events.add(TestApps.JSON.readTree(partial.toString()));
        } catch (java.io.IOException e) {
          throw new IllegalStateException(e);
        }
        partial.setLength(0);
      }
      ws.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
      closed.add(statusCode);
      return null;
    }

    /** The next event of this type within 10 s; events of other types before it are dropped. */
    JsonNode next(String type) {
      return await("a '" + type + "' event").atMost(Duration.ofSeconds(10)).pollDelay(Duration.ZERO)
          .pollInterval(Duration.ofMillis(1))
          .until(() -> events.poll(100, TimeUnit.MILLISECONDS), e -> e != null && type.equals(e.path("type").asText()));
    }
  }
}
