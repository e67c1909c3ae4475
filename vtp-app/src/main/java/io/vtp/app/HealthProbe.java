package io.vtp.app;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Map;

/**
 * The container health check: {@code java -cp /app/vtp-app.jar io.vtp.app.HealthProbe [PATH]} GETs
 * {@code http://127.0.0.1:$PORT/health/ready} (or PATH) with a 2 s budget and exits 0 on a 2xx answer, 1 on anything
 * else (503 while draining or without PostgreSQL, connection refused, timeout). It exists because the JRE image must
 * not depend on curl or wget being installed; it needs nothing but the JVM and the app's own jar.
 *
 * <p>{@code PORT} is the app's own variable (default 8080), so the probe always asks the port the app listens on.
 */
public final class HealthProbe {
  /** Exit status when the endpoint answered 2xx. */
  public static final int HEALTHY = 0;
  /** Exit status for every other outcome. */
  public static final int UNHEALTHY = 1;
  /** The whole budget of one probe: connect plus answer. */
  public static final Duration TIMEOUT = Duration.ofSeconds(2);

  private HealthProbe() {}

  /**
   * Probes and exits.
   *
   * @param args optional path, default {@code /health/ready}
   */
  public static void main(String[] args) {
    int status;
    try {
      status = probe(target(System.getenv(), args.length > 0 ? args[0] : "/health/ready"), TIMEOUT);
    } catch (IllegalArgumentException e) {
      System.err.println("health probe: " + e.getMessage());
      status = UNHEALTHY;
    }
    System.exit(status);
  }

  /**
   * The URI to probe: loopback, the app's {@code PORT} (default 8080), the path.
   *
   * @param env the environment
   * @param path an absolute path such as {@code /health/ready}
   * @return the URI
   * @throws IllegalArgumentException when PORT is not a port number 1..65535 or the path does not start with /
   */
  static URI target(Map<String, String> env, String path) {
    String raw = env.getOrDefault("PORT", "").trim();
    int port;
    try {
      port = raw.isEmpty() ? 8080 : Integer.parseInt(raw);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("PORT must be a port number but was '" + raw + "'", e);
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("PORT must be between 1 and 65535 but was " + port);
    }
    if (!path.startsWith("/")) {
      throw new IllegalArgumentException("path must start with / but was '" + path + "'");
    }
    return URI.create("http://127.0.0.1:" + port + path);
  }

  /**
   * GETs {@code uri} once.
   *
   * @param uri what to ask
   * @param timeout connect and response budget
   * @return {@link #HEALTHY} on 2xx, else {@link #UNHEALTHY}; the reason goes to stderr (Docker keeps it in
   *     {@code docker inspect})
   */
  static int probe(URI uri, Duration timeout) {
    HttpClient client = HttpClient.newBuilder().connectTimeout(timeout).build();
    HttpRequest request = HttpRequest.newBuilder(uri).timeout(timeout).GET().build();
    try {
      HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() / 100 == 2) {
        return HEALTHY;
      }
      System.err.println("health probe: " + uri + " answered " + response.statusCode() + ": " + response.body());
      return UNHEALTHY;
    } catch (HttpTimeoutException e) {
      System.err.println("health probe: " + uri + " did not answer within " + timeout.toMillis() + " ms");
      return UNHEALTHY;
    } catch (IOException e) {
      System.err.println("health probe: " + uri + " failed: " + e);
      return UNHEALTHY;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return UNHEALTHY;
    }
  }
}
