package io.vtp.system;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Issue 18's edge attacks against the local deployment ({@code deployment/local/vtp up}, 2 instances), through
 * nginx as a client on the internet would send them: {@code /metrics} in both spellings, a cross-site WebSocket
 * upgrade and a cross-site form login, and the edge rate limit's 429. One deployment start; the app-level attacks
 * are in vtp-app's SecurityAppIT.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SecurityIT {
  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String LOGIN = "{\"email\":\"student@vtp.local\",\"password\":\"demo-password-123\"}";
  private static Deployment deployment;
  private static String token;

  @BeforeAll
  static void up() throws Exception {
    deployment = new Deployment(Files.createTempDirectory("vtp-security-it-"), 31200);
    assertThat(deployment.run("up", "--instances", "2")).contains("VTP Scale is up");
    HttpResponse<String> login = send("POST", "/api/v1/auth/login", LOGIN, "Content-Type", "application/json",
        "X-Token-Type", "bearer");
    assertThat(login.statusCode()).as(login.body()).isEqualTo(200);
    token = JSON.readTree(login.body()).get("token").asText();
  }

  @AfterAll
  static void down() throws Exception {
    if (deployment != null) {
      deployment.run("down");
    }
  }

  @Test
  @Order(1)
  void metrics_inEverySpelling_areNotServedThroughNginx() throws Exception {
    for (String path : List.of("/metrics", "/metrics/", "/metrics?format=prometheus", "/metrics/x")) {
      HttpResponse<String> r = send("GET", path, null);
      assertThat(r.statusCode()).as(path).isEqualTo(404);
      assertThat(r.body()).as(path).doesNotContain("jvm_memory").doesNotContain("http_server_requests");
    }
    // Prometheus still scrapes every backend on its management port, which nginx never forwards to.
    for (int i = 1; i <= 2; i++) {
      HttpResponse<String> m = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
          + (deployment.managementBasePort + i) + "/metrics")).timeout(Duration.ofSeconds(10)).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(m.statusCode()).isEqualTo(200);
      assertThat(m.body()).contains("instance=\"backend-" + i + "\"");
    }
  }

  @Test
  @Order(2)
  void wsUpgrade_fromAForeignOrigin_isRefusedThroughNginx() throws Exception {
    String cookie = "vtp_session=" + token;
    String refused = upgrade(Map.of("Origin", "https://evil.example", "Cookie", cookie));
    assertThat(refused).startsWith("HTTP/1.1 403");
    // The page's own origin (as a browser on http://127.0.0.1:PORT sends it) still gets its socket.
    String own = upgrade(Map.of("Origin", "http://127.0.0.1:" + deployment.httpPort, "Cookie", cookie));
    assertThat(own).startsWith("HTTP/1.1 101");
  }

  @Test
  @Order(3)
  void crossSiteFormLogin_isRefusedThroughNginx() throws Exception {
    // A text/plain form body needs no preflight; its JSON must not reach the login handler (login CSRF).
    HttpResponse<String> form = send("POST", "/api/v1/auth/login", LOGIN, "Content-Type", "text/plain",
        "Origin", "https://evil.example");
    assertThat(form.statusCode()).as(form.body()).isIn(403, 415);
    assertThat(form.headers().allValues("Set-Cookie")).isEmpty();
    assertThat(form.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
  }

  @Test
  @Order(4)
  void edgeRateLimit_answers429WithRetryAfter() throws Exception {
    // The login zone allows 5r/m with a burst of 5 per address: a dozen attempts at once overflow it.
    List<HttpResponse<String>> edge = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      HttpResponse<String> r = send("POST", "/api/v1/auth/login", "{\"email\":\"nobody@vtp.local\","
          + "\"password\":\"wrong-password-123\"}", "Content-Type", "application/json");
      if (r.statusCode() == 429 && r.headers().firstValue("X-Instance-Id").isEmpty()) {
        edge.add(r); // nginx's own 429 (the app's carry X-Instance-Id)
      }
    }
    assertThat(edge).as("nginx limited some attempts").isNotEmpty();
    for (HttpResponse<String> r : edge) {
      assertThat(r.headers().firstValue("Retry-After")).hasValue("60");
      assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
      assertThat(JSON.readTree(r.body()).get("status").asInt()).isEqualTo(429);
    }
  }

  private static HttpResponse<String> send(String method, String path, String body, String... headers)
      throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(deployment.url(path))).timeout(Duration.ofSeconds(10))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** A raw WebSocket upgrade through nginx, headers exactly as a browser sends them; returns the status line. */
  private static String upgrade(Map<String, String> headers) throws IOException {
    try (Socket s = new Socket("127.0.0.1", deployment.httpPort)) {
      s.setSoTimeout(10_000);
      StringBuilder req = new StringBuilder("GET /ws/rooms/lobby HTTP/1.1\r\nHost: 127.0.0.1:" + deployment.httpPort
          + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
          + "Sec-WebSocket-Version: 13\r\n");
      headers.forEach((k, v) -> req.append(k).append(": ").append(v).append("\r\n"));
      req.append("\r\n");
      OutputStream out = s.getOutputStream();
      out.write(req.toString().getBytes(StandardCharsets.US_ASCII));
      out.flush();
      return new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII)).readLine();
    }
  }
}
