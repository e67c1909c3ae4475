package io.vtp.system;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * A bounded open-loop load: a fixed request rate for a fixed time (so at most rate x seconds requests), at most
 * {@code maxInFlight} at once, each with a timeout. Counts statuses and failures; latency from the intended send
 * time, so a stall is not hidden by the generator waiting.
 */
final class Load implements AutoCloseable {
  private final HttpClient client = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(3)).build();
  private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor();
  private final Semaphore inFlight;
  private final int maxInFlight;
  private final Map<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> instances = new ConcurrentHashMap<>();
  final AtomicInteger errors = new AtomicInteger();
  final AtomicInteger sent = new AtomicInteger();
  final AtomicInteger skipped = new AtomicInteger();
  final AtomicInteger retried = new AtomicInteger();
  final AtomicLong maxLatencyMs = new AtomicLong();
  private final ConcurrentLinkedQueue<Long> latencies = new ConcurrentLinkedQueue<>();
  private final CountDownLatch done = new CountDownLatch(1);
  private volatile boolean stopRequested;
  private final StringBuilder firstFailures = new StringBuilder();

  Load(int maxInFlight) {
    this.inFlight = new Semaphore(maxInFlight);
    this.maxInFlight = maxInFlight;
  }

  /**
   * Starts sending {@code ratePerSecond} requests a second for {@code duration}; returns at once.
   *
   * @param request builds each request
   */
  Load start(int ratePerSecond, Duration duration, Supplier<HttpRequest> request) {
    long periodNanos = TimeUnit.SECONDS.toNanos(1) / ratePerSecond;
    int total = (int) (ratePerSecond * duration.toMillis() / 1000);
    AtomicInteger scheduled = new AtomicInteger();
    ticker.scheduleAtFixedRate(() -> {
      int n = scheduled.incrementAndGet();
      if (n > total || stopRequested) {
        ticker.shutdown();
        done.countDown();
        return;
      }
      long intended = System.nanoTime();
      if (!inFlight.tryAcquire()) {
        skipped.incrementAndGet();
        return;
      }
      sent.incrementAndGet();
      HttpRequest req = request.get();
      client.sendAsync(req, HttpResponse.BodyHandlers.discarding())
          .handle((r, e) -> e == null || !retryable(req, e) ? java.util.concurrent.CompletableFuture.completedFuture(r)
              : retry(req))
          .thenCompose(f -> f)
          .whenComplete((r, e) -> {
        inFlight.release();
        long ms = (System.nanoTime() - intended) / 1_000_000;
        maxLatencyMs.accumulateAndGet(ms, Math::max);
        latencies.add(ms);
        if (e != null) {
          errors.incrementAndGet();
          note("error " + e);
        } else {
          statuses.computeIfAbsent(r.statusCode(), k -> new AtomicInteger()).incrementAndGet();
          r.headers().firstValue("X-Instance-Id")
              .ifPresent(i -> instances.computeIfAbsent(i, k -> new AtomicInteger()).incrementAndGet());
          if (r.statusCode() >= 300) {
            note("status " + r.statusCode() + " from " + r.headers().firstValue("X-Instance-Id").orElse("nginx"));
          }
        }
      });
    }, 0, periodNanos, TimeUnit.NANOSECONDS);
    return this;
  }

  /**
   * A reused keep-alive connection that the server closed just as the request went out (nginx closes idle client
   * connections when it reloads) fails before any byte of a response. Like browsers and curl, retry an idempotent
   * request once in that case; counted in {@link #retried}.
   */
  private static boolean retryable(HttpRequest req, Throwable e) {
    if (!req.method().equals("GET")) {
      return false;
    }
    for (Throwable t = e; t != null; t = t.getCause()) {
      String m = String.valueOf(t.getMessage());
      if (m.contains("received no bytes") || m.contains("Connection reset") || m.contains("EOF reached")) {
        return true;
      }
    }
    return false;
  }

  private java.util.concurrent.CompletableFuture<HttpResponse<Void>> retry(HttpRequest req) {
    retried.incrementAndGet();
    return client.sendAsync(req, HttpResponse.BodyHandlers.discarding());
  }

  private synchronized void note(String failure) {
    if (firstFailures.length() < 2000) {
      firstFailures.append(failure).append('\n');
    }
  }

  /** Waits until every scheduled request was sent and answered (bounded). */
  Load await(Duration max) throws InterruptedException {
    done.await(max.toMillis(), TimeUnit.MILLISECONDS);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (inFlight.availablePermits() < maxInFlight && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    return this;
  }

  /** Ends the load early (before its duration): no request is scheduled after this. */
  void stop() {
    stopRequested = true;
  }

  /** Returns the latency percentile in ms (from the intended send time) over every answered or failed request. */
  long percentileMs(double p) {
    List<Long> all = new ArrayList<>(latencies);
    if (all.isEmpty()) {
      return 0;
    }
    Collections.sort(all);
    int rank = (int) Math.ceil(p / 100.0 * all.size()) - 1;
    return all.get(Math.max(0, Math.min(all.size() - 1, rank)));
  }

  /** Returns how many requests are in flight now. */
  int inFlight() {
    return maxInFlight - inFlight.availablePermits();
  }

  /** Returns how many answers had this status. */
  int status(int code) {
    AtomicInteger n = statuses.get(code);
    return n == null ? 0 : n.get();
  }

  /** Returns how many answers were 5xx. */
  int serverErrors() {
    return statuses.entrySet().stream().filter(e -> e.getKey() >= 500).mapToInt(e -> e.getValue().get()).sum();
  }

  int ok() {
    return statuses.entrySet().stream().filter(e -> e.getKey() < 300).mapToInt(e -> e.getValue().get()).sum();
  }

  int failed() {
    return errors.get() + statuses.entrySet().stream().filter(e -> e.getKey() >= 300)
        .mapToInt(e -> e.getValue().get()).sum();
  }

  Map<String, AtomicInteger> instances() {
    return instances;
  }

  static HttpRequest get(String url) {
    return get(url, Duration.ofSeconds(10));
  }

  static HttpRequest get(String url, Duration timeout) {
    return HttpRequest.newBuilder(URI.create(url)).timeout(timeout).GET().build();
  }

  @Override
  public String toString() {
    return "sent=" + sent + " ok=" + ok() + " failed=" + failed() + " skipped=" + skipped + " retried=" + retried
        + " statuses=" + statuses
        + " instances=" + instances + " p50Ms=" + percentileMs(50) + " p99Ms=" + percentileMs(99)
        + " maxLatencyMs=" + maxLatencyMs + (firstFailures.length() > 0
        ? "\nfirst failures:\n" + firstFailures : "");
  }

  @Override
  public void close() {
    ticker.shutdownNow();
  }
}
