package io.vtp.app;

import static io.vtp.app.TestApps.get;
import static io.vtp.app.TestApps.json;
import static io.vtp.app.TestApps.post;
import static io.vtp.app.TestApps.write;
import static org.assertj.core.api.Assertions.assertThat;

import io.vtp.testkit.Dedicated;
import io.vtp.testkit.PostgresDatabase;
import io.vtp.testkit.RedisServer;
import io.vtp.testkit.VtpServers;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Attacks on the account endpoints of a real instance configured as production is by default (issue 18, items 7
 * and 8 and the low ones): registering as a teacher, burning the CPU with registrations, locking another user out
 * with failed logins, piling up sessions, and common passwords. Its Redis is dedicated, so one test can pause it.
 */
@ExtendWith(VtpServers.class)
class AppAccountSecurityIT {
  private static final String PASSWORD = "correct horse battery";
  private static App app;
  private static PostgresDatabase database;
  private static RedisServer redisServer;

  @BeforeAll
  static void start(PostgresDatabase db, @Dedicated RedisServer redis) throws Exception {
    database = db;
    redisServer = redis;
    Map<String, String> env = TestApps.env(db, redis, "accounts");
    env.remove("SELF_REGISTER_ROLES"); // the production default: student only
    env.put("RATE_LIMIT_REGISTER_PER_MINUTE", "4");
    env.put("RATE_LIMIT_LOGIN_PER_MINUTE", "5");
    env.put("LOGIN_FAILURES_BEFORE_BACKOFF", "3");
    env.put("SESSION_MAX_PER_USER", "3");
    env.put("RATE_LIMIT_TIMEOUT", "500ms");
    app = TestApps.start(env);
  }

  @AfterAll
  static void stop() {
    if (app != null) {
      app.shutdown();
    }
  }

