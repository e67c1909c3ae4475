package io.vtp.system;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;

/**
 * The main-job command with {@code --redis-cluster --tls --prometheus}: the same app runs unchanged on a local 3-master Redis
 * Cluster, behind nginx terminating TLS with the self-signed certificate; plain HTTP redirects to HTTPS and the
 * session cookie becomes {@code __Host-} and {@code Secure} because the app believes nginx's X-Forwarded-Proto.
 */
class ClusterTlsDeploymentIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void upWithRedisClusterAndTls_servesHttpsAndSharesSessions() throws Exception {
    Deployment d = new Deployment(Files.createTempDirectory("vtp-deploy-tls-it-"), 29000);
    java.util.List<Long> started = new java.util.ArrayList<>();
    try {
      String out = d.run("up", "--instances", "2", "--redis-cluster", "--tls", "--prometheus");
      assertThat(out).contains("VTP Scale is up: https://127.0.0.1:29001");
      HttpClient https = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
          .sslContext(trusting(d.root.resolve("deployment/ssl/vtp.crt"))).build();
      String base = "https://localhost:29001";

      HttpResponse<String> plain = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:29000/api/v1/courses")).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(plain.statusCode()).isEqualTo(301);
      assertThat(plain.headers().firstValue("Location").orElse("")).startsWith("https://");

      HttpResponse<String> courses = https.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/courses"))
          .build(), HttpResponse.BodyHandlers.ofString());
      assertThat(courses.statusCode()).isEqualTo(200);
      assertThat(courses.headers().firstValue("Strict-Transport-Security")).isPresent();

      HttpResponse<String> login = https.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/auth/login"))
          .header("Content-Type", "application/json").header("X-Token-Type", "bearer")
          .POST(HttpRequest.BodyPublishers.ofString(
              "{\"email\":\"teacher@vtp.local\",\"password\":\"demo-password-123\"}")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(login.statusCode()).as(login.body()).isEqualTo(200);
      assertThat(login.headers().firstValue("Set-Cookie").orElse("")).startsWith("__Host-vtp_session=")
          .contains("; Secure").contains("HttpOnly");
      String token = JSON.readTree(login.body()).get("token").asText();
      Set<String> served = new HashSet<>();
      for (int i = 0; i < 6; i++) {
        HttpResponse<String> me = https.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/auth/me"))
            .header("Authorization", "Bearer " + token).timeout(Duration.ofSeconds(10)).build(),
            HttpResponse.BodyHandlers.ofString());
        assertThat(me.statusCode()).isEqualTo(200);
        served.add(me.headers().firstValue("X-Instance-Id").orElseThrow());
      }
      assertThat(served).containsExactlyInAnyOrder("backend-1", "backend-2");
      // Prometheus scrapes every instance (5 s interval): status shows both targets up.
      String status = "";
      for (int i = 0; i < 40 && !(status.contains("29051 (vtp-backend) up=1")
          && status.contains("29052 (vtp-backend) up=1")); i++) {
        Thread.sleep(500);
        status = d.run("status");
      }
      assertThat(status).contains("cluster_state:ok").contains("127.0.0.1:29051 (vtp-backend) up=1")
          .contains("127.0.0.1:29052 (vtp-backend) up=1");
      started.addAll(d.recordedPids());
      assertThat(started).hasSizeGreaterThanOrEqualTo(8); // 3 redis nodes, postgres, 2 backends, prometheus, nginx
    } finally {
      d.run("down");
    }
    assertThat(d.processesOfThisDeployment()).isEmpty();
    for (long pid : started) {
      assertThat(Deployment.alive(pid)).as("pid %d", pid).isFalse();
    }
  }

  /** A TLS context that trusts exactly {@code certificate} (the deployment's self-signed one). */
  static SSLContext trusting(Path certificate) throws Exception {
    KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
    ks.load(null, null);
    try (InputStream in = Files.newInputStream(certificate)) {
      ks.setCertificateEntry("vtp", CertificateFactory.getInstance("X.509").generateCertificate(in));
    }
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(ks);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(null, tmf.getTrustManagers(), null);
    return ctx;
  }
}
