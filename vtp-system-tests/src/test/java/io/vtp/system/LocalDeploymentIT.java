package io.vtp.system;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.vtp.loadgen.OpenLoopLoad;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Runs the README's main-job command ({@code deployment/local/vtp up}) and checks the deployment through nginx:
 * health, spreading, shared sessions, a backend SIGKILLed under load, scaling under load, Redis refusing clients without
 * credentials, and a clean {@code down}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LocalDeploymentIT {
  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private static final ObjectMapper JSON = new ObjectMapper();
  private static Deployment deployment;

  @BeforeAll
  static void up() throws Exception {
    Path state = Files.createTempDirectory("vtp-deploy-it-");
    deployment = new Deployment(state, 28000);
    String out = deployment.run("up", "--instances", "3");
    assertThat(out).contains("VTP Scale is up").contains("backend-3");
  }

  @AfterAll
  static void down() throws Exception {
    if (deployment != null) {
      deployment.run("down");
    }
  }

  private static HttpResponse<String> get(String path, String token) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(deployment.url(path))).timeout(Duration.ofSeconds(10));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  @Order(1)
  void health_throughNginx() throws Exception {
    HttpResponse<String> r = get("/health", null);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(r.body()).get("status").asText()).isEqualTo("healthy");
    assertThat(r.headers().firstValue("Server").orElse("nginx")).doesNotContain("/");
  }

  @Test
  @Order(2)
  void requests_areSpreadOverAllThreeInstances() throws Exception {
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 30; i++) {
      seen.add(get("/api/v1/courses/1", null).headers().firstValue("X-Instance-Id").orElse("?"));
    }
    assertThat(seen).containsExactlyInAnyOrder("backend-1", "backend-2", "backend-3");
    assertThat(deployment.run("status")).contains("How nginx spread").contains("backend-2");
  }

  @Test
  @Order(3)
  void session_createdThroughOneInstanceWorksOnTheOthers() throws Exception {
    HttpResponse<String> login = HTTP.send(HttpRequest.newBuilder(URI.create(deployment.url("/api/v1/auth/login")))
        .header("Content-Type", "application/json").header("X-Token-Type", "bearer")
        .POST(HttpRequest.BodyPublishers.ofString("{\"email\":\"student@vtp.local\",\"password\":\"demo-password-123\"}"))
        .build(), HttpResponse.BodyHandlers.ofString());
    assertThat(login.statusCode()).as(login.body()).isEqualTo(200);
    String token = JSON.readTree(login.body()).get("token").asText();
    Set<String> served = new HashSet<>();
    for (int i = 0; i < 9; i++) {
      HttpResponse<String> me = get("/api/v1/auth/me", token);
      assertThat(me.statusCode()).isEqualTo(200);
      served.add(me.headers().firstValue("X-Instance-Id").orElseThrow());
    }
    assertThat(served).hasSize(3);
  }

  @Test
  @Order(3)
  void cacheEntries_liveInTheCacheRedis_sessionsInTheNoevictionRedis() throws Exception {
    // Straight to backend-1: nginx's login rate (5r/m) belongs to the other tests.
    URI direct = URI.create("http://127.0.0.1:" + (deployment.basePort + 1) + "/api/v1/auth/login");
    HttpResponse<String> login = HTTP.send(HttpRequest.newBuilder(direct)
        .header("Content-Type", "application/json").header("X-Token-Type", "bearer")
        .POST(HttpRequest.BodyPublishers.ofString("{\"email\":\"student@vtp.local\",\"password\":\"demo-password-123\"}"))
        .build(), HttpResponse.BodyHandlers.ofString());
    assertThat(login.statusCode()).as(login.body()).isEqualTo(200);
    assertThat(get("/api/v1/courses", null).statusCode()).isEqualTo(200);
    assertThat(get("/api/v1/courses/1", null).statusCode()).isIn(200, 404);

    String sessionPort = deployment.env.get("VTP_REDIS_PORT");
    String cachePort = deployment.env.get("VTP_REDIS_CACHE_PORT");
    assertThat(redisCli(sessionPort, "config", "get", "maxmemory-policy")).contains("noeviction");
    assertThat(redisCli(cachePort, "config", "get", "maxmemory-policy")).contains("allkeys-lru");
    List<String> cacheKeys = List.of(redisCli(cachePort, "--scan").split("\n"));
    List<String> sessionKeys = List.of(redisCli(sessionPort, "--scan").split("\n"));
    assertThat(cacheKeys).as("cache Redis keys").anyMatch(k -> k.startsWith("vtp:cache:"))
        .allMatch(k -> k.startsWith("vtp:cache:"));
    assertThat(sessionKeys).as("session Redis keys").anyMatch(k -> k.startsWith("vtp:session:"))
        .noneMatch(k -> k.startsWith("vtp:cache:"));
    assertThat(deployment.run("status")).contains("redis-cache: running");
  }

  private static String redisCli(String port, String... args) throws Exception {
    // As the deployment's admin user (the app's user may not run CONFIG or KEYS).
    String admin = Files.readString(deployment.state.resolve("redis-admin-password")).trim();
    List<String> cmd = new java.util.ArrayList<>(List.of("redis-cli", "--no-auth-warning", "-h", "127.0.0.1", "-p",
        port, "--user", "vtp-admin", "--pass", admin));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as(String.join(" ", cmd) + ": " + out).isZero();
    return out;
  }

  @Test
  @Order(4)
  void backendKilledUnderGetLoad_noRequestFails() throws Exception {
    long victim = deployment.pid("backend-2");
    HttpRequest get = Faults.request(deployment.url("/api/v1/courses/1"));
    try (OpenLoopLoad.Running running = Faults.load(512, 150, Duration.ofSeconds(8), Faults.LOAD_TIMEOUT,
        i -> get)) {
      Deployment.sleep(Duration.ofSeconds(3));
      new ProcessBuilder("kill", "-KILL", Long.toString(victim)).start().waitFor();
      OpenLoopLoad.Result load = running.await();
      System.out.println("SIGKILL backend-2 under GET load: " + load);
      assertThat(load.errors()).as(load.toString()).isZero();
      assertThat(load.skipped()).as(load.toString()).isZero();
      assertThat(load.ok()).isGreaterThan(1000);
    }
    // `up` is idempotent: it brings the missing instance back.
    deployment.run("up", "--instances", "3");
    assertThat(deployment.run("status")).contains("backend-2    " + (deployment.basePort + 2));
  }

  @Test
  @Order(5)
  void scaleOutAndIn_underGetLoad_noRequestFails() throws Exception {
    HttpRequest get = Faults.request(deployment.url("/api/v1/courses/2"));
    try (OpenLoopLoad.Running running = Faults.load(512, 100, Duration.ofSeconds(40), Faults.LOAD_TIMEOUT,
        i -> get)) {
      String out = deployment.run("scale", "4");
      assertThat(out).contains("backend-4");
      Deployment.sleep(Duration.ofSeconds(2));
      deployment.run("scale", "2");
      OpenLoopLoad.Result load = running.await();
      System.out.println("scale 4 then 2 under GET load: " + load);
      assertThat(load.errors()).as(load.toString()).isZero();
      assertThat(load.instances()).containsKey("backend-4");
    }
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 20; i++) {
      seen.add(get("/api/v1/courses/1", null).headers().firstValue("X-Instance-Id").orElse("?"));
    }
    assertThat(seen).containsExactlyInAnyOrder("backend-1", "backend-2");
  }

  @Test
  @Order(6)
  void redis_refusesClientsWithoutCredentials_andTheAppUserHasNoAdminCommands() throws Exception {
    String port = deployment.env.get("VTP_REDIS_PORT");
    String password = Files.readString(deployment.state.resolve("redis-password")).trim();
    // No credentials: the default user is off.
    assertThat(Faults.exec(Duration.ofSeconds(5), "redis-cli", "-h", "127.0.0.1", "-p", port, "PING"))
        .contains("NOAUTH").doesNotContain("PONG");
    assertThat(Faults.exec(Duration.ofSeconds(5), "redis-cli", "-h", "127.0.0.1", "-p", port, "SET", "vtp:x", "1"))
        .contains("NOAUTH");
    // The default user with a guessed password, and the app's user with a wrong one.
    assertThat(Faults.exec(Duration.ofSeconds(5), "redis-cli", "--no-auth-warning", "-h", "127.0.0.1", "-p", port,
        "--pass", password, "PING")).doesNotContain("PONG");
    assertThat(Faults.exec(Duration.ofSeconds(5), "redis-cli", "--no-auth-warning", "-h", "127.0.0.1", "-p", port,
        "--user", "vtp", "--pass", password + "x", "PING")).contains("WRONGPASS").doesNotContain("PONG");
    // The app's own credentials work, but not for administration.
    String[] app = {"redis-cli", "--no-auth-warning", "-h", "127.0.0.1", "-p", port, "--user", "vtp", "--pass",
        password};
    assertThat(Faults.exec(Duration.ofSeconds(5), concat(app, "PING"))).isEqualTo("PONG");
    assertThat(Faults.exec(Duration.ofSeconds(5), concat(app, "CONFIG", "GET", "requirepass"))).contains("NOPERM");
    assertThat(Faults.exec(Duration.ofSeconds(5), concat(app, "FLUSHALL"))).contains("NOPERM");
    // The backends reach Redis with those credentials (REDIS_URL=redis://vtp:...@): a login stores a session there.
    // Straight to backend-1, not through nginx, whose login rate (5r/m) the earlier test used.
    URI direct = URI.create("http://127.0.0.1:" + (deployment.basePort + 1) + "/api/v1/auth/login");
    HttpResponse<String> login = HTTP.send(HttpRequest.newBuilder(direct)
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"email\":\"teacher@vtp.local\",\"password\":\"demo-password-123\"}"))
        .build(), HttpResponse.BodyHandlers.ofString());
    assertThat(login.statusCode()).as(login.body()).isEqualTo(200);
  }

  private static String[] concat(String[] a, String... b) {
    String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  @Test
  @Order(7)
  void down_leavesNoProcessBehind() throws Exception {
    List<Long> before = deployment.recordedPids();
    before.addAll(deployment.processesOfThisDeployment());
    // nginx, postgres, redis and two backends at least
    assertThat(before).hasSizeGreaterThanOrEqualTo(5);
    deployment.run("down");
    Deployment.sleep(Duration.ofMillis(500));
    assertThat(deployment.processesOfThisDeployment()).isEmpty();
    for (Long pid : before) {
      assertThat(Deployment.alive(pid)).as("pid %d", pid).isFalse();
    }
    deployment.run("down"); // safe to run twice
  }
}