  @Test
  void register_asTeacherOrAdmin_isRefused_withoutARoleCreatesAStudent() throws Exception {
    HttpResponse<String> teacher = register("192.0.2.10", "would-be-teacher@example.com", PASSWORD, "teacher");
    assertThat(teacher.statusCode()).as(teacher.body()).isEqualTo(403);
    assertThat(teacher.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
    assertThat(json(teacher).get("detail").asText()).contains("cannot self-register");
    assertThat(register("192.0.2.10", "would-be-admin@example.com", PASSWORD, "admin").statusCode()).isEqualTo(403);
    HttpResponse<String> student = register("192.0.2.10", "plain@example.com", PASSWORD, null);
    assertThat(student.statusCode()).as(student.body()).isEqualTo(201);
    assertThat(json(student).get("role").asText()).isEqualTo("student");
  }

  @Test
  void roleGrant_adminOnly_andEndsTheUsersLiveSessionsAtOnce() throws Exception {
    assertThat(register("192.0.2.11", "grantee@example.com", PASSWORD, "student").statusCode()).isEqualTo(201);
    String grantee = token("192.0.2.12", "grantee@example.com");
    long id = json(get(app, "/api/v1/auth/me", grantee)).get("id").asLong();
    assertThat(write(app, "PUT", "/api/v1/admin/users/" + id + "/role", "{\"role\":\"teacher\"}", grantee)
        .statusCode()).isEqualTo(403);

    assertThat(register("192.0.2.11", "boss@example.com", PASSWORD, "student").statusCode()).isEqualTo(201);
    try (Connection c = database.connect(); Statement s = c.createStatement()) {
      s.executeUpdate("UPDATE users SET role = 'admin' WHERE email = 'boss@example.com'");
    }
    String admin = token("192.0.2.13", "boss@example.com");
    HttpResponse<String> bad = write(app, "PUT", "/api/v1/admin/users/" + id + "/role", "{\"role\":\"root\"}", admin);
    assertThat(bad.statusCode()).isEqualTo(400);
    HttpResponse<String> granted = write(app, "PUT", "/api/v1/admin/users/" + id + "/role", "{\"role\":\"teacher\"}",
        admin);
    assertThat(granted.statusCode()).as(granted.body()).isEqualTo(200);
    assertThat(json(granted).get("role").asText()).isEqualTo("teacher");
    // The old session carried the old role: it is gone, not left to live for 30 days.
    assertThat(get(app, "/api/v1/auth/me", grantee).statusCode()).isEqualTo(401);
    String again = token("192.0.2.14", "grantee@example.com");
    assertThat(json(get(app, "/api/v1/auth/me", again)).get("role").asText()).isEqualTo("teacher");
    assertThat(post(app, "/api/v1/courses", "{\"title\":\"Granted\",\"description\":\"\"}", again).statusCode())
        .isEqualTo(201);
    assertThat(write(app, "PUT", "/api/v1/admin/users/999999999/role", "{\"role\":\"teacher\"}", admin)
        .statusCode()).isEqualTo(404);
  }

  @Test
  void register_perAddressLimit_otherAddressesUnaffected() throws Exception {
    int created = 0;
    HttpResponse<String> limited = null;
    for (int i = 0; i < 6; i++) {
      HttpResponse<String> r = register("198.51.100.20", "bulk" + i + "@example.com", PASSWORD, null);
      if (r.statusCode() == 201) {
        created++;
      } else {
        limited = r;
      }
    }
    assertThat(created).isEqualTo(4);
    assertThat(limited.statusCode()).isEqualTo(429);
    assertThat(limited.headers().firstValue("Retry-After")).isPresent();
    assertThat(register("198.51.100.21", "elsewhere@example.com", PASSWORD, null).statusCode()).isEqualTo(201);
  }

  @Test
  void register_redisDown_failsClosedWith503() throws Exception {
    redisServer.pause();
    try {
      HttpResponse<String> r = register("198.51.100.30", "while-down@example.com", PASSWORD, null);
      assertThat(r.statusCode()).as(r.body()).isEqualTo(503);
      assertThat(r.headers().firstValue("Retry-After")).isPresent();
    } finally {
      redisServer.resume();
    }
    try (Connection c = database.connect(); Statement s = c.createStatement();
         java.sql.ResultSet rs = s.executeQuery("SELECT count(*) FROM users WHERE email = 'while-down@example.com'")) {
      rs.next();
      assertThat(rs.getLong(1)).as("no account was created (and no hash spent) while the limit was unknown")
          .isZero();
    }
  }

  @Test
  void passwordHashes_areBounded_excessGets503WithRetryAfterAtOnce(PostgresDatabase db, RedisServer redis)
      throws Exception {
    Map<String, String> env = TestApps.env(db, redis, "hashes");
    env.put("PASSWORD_HASH_ITERATIONS", "600000");
    env.put("PASSWORD_HASH_CONCURRENCY", "1");
    App slow = TestApps.start(env);
    try {
      List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
      for (int i = 0; i < 12; i++) {
        String body = "{\"email\":\"burst" + i + "@example.com\",\"password\":\"" + PASSWORD
            + "\",\"fullName\":\"Burst\"}";
        calls.add(TestApps.HTTP.sendAsync(HttpRequest.newBuilder(URI.create(TestApps.base(slow)
            + "/api/v1/auth/register")).header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString()));
      }
      int created = 0;
      int busy = 0;
      for (CompletableFuture<HttpResponse<String>> call : calls) {
        HttpResponse<String> r = call.get(60, TimeUnit.SECONDS);
        if (r.statusCode() == 201) {
          created++;
        } else {
          assertThat(r.statusCode()).as(r.body()).isEqualTo(503);
          assertThat(r.headers().firstValue("Retry-After")).hasValue("1");
          busy++;
        }
      }
      // One hash runs and four may wait: at least seven of twelve are turned away instead of queueing.
      assertThat(busy).isGreaterThanOrEqualTo(7);
      assertThat(created).isGreaterThanOrEqualTo(1);
    } finally {
      slow.shutdown();
    }
  }

  @Test
  void loginFailures_countPerAccountAndAddress_soTheOwnerStillLogsInFromElsewhere() throws Exception {
    assertThat(register("192.0.2.40", "owner@example.com", PASSWORD, null).statusCode()).isEqualTo(201);
    int unauthorized = 0;
    int limited = 0;
    for (int i = 0; i < 5; i++) {
      HttpResponse<String> r = login("203.0.113.66", "owner@example.com", "wrong-guess-" + i);
      if (r.statusCode() == 401) {
        unauthorized++;
      } else if (r.statusCode() == 429) {
        limited++;
        assertThat(r.headers().firstValue("Retry-After")).isPresent();
      }
    }
    assertThat(unauthorized).isEqualTo(3);
    assertThat(limited).isEqualTo(2);
    // Even the right password is refused to the attacker's address while it backs off.
    assertThat(login("203.0.113.66", "owner@example.com", PASSWORD).statusCode()).isEqualTo(429);
    HttpResponse<String> owner = login("192.0.2.41", "owner@example.com", PASSWORD);
    assertThat(owner.statusCode()).as(owner.body()).isEqualTo(200);
  }

  @Test
  void sessions_areCappedPerUser_theOldestEnds() throws Exception {
    assertThat(register("192.0.2.50", "many-devices@example.com", PASSWORD, null).statusCode()).isEqualTo(201);
    List<String> tokens = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      tokens.add(token("192.0.2.5" + i, "many-devices@example.com"));
    }
    assertThat(get(app, "/api/v1/auth/me", tokens.get(0)).statusCode()).isEqualTo(401);
    assertThat(json(get(app, "/api/v1/auth/sessions", tokens.get(3))).get("sessions")).hasSize(3);
    for (String t : tokens.subList(1, 4)) {
      assertThat(get(app, "/api/v1/auth/me", t).statusCode()).isEqualTo(200);
    }
  }

  @Test
  void commonPassword_isRefusedWithAProblemNamingTheRule() throws Exception {
    HttpResponse<String> r = register("192.0.2.60", "lazy@example.com", "Password123", null);
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
    assertThat(json(r).get("errors").get(0).get("field").asText()).isEqualTo("password");
    assertThat(r.body()).contains("common-password deny list");
  }

  private static HttpResponse<String> register(String address, String email, String password, String role)
      throws Exception {
    String body = "{\"email\":\"" + email + "\",\"password\":\"" + password + "\",\"fullName\":\"Test User\""
        + (role == null ? "" : ",\"role\":\"" + role + "\"") + "}";
    return TestApps.send(HttpRequest.newBuilder(URI.create(TestApps.base(app) + "/api/v1/auth/register"))
        .header("Content-Type", "application/json").header("X-Forwarded-For", address)
        .header("X-Token-Type", "bearer").POST(HttpRequest.BodyPublishers.ofString(body)));
  }

  private static String token(String address, String email) throws Exception {
    HttpResponse<String> r = login(address, email, PASSWORD);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return json(r).get("token").asText();
  }

  private static HttpResponse<String> login(String address, String email, String password) throws Exception {
    return TestApps.send(HttpRequest.newBuilder(URI.create(TestApps.base(app) + "/api/v1/auth/login"))
        .header("Content-Type", "application/json").header("X-Forwarded-For", address)
        .header("X-Token-Type", "bearer").POST(HttpRequest.BodyPublishers.ofString("{\"email\":\"" + email + "\",\"password\":\"" + password + "\"}")));
  }
}
