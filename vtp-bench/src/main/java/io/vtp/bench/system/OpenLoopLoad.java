package io.vtp.bench.system;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongFunction;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * An open-loop HTTP load: request {@code i} is due at {@code start + i / rate}, whatever happened to the requests
 * before it, and its latency is measured from that intended time, so a stall of the server (or of the generator)
 * shows in the percentiles instead of silently slowing the generator down (no coordinated omission).
 *
 * <p>A fixed pool of sender threads ({@link Settings#senders()}, which bounds the connections: each thread sends
 * one request at a time, synchronously, through one shared {@link HttpClient}) claims the next request index,
 * waits for its intended time, sends it and records it. A sender that is still busy when its next request is due
 * sends it late, and the wait counts in that request's latency. The run is bounded in count ({@code rate x
 * duration}) and in time: when a sender finds itself more than {@link Settings#maxBehind()} behind the schedule
 * the run is abandoned, the rest counts as unsent, and only the requests in flight are awaited (each bounded by
 * {@link Settings#timeout()}).
 *
 * <p>Besides the latency, the run records the service time (from the actual send) and the generator's own
 * lateness: how late an idle sender woke up for a due request. A lateness p99 above {@link #LATE_LIMIT_MS} means
 * the generator itself could not keep its schedule (CPU starved), and the run says so
 * ({@link Result#generatorBehind()}).
 *
 * <p>Thread-safety: one run at a time per instance; {@link #run} blocks until the run is over.
 */
final class OpenLoopLoad {
  /**
   * Above this lateness p99 (ms) of idle senders, the generator did not keep its schedule: a fifth of the 50 ms
   * p99 bar, so its own lag alone could not fail a step but is too large to ignore.
   */
  static final double LATE_LIMIT_MS = 10.0;
  private static final long HIGHEST_MICROS = TimeUnit.MINUTES.toMicros(5);
  private static final int MAX_FAILURE_NOTES = 5;

  /**
   * What to run.
   *
   * @param rate requests per second, > 0
   * @param duration how long the schedule lasts, > 0 (so {@code rate x duration} requests at most)
   * @param senders sender threads = connections at most, 1..1024
   * @param timeout per request, > 0
   * @param maxBehind how far behind the schedule a sender may fall before the run is abandoned, > 0
   */
  record Settings(double rate, Duration duration, int senders, Duration timeout, Duration maxBehind) {
    Settings {
      Objects.requireNonNull(duration, "duration");
      Objects.requireNonNull(timeout, "timeout");
      Objects.requireNonNull(maxBehind, "maxBehind");
      if (!(rate > 0) || Double.isInfinite(rate)) {
        throw new IllegalArgumentException("load rate must be > 0 requests/s but was " + rate);
      }
      if (duration.isNegative() || duration.isZero()) {
        throw new IllegalArgumentException("load duration must be > 0 but was " + duration);
      }
      if (senders < 1 || senders > 1024) {
        throw new IllegalArgumentException("load senders must be 1..1024 but was " + senders);
      }
      if (timeout.isNegative() || timeout.isZero() || maxBehind.isNegative() || maxBehind.isZero()) {
        throw new IllegalArgumentException("load timeout and maxBehind must be > 0 but were " + timeout + ", "
            + maxBehind);
      }
    }

    /** Returns how many requests the schedule holds. */
    long total() {
      return Math.max(1, (long) Math.floor(rate * duration.toNanos() / 1e9));
    }
  }

  /**
   * What a run measured. Latencies in milliseconds; {@code p*} are from the intended send time.
   *
   * @param rate the requested rate (req/s)
   * @param seconds the schedule's length
   * @param scheduled requests in the schedule
   * @param sent requests sent
   * @param ok answers with a 2xx status
   * @param errors everything else that was sent: non-2xx answers, timeouts, I/O failures
   * @param timeouts requests that timed out (part of {@code errors})
   * @param unsent requests never sent because the run was abandoned behind its schedule
   * @param abandoned whether the run was abandoned
   * @param wallSeconds how long the run took
   * @param statuses answers by HTTP status
   * @param instances answers by {@code X-Instance-Id}
   * @param rateLimited answers carrying a {@code RateLimit} header (the app's limiter decided)
   * @param cacheHits answers with {@code X-Cache: HIT}
   * @param cacheMisses answers with {@code X-Cache: MISS}
   * @param p50 latency percentile
   * @param p90 latency percentile
   * @param p99 latency percentile
   * @param p999 latency percentile (99.9)
   * @param max the longest latency
   * @param serviceP99 p99 of the time from the actual send to the answer
   * @param lateP99 p99 of how late idle senders woke up for a due request (the generator's own lag)
   * @param lateMax the worst such lag
   * @param busyDue requests that were already due when a sender got to them (all senders busy)
   * @param generatorCpuMs CPU time of this whole process (the generator) during the run
   * @param failures the first few failures, for the log
   */
  record Result(double rate, double seconds, long scheduled, long sent, long ok, long errors, long timeouts,
      long unsent, boolean abandoned, double wallSeconds, Map<Integer, Long> statuses, Map<String, Long> instances,
      long rateLimited, long cacheHits, long cacheMisses, double p50, double p90, double p99, double p999,
      double max, double serviceP99, double lateP99, double lateMax, long busyDue, double generatorCpuMs,
      List<String> failures) {

    /** Whether this run met the bar: every request sent and answered 2xx, and p99 within the limit. */
    boolean sustainable(double p99LimitMs) {
      return errors == 0 && unsent == 0 && sent > 0 && p99 <= p99LimitMs;
    }

    /** Whether the generator itself fell behind its schedule (idle senders woke up late). */
    boolean generatorBehind() {
      return lateP99 > LATE_LIMIT_MS;
    }

    /** Answered requests per second actually achieved. */
    double achievedRate() {
      return wallSeconds > 0 ? (ok + errors - timeouts) / wallSeconds : 0;
    }

    /** The generator's CPU use in cores over the run (1.0 = one core busy). */
    double generatorCores() {
      return wallSeconds > 0 ? generatorCpuMs / 1000.0 / wallSeconds : 0;
    }

    /** One line for progress output. */
    String summary() {
      return String.format(java.util.Locale.ROOT,
          "%,.0f req/s: ok %d, errors %d%s, p50 %.2f p99 %.2f max %.1f ms, gen lag p99 %.2f ms, gen %.2f cores",
          rate, ok, errors, unsent > 0 ? ", unsent " + unsent : "", p50, p99, max, lateP99, generatorCores());
    }
  }

  private final HttpClient client;
  private final CpuClock cpu;

  /**
   * Creates a generator.
   *
   * @param client the client every sender shares (HTTP/1.1: one connection per busy sender)
   * @param cpu reads this process's CPU time
   */
  OpenLoopLoad(HttpClient client, CpuClock cpu) {
    this.client = Objects.requireNonNull(client, "client");
    this.cpu = Objects.requireNonNull(cpu, "cpu");
  }

  /** Reads the CPU time of the generator's process, in ms. */
  interface CpuClock {
    double processCpuMs();
  }

  /**
   * Runs the schedule and blocks until it is over.
   *
   * @param s what to run
   * @param requests the request for each index, called from the sender threads (must be thread-safe)
   * @return what it measured
   * @throws InterruptedException when interrupted (the senders are stopped first)
   */
  Result run(Settings s, LongFunction<HttpRequest> requests) throws InterruptedException {
    long total = s.total();
    double periodNanos = 1e9 / s.rate();
    long maxBehindNanos = s.maxBehind().toNanos();
    Recorder latency = new Recorder(HIGHEST_MICROS, 3);
    Recorder service = new Recorder(HIGHEST_MICROS, 3);
    Recorder late = new Recorder(HIGHEST_MICROS, 3);
    AtomicLong next = new AtomicLong();
    AtomicBoolean abandon = new AtomicBoolean();
    List<Sender> senders = new ArrayList<>();
    // Start a little in the future so every sender thread runs before the first request is due.
    long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(20);
    double cpuBefore = cpu.processCpuMs();
    for (int t = 0; t < s.senders(); t++) {
      senders.add(new Sender());
    }
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < senders.size(); t++) {
      Sender me = senders.get(t);
      Thread th = new Thread(() -> me.loop(total, start, periodNanos, maxBehindNanos, next, abandon, requests,
          latency, service, late), "load-sender-" + t);
      th.setDaemon(true);
      threads.add(th);
    }
    threads.forEach(Thread::start);
    long deadlineNanos = start + s.duration().toNanos() + maxBehindNanos + s.timeout().toNanos()
        + TimeUnit.SECONDS.toNanos(5);
    try {
      for (Thread th : threads) {
        long left = deadlineNanos - System.nanoTime();
        if (left > 0) {
          TimeUnit.NANOSECONDS.timedJoin(th, left);
        }
      }
    } finally {
      abandon.set(true);
      for (Thread th : threads) {
        if (th.isAlive()) {
          th.interrupt();
        }
      }
    }
    double wall = (System.nanoTime() - start) / 1e9;
    double cpuMs = cpu.processCpuMs() - cpuBefore;

    long sent = 0;
    long ok = 0;
    long errors = 0;
    long timeouts = 0;
    long limited = 0;
    long hits = 0;
    long misses = 0;
    long busy = 0;
    Map<Integer, Long> statuses = new TreeMap<>();
    Map<String, Long> instances = new TreeMap<>();
    List<String> failures = new ArrayList<>();
    for (Sender x : senders) {
      sent += x.sent;
      ok += x.ok;
      errors += x.errors;
      timeouts += x.timeouts;
      limited += x.rateLimited;
      hits += x.cacheHits;
      misses += x.cacheMisses;
      busy += x.busyDue;
      x.statuses.forEach((k, v) -> statuses.merge(k, v, Long::sum));
      x.instances.forEach((k, v) -> instances.merge(k, v, Long::sum));
      for (String f : x.failures) {
        if (failures.size() < MAX_FAILURE_NOTES) {
          failures.add(f);
        }
      }
    }
    Histogram lat = latency.getIntervalHistogram();
    Histogram svc = service.getIntervalHistogram();
    Histogram lag = late.getIntervalHistogram();
    long unsent = Math.max(0, total - sent);
    return new Result(s.rate(), s.duration().toNanos() / 1e9, total, sent, ok, errors, timeouts, unsent,
        unsent > 0, wall, statuses, instances, limited, hits, misses, ms(lat, 50), ms(lat, 90), ms(lat, 99),
        ms(lat, 99.9), lat.getTotalCount() == 0 ? 0 : lat.getMaxValue() / 1000.0, ms(svc, 99), ms(lag, 99),
        lag.getTotalCount() == 0 ? 0 : lag.getMaxValue() / 1000.0, busy, cpuMs, failures);
  }

  private static double ms(Histogram h, double percentile) {
    return h.getTotalCount() == 0 ? 0 : h.getValueAtPercentile(percentile) / 1000.0;
  }

  /** One sender thread's loop and its own counters (merged after the run, so no sharing while it runs). */
  private final class Sender {
    long sent;
    long ok;
    long errors;
    long timeouts;
    long rateLimited;
    long cacheHits;
    long cacheMisses;
    long busyDue;
    final Map<Integer, Long> statuses = new HashMap<>();
    final Map<String, Long> instances = new HashMap<>();
    final List<String> failures = new ArrayList<>();

    void loop(long total, long start, double periodNanos, long maxBehindNanos, AtomicLong next,
        AtomicBoolean abandon, LongFunction<HttpRequest> requests, Recorder latency, Recorder service,
        Recorder late) {
      while (!abandon.get()) {
        long i = next.getAndIncrement();
        if (i >= total) {
          return;
        }
        long intended = start + (long) (i * periodNanos);
        long now = System.nanoTime();
        if (now < intended) {
          while (now < intended) {
            LockSupport.parkNanos(intended - now);
            if (Thread.currentThread().isInterrupted()) {
              return;
            }
            now = System.nanoTime();
          }
          late.recordValue(Math.min(HIGHEST_MICROS, (now - intended) / 1000));
        } else {
          busyDue++;
          if (now - intended > maxBehindNanos) {
            // The server (or this machine) cannot keep up: stop instead of running on for ever; the rest is unsent.
            abandon.set(true);
            return;
          }
        }
        sent++;
        HttpRequest request = requests.apply(i);
        try {
          HttpResponse<Void> r = client.send(request, HttpResponse.BodyHandlers.discarding());
          long end = System.nanoTime();
          latency.recordValue(Math.min(HIGHEST_MICROS, (end - intended) / 1000));
          service.recordValue(Math.min(HIGHEST_MICROS, (end - now) / 1000));
          int status = r.statusCode();
          statuses.merge(status, 1L, Long::sum);
          if (status >= 200 && status < 300) {
            ok++;
          } else {
            errors++;
            note(request.method() + " " + request.uri().getPath() + " answered " + status);
          }
          r.headers().firstValue("X-Instance-Id").ifPresent(id -> instances.merge(id, 1L, Long::sum));
          if (r.headers().firstValue("RateLimit").isPresent()) {
            rateLimited++;
          }
          String cache = r.headers().firstValue("X-Cache").orElse("");
          if (cache.equals("HIT")) {
            cacheHits++;
          } else if (cache.equals("MISS")) {
            cacheMisses++;
          }
        } catch (HttpTimeoutException e) {
          failed(latency, intended);
          timeouts++;
          note(request.method() + " " + request.uri().getPath() + " timed out");
        } catch (IOException e) {
          failed(latency, intended);
          note(request.method() + " " + request.uri().getPath() + " failed: " + e);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }

    private void failed(Recorder latency, long intended) {
      errors++;
      latency.recordValue(Math.min(HIGHEST_MICROS, (System.nanoTime() - intended) / 1000));
    }

    private void note(String failure) {
      if (failures.size() < MAX_FAILURE_NOTES) {
        failures.add(failure);
      }
    }
  }
}
