package io.vtp.system;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
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
  final AtomicLong maxLatencyMs = new AtomicLong();
  private final CountDownLatch done = new CountDownLatch(1);
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
      if (n > total) {
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
      client.sendAsync(request.get(), HttpResponse.BodyHandlers.discarding()).whenComplete((r, e) -> {
        inFlight.release();
        long ms = (System.nanoTime() - intended) / 1_000_000;
        maxLatencyMs.accumulateAndGet(ms, Math::max);
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
    return HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).GET().build();
  }

  @Override
  public String toString() {
    return "sent=" + sent + " ok=" + ok() + " failed=" + failed() + " skipped=" + skipped + " statuses=" + statuses
        + " instances=" + instances + " maxLatencyMs=" + maxLatencyMs + (firstFailures.length() > 0
        ? "\nfirst failures:\n" + firstFailures : "");
  }

  @Override
  public void close() {
    ticker.shutdownNow();
  }
}
