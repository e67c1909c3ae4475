package io.vtp.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The Docker HEALTHCHECK's probe against a real HTTP server on a loopback port. */
class HealthProbeTest {
  private static HttpServer server;
  private static final CountDownLatch RELEASE = new CountDownLatch(1);

  @BeforeAll
  static void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/health/ready", ex -> answer(ex, 200, "{\"status\":\"pass\"}"));
    server.createContext("/draining", ex -> answer(ex, 503, "{\"status\":\"fail\"}"));
    server.createContext("/hang", ex -> {
      try {
        RELEASE.await(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      answer(ex, 200, "late");
    });
    server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
    server.start();
  }

  @AfterAll
  static void stop() {
    RELEASE.countDown();
    server.stop(0);
  }

  private static void answer(com.sun.net.httpserver.HttpExchange ex, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }

  private static URI at(String path) {
    return HealthProbe.target(Map.of("PORT", Integer.toString(server.getAddress().getPort())), path);
  }

  @Test
  void probe_readyEndpointAnswering200_isHealthy() {
    assertThat(HealthProbe.probe(at("/health/ready"), HealthProbe.TIMEOUT)).isEqualTo(HealthProbe.HEALTHY);
  }

  @Test
  void probe_503WhileDraining_isUnhealthy() {
    assertThat(HealthProbe.probe(at("/draining"), HealthProbe.TIMEOUT)).isEqualTo(HealthProbe.UNHEALTHY);
  }

  @Test
  void probe_nothingListening_isUnhealthy() throws IOException {
    int free;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      free = s.getLocalPort();
    }
    URI uri = HealthProbe.target(Map.of("PORT", Integer.toString(free)), "/health/ready");
    assertThat(HealthProbe.probe(uri, HealthProbe.TIMEOUT)).isEqualTo(HealthProbe.UNHEALTHY);
  }

  @Test
  void probe_hungServer_givesUpWithinTheTimeout() {
    long start = System.nanoTime();
    assertThat(HealthProbe.probe(at("/hang"), Duration.ofMillis(300))).isEqualTo(HealthProbe.UNHEALTHY);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
  }

  @Test
  void target_usesTheAppsPortVariableAndLoopback() {
    assertThat(HealthProbe.target(Map.of("PORT", "9090"), "/health/ready"))
        .isEqualTo(URI.create("http://127.0.0.1:9090/health/ready"));
    assertThat(HealthProbe.target(Map.of(), "/health/live")).isEqualTo(URI.create("http://127.0.0.1:8080/health/live"));
  }

  @Test
  void target_invalidPortOrPath_isRejectedWithTheRule() {
    assertThatThrownBy(() -> HealthProbe.target(Map.of("PORT", "http"), "/health/ready"))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("PORT must be a port number but was 'http'");
    assertThatThrownBy(() -> HealthProbe.target(Map.of("PORT", "0"), "/health/ready"))
        .hasMessage("PORT must be between 1 and 65535 but was 0");
    assertThatThrownBy(() -> HealthProbe.target(Map.of(), "health"))
        .hasMessage("path must start with / but was 'health'");
  }
}
