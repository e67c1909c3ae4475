package io.vtp.system;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vtp.loadgen.OpenLoopLoad;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.LongFunction;
import org.awaitility.core.ConditionTimeoutException;

/**
 * What the reliability scenarios share: signals to processes by pid, HTTP helpers, logins, metrics scraped from a
 * backend's management port (nginx never serves {@code /metrics}, and a scrape must name its instance), and
 * SQL as the PostgreSQL superuser over the deployment's unix socket.
 */
final class Faults {
  static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(3)).build();
  static final ObjectMapper JSON = new ObjectMapper();
  static final String PASSWORD = "demo-password-123";
  /**
   * Most requests a load keeps in flight: all load comes from 127.0.0.1, and nginx allows one address 200
   * connections ({@code limit_conn perip 200}, answered 429); a load above that measures the edge shield, not the
   * fault. A request the load cannot send because of this bound is counted as skipped, and fails the scenario.
   */
  static final int MAX_IN_FLIGHT = 190;
  /** The timeout of a load's requests unless a scenario says otherwise. */
  static final Duration LOAD_TIMEOUT = Duration.ofSeconds(10);
  /**
   * How late a load may send a request that was due while every sender was busy before it counts as skipped: only
   * absorbs thread scheduling, a request skipped means the in-flight bound was reached.
   */
  static final Duration LOAD_MAX_BEHIND = Duration.ofMillis(100);

  private final Deployment d;

  Faults(Deployment d) {
    this.d = d;
  }

  static void signal(String sig, long pid) throws IOException, InterruptedException {
    Process p = new ProcessBuilder("kill", "-" + sig, Long.toString(pid)).redirectErrorStream(true).start();
    p.getInputStream().readAllBytes();
    p.waitFor(10, TimeUnit.SECONDS);
  }

  /** Waits until the process is gone (bounded); returns whether it is. */
  static boolean awaitExit(long pid, Duration max) {
    try {
      await().atMost(max).pollInterval(Duration.ofMillis(50)).until(() -> !Deployment.alive(pid));
      return true;
    } catch (ConditionTimeoutException e) {
      return false;
    }
  }

  static String exec(Duration max, String... cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(max.toMillis(), TimeUnit.MILLISECONDS)) {
      p.destroyForcibly();
    }
    return new String(out, StandardCharsets.UTF_8).trim();
  }

  String backend(int i, String path) {
    return "http://127.0.0.1:" + (d.basePort + i) + path;
  }

  /**
   * Starts the open-loop load every system test uses (the generator {@code vtp-bench} measures with): {@code rate}
   * requests a second for {@code duration}, latency from the intended send time, sent asynchronously from one
   * scheduler thread with at most {@code maxInFlight} in flight (a request due while all are busy is skipped and
   * counted), a GET whose reused keep-alive connection
   * nginx closed under it retried on a new connection (like browsers and curl). The load has connections of its
   * own. Await it for its result; it stops by itself, bounded by its schedule and {@code timeout}.
   *
   * @param timeout the longest one of its requests may take (each request carries it)
   */
  static OpenLoopLoad.Running load(int maxInFlight, int rate, Duration duration, Duration timeout,
      LongFunction<HttpRequest> requests) {
    return load(maxInFlight, rate, duration, timeout, OpenLoopLoad.StaleRetry.GETS, requests);
  }

  /**
   * {@link #load(int, int, Duration, Duration, LongFunction)} with the given stale-connection retry:
   * {@link OpenLoopLoad.StaleRetry#ANY_METHOD} only where the test proves afterwards that no request was applied
   * twice (RFC 9112 section 9.3.1).
   */
  static OpenLoopLoad.Running load(int maxInFlight, int rate, Duration duration, Duration timeout,
      OpenLoopLoad.StaleRetry staleRetry, LongFunction<HttpRequest> requests) {
    OpenLoopLoad.Settings settings = new OpenLoopLoad.Settings(rate, duration, maxInFlight, timeout, LOAD_MAX_BEHIND)
        .skippingWhenBehind().sendingAsynchronously();
    settings = switch (staleRetry) {
      case NEVER -> settings;
      case GETS -> settings.retryingStaleGets();
      case ANY_METHOD -> settings.retryingStaleRequests();
    };
    return new OpenLoopLoad(OpenLoopLoad.CpuClock.thisProcess()).start(settings, requests);
  }

  /** {@link #load(int, int, Duration, Duration, LongFunction)} of GET {@code url}, {@link #MAX_IN_FLIGHT} at most. */
  static OpenLoopLoad.Running loadGet(int rate, Duration duration, String url) {
    HttpRequest get = request(url);
    return load(MAX_IN_FLIGHT, rate, duration, LOAD_TIMEOUT, i -> get);
  }

  /** A GET of {@code url} with the {@link #LOAD_TIMEOUT}. */
  static HttpRequest request(String url) {
    return request(url, LOAD_TIMEOUT);
  }

  static HttpRequest request(String url, Duration timeout) {
    return HttpRequest.newBuilder(URI.create(url)).timeout(timeout).GET().build();
  }

  /** Backend i's management port: {@code /metrics} and detailed health. */
  String management(int i, String path) {
    return "http://127.0.0.1:" + (d.managementBasePort + i) + path;
  }

  static HttpResponse<String> get(String url, String token) throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  static HttpResponse<String> post(String url, String token, String body) throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Logs in as an API client: {@code X-Token-Type: bearer} asks for the token in the answer. */
  static HttpResponse<String> login(String base, String email) throws IOException, InterruptedException {
    return HTTP.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/auth/login")).timeout(Duration.ofSeconds(10))
        .header("Content-Type", "application/json").header("X-Token-Type", "bearer")
        .POST(HttpRequest.BodyPublishers.ofString("{\"email\":\"" + email + "\",\"password\":\"" + PASSWORD + "\"}"))
        .build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Logs in and returns the token; fails unless the login answered 200. */
  static String token(String base, String email) throws IOException, InterruptedException {
    HttpResponse<String> r = login(base, email);
    if (r.statusCode() != 200) {
      throw new IllegalStateException("login " + email + " answered " + r.statusCode() + ": " + r.body());
    }
    return JSON.readTree(r.body()).get("token").asText();
  }

  static JsonNode json(HttpResponse<String> r) throws IOException {
    return JSON.readTree(r.body());
  }

  static String instanceOf(HttpResponse<?> r) {
    return r.headers().firstValue("X-Instance-Id").orElse("nginx");
  }

  static int status(String url, String token) {
    try {
      return get(url, token).statusCode();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  /**
   * Sums the samples of one Prometheus metric on backend {@code i} whose labels contain every given fragment
   * (e.g. {@code name="api"}); 0 when absent, -1 when the backend does not answer.
   */
  double metric(int i, String name, String... labels) {
    String text;
    try {
      HttpResponse<String> r = get(management(i, "/metrics"), null);
      if (r.statusCode() != 200) {
        return -1;
      }
      text = r.body();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
    double sum = 0;
    for (String line : text.split("\n")) {
      if (!line.startsWith(name + "{") && !line.startsWith(name + " ")) {
        continue;
      }
      boolean all = true;
      for (String l : labels) {
        all &= line.contains(l);
      }
      if (all) {
        sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return sum;
  }

  /** Sums a metric over backends 1..n. */
  double metricSum(int n, String name, String... labels) {
    double s = 0;
    for (int i = 1; i <= n; i++) {
      s += Math.max(0, metric(i, name, labels));
    }
    return s;
  }

  /** Runs SQL in database vtp as the postgres superuser over the deployment's unix socket; returns psql -At output. */
  String sql(String query) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    if ("root".equals(System.getProperty("user.name"))) {
      cmd.addAll(List.of("setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups", "--"));
    }
    cmd.addAll(List.of("psql", "-h", d.state.resolve("postgres/socket").toString(), "-p",
        d.env.get("VTP_PG_PORT"), "-U", "postgres", "-d", "vtp", "-At", "-F", "\t", "-c", query));
    return exec(Duration.ofSeconds(20), cmd.toArray(String[]::new));
  }

  /** Whether the backend's log mentions the text (the app logs every API request with its path). */
  boolean backendLogsMention(int instances, String text) throws IOException {
    for (int i = 1; i <= instances; i++) {
      java.nio.file.Path log = d.state.resolve("logs/backend-" + i + ".log");
      if (java.nio.file.Files.exists(log) && java.nio.file.Files.readString(log).contains(text)) {
        return true;
      }
    }
    return false;
  }

  static long ms(long startNanos) {
    return (System.nanoTime() - startNanos) / 1_000_000;
  }
}
