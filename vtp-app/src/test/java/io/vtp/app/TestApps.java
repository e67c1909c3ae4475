package io.vtp.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vtp.app.config.AppConfig;
import io.vtp.testkit.PostgresDatabase;
import io.vtp.testkit.RedisServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/** Starts real app instances against the testkit's servers and talks to them over real HTTP. */
final class TestApps {
  static final ObjectMapper JSON = new ObjectMapper();
  static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private TestApps() {}

  static Map<String, String> env(PostgresDatabase db, RedisServer redis, String instance) {
    Map<String, String> env = new HashMap<>();
    env.put("PORT", "0");
    env.put("MANAGEMENT_PORT", "0");
    env.put("HOST", "127.0.0.1");
    env.put("INSTANCE_ID", instance);
    env.put("DATABASE_URL", "postgresql://" + db.user() + ":" + db.password() + "@127.0.0.1:" + db.server().port()
        + "/" + db.name());
    env.put("REDIS_URL", "redis://127.0.0.1:" + redis.port());
    env.put("PASSWORD_HASH_ITERATIONS", "1000");
    env.put("DRAIN_DELAY", "0s");
    env.put("SHUTDOWN_TIMEOUT", "5s");
    env.put("RATE_LIMIT_API_PER_MINUTE", "100000");
    env.put("RATE_LIMIT_LOGIN_PER_MINUTE", "1000");
    env.put("RATE_LIMIT_REGISTER_PER_MINUTE", "100000");
    // The tests register teachers themselves, as the local demo deployment allows (production: student only).
    env.put("SELF_REGISTER_ROLES", "student,teacher");
    env.put("CORS_ORIGINS", "https://app.example.com");
    // Exactness, not latency, is under test: a loaded CI machine must not turn decisions into fail-open ones.
    env.put("RATE_LIMIT_TIMEOUT", "3s");
    return env;
  }

  static App start(Map<String, String> env) throws Exception {
    return App.start(AppConfig.fromEnv(env));
  }

  static String base(App app) {
    return "http://127.0.0.1:" + app.port();
  }

  static HttpResponse<String> send(HttpRequest.Builder b) throws IOException, InterruptedException {
    return HTTP.send(b.timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
  }

  static HttpResponse<String> get(App app, String path, String token) throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base(app) + path)).GET();
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return send(b);
  }

  static HttpResponse<String> post(App app, String path, String body, String token)
      throws IOException, InterruptedException {
    return write(app, "POST", path, body, token);
  }

  static HttpResponse<String> write(App app, String method, String path, String body, String token)
      throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base(app) + path))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
        .header("Content-Type", "application/json");
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return send(b);
  }

  static JsonNode json(HttpResponse<String> r) throws IOException {
    return JSON.readTree(r.body());
  }

  /** Registers and logs in; returns the token. */
  static String registerAndLogin(App app, String email, String role) throws Exception {
    HttpResponse<String> reg = post(app, "/api/v1/auth/register", "{\"email\":\"" + email
        + "\",\"password\":\"correct horse battery\",\"fullName\":\"Test User\",\"role\":\"" + role + "\"}", null);
    assertThat(reg.statusCode()).as(reg.body()).isEqualTo(201);
    return login(app, email, "correct horse battery");
  }

  static String management(App app) {
    return "http://127.0.0.1:" + app.managementPort();
  }

  /** Creates a course as the given teacher; returns its id (also the id of its room). */
  static long createCourse(App app, String teacherToken) throws Exception {
    HttpResponse<String> r = post(app, "/api/v1/courses", "{\"title\":\"Room course\",\"description\":\"\"}",
        teacherToken);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    return json(r).get("id").asLong();
  }

  /** Enrols the caller in a course. */
  static void enrol(App app, String token, long courseId) throws Exception {
    HttpResponse<String> r = post(app, "/api/v1/courses/" + courseId + "/enrolment", null, token);
    assertThat(r.statusCode()).as(r.body()).isIn(200, 201);
  }

  /** Logs in as an API client (asking for the token with {@code X-Token-Type: bearer}); returns the token. */
  static String login(App app, String email, String password) throws Exception {
    HttpResponse<String> login = send(HttpRequest.newBuilder(URI.create(base(app) + "/api/v1/auth/login"))
        .header("Content-Type", "application/json").header("X-Token-Type", "bearer")
        .POST(HttpRequest.BodyPublishers.ofString("{\"email\":\"" + email + "\",\"password\":\"" + password
            + "\"}")));
    assertThat(login.statusCode()).as(login.body()).isEqualTo(200);
    return json(login).get("token").asText();
  }
}
