package io.vtp.system;

import static org.assertj.core.api.Assertions.assertThat;

import io.vtp.testkit.PostgresDatabase;
import io.vtp.testkit.PostgresServer;
import io.vtp.testkit.RedisServer;
import io.vtp.testkit.VtpServers;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The runnable jar as operators run it: {@code java -jar vtp-app/target/vtp-app.jar}, configured by environment. */
@ExtendWith(VtpServers.class)
class AppProcessIT {
  private static final Path JAR = Deployment.repoRoot().resolve("vtp-app/target/vtp-app.jar");

  private static ProcessBuilder app(Map<String, String> env, Path log) {
    ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx128m", "-jar", JAR.toString()).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().clear();
    pb.environment().put("PATH", System.getenv("PATH"));
    pb.environment().putAll(env);
    return pb;
  }

  @Test
  void invalidConfiguration_stopsStartUpWithOneLineNamingTheVariable() throws Exception {
    Path log = Files.createTempFile("vtp-app-", ".log");
    Process p = app(Map.of("PORT", "eighty"), log).start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isEqualTo(2);
    assertThat(Files.readString(log)).contains("vtp-app: invalid configuration: PORT must be a whole number but was 'eighty'");

    Path prodLog = Files.createTempFile("vtp-app-", ".log");
    Process prod = app(Map.of("APP_ENV", "production", "DATABASE_URL", "postgresql://u:p@h/db?sslmode=require",
        "REDIS_URL", "redis://h:6379", "JWT_SECRET", "changeme"), prodLog).start();
    assertThat(prod.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(prod.exitValue()).isEqualTo(2);
    String text = Files.readString(prodLog);
    assertThat(text).contains("JWT_SECRET must be at least 32 bytes");
    assertThat(text).doesNotContain("changeme");
  }

  @Test
  void sigterm_drainsAndExitsZero(PostgresDatabase db, RedisServer redis) throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Path log = Files.createTempFile("vtp-app-", ".log");
    Process p = app(Map.of(
        "PORT", Integer.toString(port), "MANAGEMENT_PORT", "0", "HOST", "127.0.0.1", "INSTANCE_ID", "proc-1",
        "DATABASE_URL", "postgresql://" + db.user() + ":" + db.password() + "@127.0.0.1:" + db.server().port() + "/"
            + db.name(),
        "REDIS_URL", "redis://127.0.0.1:" + redis.port(), "PASSWORD_HASH_ITERATIONS", "1000",
        "DRAIN_DELAY", "500ms", "JWT_SECRET", "a-test-secret-that-is-long-enough-0123456789"), log).start();
    try {
      HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      int status = 0;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (System.nanoTime() < deadline && status != 200) {
        try {
          status = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health/ready"))
              .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString()).statusCode();
        } catch (IOException e) {
          Thread.sleep(200);
        }
      }
      assertThat(status).as(Files.readString(log, StandardCharsets.UTF_8)).isEqualTo(200);
      p.destroy(); // SIGTERM
      assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(p.exitValue()).as(Files.readString(log)).isZero();
      String text = Files.readString(log);
      assertThat(text).contains("instance=proc-1 draining").contains("instance=proc-1 stopped");
      assertThat(text).doesNotContain("a-test-secret-that-is-long-enough");
    } finally {
      p.destroyForcibly();
    }
  }

  @Test
  void editedAppliedMigration_stopsStartUpWithStatus3AndWhatToFix(PostgresServer pg, RedisServer redis)
      throws Exception {
    try (PostgresDatabase db = pg.createDatabase("proc_edited")) {
      Map<String, String> env = Map.of("PORT", "0", "MANAGEMENT_PORT", "0", "HOST", "127.0.0.1", "INSTANCE_ID", "proc-edited",
          "DATABASE_URL", "postgresql://" + db.user() + ":" + db.password() + "@127.0.0.1:" + db.server().port()
              + "/" + db.name(),
          "REDIS_URL", "redis://127.0.0.1:" + redis.port(), "PASSWORD_HASH_ITERATIONS", "1000",
          "DRAIN_DELAY", "0s", "JWT_SECRET", "a-test-secret-that-is-long-enough-0123456789");
      Path first = Files.createTempFile("vtp-app-", ".log");
      Process p = app(env, first).start();
      try {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline && !Files.readString(first).contains("instance=proc-edited listening")) {
          Thread.sleep(200);
        }
        assertThat(Files.readString(first)).contains("database migrations: 4 applied");
        p.destroy();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
      } finally {
        p.destroyForcibly();
      }
      try (Connection c = db.connect(); Statement s = c.createStatement()) {
        // What the database recorded for V1 no longer matches the jar's V1__users.sql: as if it had been edited.
        s.execute("UPDATE flyway_schema_history SET checksum = checksum + 1 WHERE version = '1'");
      }

      Path second = Files.createTempFile("vtp-app-", ".log");
      Process edited = app(env, second).start();
      try {
        assertThat(edited.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String text = Files.readString(second);
        assertThat(edited.exitValue()).as(text).isEqualTo(3);
        assertThat(text).contains("instance=proc-edited database schema validation failed, not starting")
            .contains("Migration checksum mismatch for migration version 1")
            .doesNotContain("listening");
      } finally {
        edited.destroyForcibly();
      }
    }
  }
}
