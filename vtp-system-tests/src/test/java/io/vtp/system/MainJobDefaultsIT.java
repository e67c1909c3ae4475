package io.vtp.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The main-job command as the README gives it, on its DEFAULT ports (only the state directory is the test's own):
 * every topology it offers comes up and serves, and {@code down} always leaves a state from which {@code up} works,
 * even after an {@code up} that failed half-way.
 */
class MainJobDefaultsIT {
  private Deployment d;

  @AfterEach
  void down() throws Exception {
    if (d != null) {
      d.run("down");
      assertThat(d.processesOfThisDeployment()).isEmpty();
    }
  }

  @Test
  void up_withDefaultPorts_servesOnEveryTopology() throws Exception {
    d = Deployment.withDefaultPorts(Files.createTempDirectory("vtp-defaults-it-"));
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    for (List<String> options : List.of(List.<String>of(), List.of("--redis-cluster"), List.of("--tls"))) {
      String[] up = java.util.stream.Stream.concat(java.util.stream.Stream.of("up", "--instances", "1"),
          options.stream()).toArray(String[]::new);
      String out = d.run(up);
      boolean tls = options.contains("--tls");
      assertThat(out).as("vtp %s", options).contains(tls ? "VTP Scale is up: https://127.0.0.1:8443"
          : "VTP Scale is up: http://127.0.0.1:8080");
      String base = tls ? "https://localhost:8443" : "http://127.0.0.1:8080";
      HttpClient client = !tls ? http : HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
          .sslContext(ClusterTlsDeploymentIT.trusting(d.root.resolve("deployment/ssl/vtp.crt"))).build();
      HttpResponse<String> courses = client.send(HttpRequest.newBuilder(
          URI.create(base + "/api/v1/courses")).timeout(Duration.ofSeconds(10)).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(courses.statusCode()).as("GET /api/v1/courses with %s: %s", options, courses.body()).isEqualTo(200);
      if (options.contains("--redis-cluster")) {
        assertThat(d.run("status")).contains("cluster_state:ok");
      }
      d.run("down");
    }
  }

  @Test
  void up_thatFailedHalfWay_thenDown_thenUpWithOtherOptions_works() throws Exception {
    d = Deployment.withDefaultPorts(Files.createTempDirectory("vtp-defaults-it-"));
    // Redis Cluster node 1's default port is taken (by a listener that accepts and never answers, which must not
    // hang 'up' either): that node exits at start and 'up' fails.
    try (ServerSocket taken = new ServerSocket(17001, 1, InetAddress.getLoopbackAddress())) {
      assertThat(taken.isBound()).isTrue();
      assertThatThrownBy(() -> d.run("up", "--instances", "1", "--redis-cluster"))
          .hasMessageContaining("redis-node-1 exited");
    }
    assertThat(d.run("down")).doesNotContain("No such file");
    String out = d.run("up", "--instances", "1");
    assertThat(out).contains("VTP Scale is up: http://127.0.0.1:8080");
  }

  @Test
  void up_withAClusterBasePortAbove55532_isRefusedWithTheRule() throws Exception {
    d = Deployment.withDefaultPorts(Files.createTempDirectory("vtp-defaults-it-"));
    d.env.put("VTP_CLUSTER_BASE_PORT", "57000");
    assertThatThrownBy(() -> d.run("up", "--instances", "1", "--redis-cluster"))
        .hasMessageContaining("VTP_CLUSTER_BASE_PORT must be 1024..55532").hasMessageContaining("but was 57000");
  }
}
