package io.vtp.loadgen;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongFunction;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * An open-loop HTTP load: request {@code i} is due at {@code start + i / rate}, whatever happened to the requests
 * before it, and its latency is measured from that intended time, so a stall of the server (or of the generator)
 * shows in the percentiles instead of silently slowing the generator down (no coordinated omission). The one
 * generator of the project: the system benchmark ({@code vtp-bench}) and the system tests ({@code vtp-system-tests})
 * both load the deployment with it.
 *
 * <p>A fixed pool of sender threads ({@link Settings#senders()}, which bounds the requests in flight and so the
 * connections: each thread sends one request at a time, synchronously, through one shared {@link HttpClient})
 * claims the next request index, waits for its intended time, sends it and records it. A sender that is still busy
 * when its next request is due sends it late, and the wait counts in that request's latency. The run is bounded in
 * count ({@code rate x duration}) and in time. A request found more than {@link Settings#maxBehind()} behind the
 * schedule (every sender was busy that long) either abandons the run ({@link WhenBehind#ABANDON}: the rest counts as
 * unsent; what a capacity search wants) or is skipped and the run goes on ({@link WhenBehind#SKIP}: counted in
 * {@link Result#skipped()}; what a test of a fault wants, whose load must outlive the fault). Either way only the
 * requests in flight are awaited at the end, each bounded by its own timeout.
 *
 * <p>{@link Settings#sendingAsynchronously() Asynchronously}, one scheduler thread sends each request at its due
 * time with {@link HttpClient#sendAsync} instead, and {@link Settings#senders()} bounds the requests in flight
 * (permits, not threads): a request due while all are in flight waits for a permit at most {@code maxBehind}, then
 * {@code whenBehind} applies. One thread whatever the concurrency, and the client's connections are used as any
 * asynchronous client uses them: what the system tests want, which hold 190 requests in flight through a fault.
 *
 * <p>Besides the latency, the run records the service time (from the actual send) and the generator's own
 * lateness: how late an idle sender woke up for a due request. A lateness p99 above {@link #LATE_LIMIT_MS} means
 * the generator itself could not keep its schedule (CPU starved), and the run says so
 * ({@link Result#generatorBehind()}).
 *
 * <p>Use {@link #run} to block until the run is over, or {@link #start} to act while it runs (inject a fault,
 * {@linkplain Running#stop() stop it early}) and {@linkplain Running#await() await} it after.
 *
 * <p>Thread-safety: one run at a time per instance.
 */
public final class OpenLoopLoad {
  /**
   * Above this lateness p99 (ms) of idle senders, the generator did not keep its schedule: a fifth of the 50 ms
   * p99 bar, so its own lag alone could not fail a step but is too large to ignore.
   */
  public static final double LATE_LIMIT_MS = 10.0;

  /** What a sender does with a request it finds more than {@link Settings#maxBehind()} behind the schedule. */
  public enum WhenBehind {
    /** Stop the run: the server (or this machine) cannot keep up; the rest of the schedule is unsent. */
    ABANDON,
    /** Drop this request (counted as skipped) and go on with the schedule. */
    SKIP
  }

  /**
   * How many times at most a request whose reused connection was closed under it is sent again: nginx's reload
   * closes every idle connection at once, so the connection the retry takes may be stale too.
   */
  static final int MAX_STALE_RETRIES = 3;

  /** Which requests are sent again (at most {@value #MAX_STALE_RETRIES} times) when the server closed their reused connection before any answer. */
  public enum StaleRetry {
    /** None: every such failure is counted as unanswered. */
    NEVER,
    /** GET only, as browsers and curl do for an idempotent request. */
    GETS,
    /** Every method; only for callers that detect a duplicate themselves (see {@link Settings#retryingStaleRequests()}). */
    ANY_METHOD;

    boolean retries(HttpRequest request) {
      return this == ANY_METHOD || this == GETS && request.method().equals("GET");
    }
  }

  /**
   * What to run.
   *
   * @param rate requests per second, > 0
   * @param duration how long the schedule lasts, > 0 (so {@code rate x duration} requests at most)
   * @param senders sender threads = requests in flight and connections at most, 1..1024 (asynchronously: the
   *     requests in flight at most)
   * @param timeout the longest a request may take, > 0; bounds how long the end of a run waits (the requests
   *     carry their own timeout, which should not exceed this)
   * @param maxBehind how far behind the schedule a request may be sent, > 0
   * @param whenBehind what happens to a request further behind than {@code maxBehind}
   * @param staleRetry which requests that failed before any byte of an answer (the server closed a reused
   *     keep-alive connection just as the request went out, as nginx does when it reloads) are sent once more;
   *     counted in {@link Result#retried()}
   * @param async whether one scheduler thread sends asynchronously, {@code senders} bounding the requests in
   *     flight, instead of {@code senders} threads sending synchronously
   */
  public record Settings(double rate, Duration duration, int senders, Duration timeout, Duration maxBehind,
      WhenBehind whenBehind, StaleRetry staleRetry, boolean async) {
    public Settings {
      Objects.requireNonNull(duration, "duration");
      Objects.requireNonNull(staleRetry, "staleRetry");
      Objects.requireNonNull(timeout, "timeout");
      Objects.requireNonNull(maxBehind, "maxBehind");
      Objects.requireNonNull(whenBehind, "whenBehind");
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

    /** A schedule that is abandoned when it falls {@code maxBehind} behind, without retries (a capacity step). */
    public Settings(double rate, Duration duration, int senders, Duration timeout, Duration maxBehind) {
      this(rate, duration, senders, timeout, maxBehind, WhenBehind.ABANDON, StaleRetry.NEVER, false);
    }

    /** Returns these settings, skipping the requests found more than {@code maxBehind} late instead. */
    public Settings skippingWhenBehind() {
      return new Settings(rate, duration, senders, timeout, maxBehind, WhenBehind.SKIP, staleRetry, async);
    }

    /** Returns these settings, retrying once a GET whose reused connection was closed under it. */
    public Settings retryingStaleGets() {
      return new Settings(rate, duration, senders, timeout, maxBehind, whenBehind, StaleRetry.GETS, async);
    }

    /**
     * Returns these settings, retrying once any request, POST included, whose reused connection was closed under
     * it before any byte of an answer. RFC 9112 section 9.3.1 allows that for a non-idempotent request only when
     * the client can detect that the first attempt was never applied: a caller choosing this must check for
     * duplicates itself (unique payloads counted in the database, say).
     */
    public Settings retryingStaleRequests() {
      return new Settings(rate, duration, senders, timeout, maxBehind, whenBehind, StaleRetry.ANY_METHOD, async);
    }

    /**
     * Returns these settings, sent by one scheduler thread with {@link HttpClient#sendAsync}, {@code senders}
     * bounding the requests in flight.
     */
    public Settings sendingAsynchronously() {
      return new Settings(rate, duration, senders, timeout, maxBehind, whenBehind, staleRetry, true);
    }

    /** Returns how many requests the schedule holds. */
    public long total() {
      return Math.max(1, (long) Math.floor(rate * duration.toNanos() / 1e9));
    }
  }

  /**
   * What a run measured. Latencies in milliseconds; {@code p*} are from the intended send time, over every
   * request that was answered or failed.
   *
   * @param rate the requested rate (req/s)
   * @param seconds the schedule's length
   * @param scheduled requests in the schedule
   * @param sent requests sent (a retried request counts once)
   * @param ok answers with a 2xx status
   * @param errors everything else that was sent: non-2xx answers, and requests without an answer
   * @param unanswered requests that got no answer: timeouts and I/O failures (part of {@code errors})
   * @param timeouts requests that timed out (part of {@code unanswered})
   * @param retried requests sent a second time after a stale connection ({@link Settings#staleRetry()})
   * @param skipped requests dropped because every sender was busy past {@code maxBehind} ({@link WhenBehind#SKIP})
   * @param unsent requests never sent because the run was abandoned or stopped early
   * @param abandoned whether the run was abandoned (behind its schedule, or at its time bound)
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
  public record Result(double rate, double seconds, long scheduled, long sent, long ok, long errors,
      long unanswered, long timeouts, long retried, long skipped, long unsent, boolean abandoned, double wallSeconds,
      Map<Integer, Long> statuses, Map<String, Long> instances, long rateLimited, long cacheHits, long cacheMisses,
      double p50, double p90, double p99, double p999, double max, double serviceP99, double lateP99,
      double lateMax, long busyDue, double generatorCpuMs, List<String> failures) {

    public Result {
      statuses = Collections.unmodifiableMap(new TreeMap<>(statuses));
      instances = Collections.unmodifiableMap(new TreeMap<>(instances));
      failures = List.copyOf(failures);
    }

    /** Whether this run met the bar: every request sent and answered 2xx, and p99 within the limit. */
    public boolean sustainable(double p99LimitMs) {
      return errors == 0 && unsent == 0 && skipped == 0 && sent > 0 && p99 <= p99LimitMs;
    }

    /** Whether the generator itself fell behind its schedule (idle senders woke up late). */
    public boolean generatorBehind() {
      return lateP99 > LATE_LIMIT_MS;
    }

    /** Answered requests per second actually achieved. */
    public double achievedRate() {
      return wallSeconds > 0 ? (ok + errors - unanswered) / wallSeconds : 0;
    }

    /** The generator's CPU use in cores over the run (1.0 = one core busy). */
    public double generatorCores() {
      return wallSeconds > 0 ? generatorCpuMs / 1000.0 / wallSeconds : 0;
    }

    /** Returns how many answers had this HTTP status. */
    public long status(int code) {
      return statuses.getOrDefault(code, 0L);
    }

    /** Returns how many answers had a 5xx status. */
    public long serverErrors() {
      return statuses.entrySet().stream().filter(e -> e.getKey() >= 500).mapToLong(Map.Entry::getValue).sum();
    }

    /** One line for progress output. */
    public String summary() {
      return String.format(Locale.ROOT,
          "%,.0f req/s: ok %d, errors %d%s, p50 %.2f p99 %.2f max %.1f ms, gen lag p99 %.2f ms, gen %.2f cores",
          rate, ok, errors, unsent > 0 ? ", unsent " + unsent : "", p50, p99, max, lateP99, generatorCores());
    }

    /** Everything a failed assertion needs: the counts, statuses, instances and the first failures. */
    @Override
    public String toString() {
      return String.format(Locale.ROOT,
          "%,.0f req/s x %.1f s: sent %d of %d, ok %d, errors %d (unanswered %d, timeouts %d), retried %d, "
              + "skipped %d, unsent %d%s, statuses %s, instances %s, p50 %.1f p99 %.1f max %.1f ms%s",
          rate, seconds, sent, scheduled, ok, errors, unanswered, timeouts, retried, skipped, unsent,
          abandoned ? " (abandoned)" : "", statuses, instances, p50, p99, max,
          failures.isEmpty() ? "" : "\nfirst failures:\n  " + String.join("\n  ", failures));
    }
  }

  /** Reads the CPU time of the generator's process, in ms. */
  public interface CpuClock {
    double processCpuMs();

    /** This JVM's CPU time as the platform reports it ({@link ProcessHandle.Info#totalCpuDuration()}), or 0. */
    static CpuClock thisProcess() {
      return () -> ProcessHandle.current().info().totalCpuDuration().map(d -> d.toNanos() / 1e6).orElse(0.0);
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
  public OpenLoopLoad(HttpClient client, CpuClock cpu) {
    this.client = Objects.requireNonNull(client, "client");
    this.cpu = Objects.requireNonNull(cpu, "cpu");
  }

  /**
   * Runs the schedule and blocks until it is over.
   *
   * @param s what to run
   * @param requests the request for each index, called from the sender threads (must be thread-safe)
   * @return what it measured
   * @throws InterruptedException when interrupted (the senders are stopped first)
   */
  public Result run(Settings s, LongFunction<HttpRequest> requests) throws InterruptedException {
    try (Running running = start(s, requests)) {
      return running.await();
    }
  }

  /**
   * Starts the schedule and returns at once; the senders run on daemon threads.
   *
   * @param s what to run
   * @param requests the request for each index, called from the sender threads (must be thread-safe)
   * @return the running load: {@link Running#await()} it, and close it
   */
  public Running start(Settings s, LongFunction<HttpRequest> requests) {
    Objects.requireNonNull(s, "settings");
    Objects.requireNonNull(requests, "requests");
    return new Running(s, requests);
  }

  /**
   * A load that runs. Closing it stops the schedule and interrupts the senders (requests in flight are abandoned).
   */
  public final class Running implements AutoCloseable {
    private final Settings s;
    private final LongFunction<HttpRequest> requests;
    private final long total;
    private final long start;
    private final double cpuBefore;
    private final Recorder latency = new Recorder(Tally.HIGHEST_MICROS, 3);
    private final Recorder service = new Recorder(Tally.HIGHEST_MICROS, 3);
    private final Recorder late = new Recorder(Tally.HIGHEST_MICROS, 3);
    private final AtomicLong next = new AtomicLong();
    /** No request is sent once this is set (stopped, abandoned or at the time bound). */
    private final AtomicBoolean halt = new AtomicBoolean();
    private final AtomicBoolean abandoned = new AtomicBoolean();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicLong sentSoFar = new AtomicLong();
    private final List<Tally> tallies = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private Result result;

    private Running(Settings s, LongFunction<HttpRequest> requests) {
      this.s = s;
      this.requests = requests;
      this.total = s.total();
      // Start a little in the future so every sender thread runs before the first request is due.
      this.start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(20);
      this.cpuBefore = cpu.processCpuMs();
      if (s.async()) {
        Tally shared = new Tally(latency, service);
        tallies.add(shared);
        Semaphore permits = new Semaphore(s.senders());
        threads.add(new Thread(() -> schedule(shared, permits), "load-scheduler"));
      } else {
        for (int t = 0; t < s.senders(); t++) {
          Tally mine = new Tally(latency, service);
          tallies.add(mine);
          threads.add(new Thread(() -> sendLoop(mine), "load-sender-" + t));
        }
      }
      threads.forEach(th -> {
        th.setDaemon(true);
        th.start();
      });
    }

    /** Returns how many requests are in flight now (sent, not yet answered or failed). */
    public int inFlight() {
      return inFlight.get();
    }

    /**
     * Returns how many requests were sent so far (a retried one counts once). With {@link #inFlight()} read before
     * an event, {@code inFlight + (sent after - sent before)} bounds the requests that can have been in flight at
     * the event, without the race of reading {@code inFlight} alone.
     */
    public long sent() {
      return sentSoFar.get();
    }

    /**
     * Ends the schedule early: no request is sent after this; the ones in flight are still awaited. The rest of the
     * schedule counts as unsent.
     */
    public void stop() {
      halt.set(true);
      threads.forEach(LockSupport::unpark); // senders parked until a later request's time
    }

    /**
     * Blocks until the schedule is over and every request sent was answered or failed, bounded by the schedule's
     * length plus {@link Settings#maxBehind()} plus the request timeout (four times with stale retries) plus 5 s; at that
     * bound the run is abandoned, its senders interrupted, and (asynchronous mode) the requests still in flight
     * count as unanswered.
     *
     * @return what the run measured (the same result on every call)
     * @throws InterruptedException when interrupted (the senders are stopped first)
     */
    public synchronized Result await() throws InterruptedException {
      if (result != null) {
        return result;
      }
      long deadlineNanos = start + s.duration().toNanos() + s.maxBehind().toNanos()
          + s.timeout().toNanos() * (s.staleRetry() != StaleRetry.NEVER ? 1 + MAX_STALE_RETRIES : 1) + TimeUnit.SECONDS.toNanos(5);
      try {
        for (Thread th : threads) {
          long left = deadlineNanos - System.nanoTime();
          if (left > 0) {
            TimeUnit.NANOSECONDS.timedJoin(th, left);
          }
        }
        if (s.async()) {
          awaitAnswers(deadlineNanos);
        }
      } finally {
        halt();
      }
      result = result();
      return result;
    }

    /** Asynchronous mode: waits until no request is in flight, or the deadline. */
    private void awaitAnswers(long deadlineNanos) throws InterruptedException {
      synchronized (inFlight) {
        long left;
        while (inFlight.get() > 0 && (left = deadlineNanos - System.nanoTime()) > 0) {
          TimeUnit.NANOSECONDS.timedWait(inFlight, left);
        }
      }
      if (inFlight.get() > 0) {
        abandoned.set(true);
      }
    }

    /** Stops the senders: interrupts the ones still sending (past the time bound, or on close). */
    private void halt() throws InterruptedException {
      halt.set(true);
      boolean alive = false;
      for (Thread th : threads) {
        if (th.isAlive()) {
          alive = true;
          th.interrupt();
        }
      }
      if (alive) {
        abandoned.set(true);
        for (Thread th : threads) {
          th.join(TimeUnit.SECONDS.toMillis(1)); // the interrupted send returns at once
        }
      }
    }

    private Result result() {
      double wall = (System.nanoTime() - start) / 1e9;
      double cpuMs = cpu.processCpuMs() - cpuBefore;
      Tally sum = new Tally(latency, service);
      for (Tally x : tallies) {
        synchronized (x) {
          x.closed = true; // asynchronous mode: an answer after this is not counted
          sum.sent += x.sent;
          sum.ok += x.ok;
          // Still pending at the end (past the time bound): sent, never answered.
          sum.errors += x.errors + x.pending;
          sum.unanswered += x.unanswered + x.pending;
          sum.timeouts += x.timeouts;
          sum.retried += x.retried;
          sum.skipped += x.skipped;
          sum.rateLimited += x.rateLimited;
          sum.cacheHits += x.cacheHits;
          sum.cacheMisses += x.cacheMisses;
          sum.busyDue += x.busyDue;
          x.statuses.forEach((k, v) -> sum.statuses.merge(k, v, Long::sum));
          x.instances.forEach((k, v) -> sum.instances.merge(k, v, Long::sum));
          x.failures.forEach(sum::note);
          if (x.pending > 0) {
            sum.note(x.pending + " request(s) still in flight at the time bound");
          }
        }
      }
      Histogram lat = latency.getIntervalHistogram();
      Histogram svc = service.getIntervalHistogram();
      Histogram lag = late.getIntervalHistogram();
      long unsent = Math.max(0, total - sum.sent - sum.skipped);
      return new Result(s.rate(), s.duration().toNanos() / 1e9, total, sum.sent, sum.ok, sum.errors,
          sum.unanswered, sum.timeouts, sum.retried, sum.skipped, unsent, abandoned.get(), wall, sum.statuses,
          sum.instances, sum.rateLimited, sum.cacheHits, sum.cacheMisses, ms(lat, 50), ms(lat, 90), ms(lat, 99),
          ms(lat, 99.9), lat.getTotalCount() == 0 ? 0 : lat.getMaxValue() / 1000.0, ms(svc, 99), ms(lag, 99),
          lag.getTotalCount() == 0 ? 0 : lag.getMaxValue() / 1000.0, sum.busyDue, cpuMs, sum.failures);
    }

    /** Stops the schedule and the senders; a result not awaited yet is lost. */
    @Override
    public void close() {
      try {
        halt();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    /**
     * Waits until request {@code i} is due; returns the time it woke, or -1 when the run halted meanwhile. A wait
     * records how late the waiter woke (the generator's own lag).
     */
    private long awaitDue(long intended) {
      long now = System.nanoTime();
      if (now >= intended) {
        return now;
      }
      while (now < intended) {
        LockSupport.parkNanos(intended - now);
        if (halt.get() || Thread.currentThread().isInterrupted()) {
          return -1;
        }
        now = System.nanoTime();
      }
      late.recordValue(Tally.micros(now - intended));
      return now;
    }

    /** Synchronous mode: one sender thread's loop (its tally is its own while it runs). */
    private void sendLoop(Tally t) {
      double periodNanos = 1e9 / s.rate();
      long maxBehindNanos = s.maxBehind().toNanos();
      while (!halt.get()) {
        long i = next.getAndIncrement();
        if (i >= total) {
          return;
        }
        long intended = start + (long) (i * periodNanos);
        boolean due = System.nanoTime() >= intended;
        long now = awaitDue(intended);
        if (now < 0) {
          return;
        }
        if (due) {
          t.busyDue++;
          if (now - intended > maxBehindNanos) {
            if (s.whenBehind() == WhenBehind.SKIP) {
              t.skipped++;
              continue;
            }
            // The server (or this machine) cannot keep up: stop instead of running on for ever; the rest is unsent.
            abandoned.set(true);
            halt.set(true);
            return;
          }
        }
        t.sent++;
        sentSoFar.incrementAndGet();
        inFlight.incrementAndGet();
        try {
          send(t, requests.apply(i), intended, now);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        } finally {
          inFlight.decrementAndGet();
        }
      }
    }

    private void send(Tally t, HttpRequest request, long intended, long now) throws InterruptedException {
      String what = request.method() + " " + request.uri().getPath();
      try {
        HttpResponse<Void> r;
        for (int attempt = 0; ; attempt++) {
          try {
            r = client.send(request, HttpResponse.BodyHandlers.discarding());
            break;
          } catch (HttpTimeoutException e) {
            throw e;
          } catch (IOException e) {
            if (!s.staleRetry().retries(request) || !staleConnection(e) || attempt == MAX_STALE_RETRIES) {
              throw e;
            }
            t.retried++;
          }
        }
        t.answered(r, what, intended, now, System.nanoTime());
      } catch (IOException e) {
        t.unanswered(e, what, intended, System.nanoTime());
      }
    }

    /**
     * Asynchronous mode: the one scheduler thread sends each request at its due time with
     * {@link HttpClient#sendAsync}; a permit per request in flight, released once its answer is counted.
     */
    private void schedule(Tally t, Semaphore permits) {
      double periodNanos = 1e9 / s.rate();
      long maxBehindNanos = s.maxBehind().toNanos();
      for (long i = 0; i < total && !halt.get(); i++) {
        long intended = start + (long) (i * periodNanos);
        if (awaitDue(intended) < 0) {
          return;
        }
        if (!permits.tryAcquire()) {
          synchronized (t) {
            t.busyDue++;
          }
          long left = maxBehindNanos - (System.nanoTime() - intended);
          boolean got;
          try {
            got = left > 0 && permits.tryAcquire(left, TimeUnit.NANOSECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
          }
          if (!got) {
            if (s.whenBehind() == WhenBehind.SKIP) {
              synchronized (t) {
                t.skipped++;
              }
              continue;
            }
            abandoned.set(true);
            halt.set(true);
            return;
          }
        }
        if (halt.get()) { // stopped while waiting for a permit
          permits.release();
          return;
        }
        sendAsync(t, permits, requests.apply(i), intended);
      }
    }

    private void sendAsync(Tally t, Semaphore permits, HttpRequest request, long intended) {
      String what = request.method() + " " + request.uri().getPath();
      synchronized (t) {
        t.sent++;
        t.pending++;
      }
      sentSoFar.incrementAndGet();
      inFlight.incrementAndGet();
      long sentAt = System.nanoTime();
      CompletableFuture<HttpResponse<Void>> answer = sendRetryingStale(s, t, request, 0);
      answer.whenComplete((r, e) -> {
        long end = System.nanoTime();
        synchronized (t) {
          if (!t.closed) {
            t.pending--;
            if (e == null) {
              t.answered(r, what, intended, sentAt, end);
            } else {
              t.unanswered(unwrap(e), what, intended, end);
            }
          }
        }
        permits.release();
        if (inFlight.decrementAndGet() == 0) {
          synchronized (inFlight) {
            inFlight.notifyAll();
          }
        }
      });
    }
  }

  /**
   * The request sent asynchronously; when its reused connection was closed under it before any answer and the
   * settings allow a retry for its method, sent again, at most {@link #MAX_STALE_RETRIES} times (each failure
   * discards that connection: a reload closes every idle one at once, so the next may be stale too).
   */
  private CompletableFuture<HttpResponse<Void>> sendRetryingStale(Settings s, Tally t, HttpRequest request,
      int attempt) {
    CompletableFuture<HttpResponse<Void>> answer = client.sendAsync(request, HttpResponse.BodyHandlers.discarding());
    if (!s.staleRetry().retries(request) || attempt == MAX_STALE_RETRIES) {
      return answer;
    }
    return answer.handle((r, e) -> {
      if (e == null || !staleConnection(unwrap(e))) {
        return e == null ? CompletableFuture.completedFuture(r) : CompletableFuture.<HttpResponse<Void>>failedFuture(e);
      }
      synchronized (t) {
        t.retried++;
      }
      return sendRetryingStale(s, t, request, attempt + 1);
    }).thenCompose(f -> f);
  }

  private static Throwable unwrap(Throwable e) {
    Throwable t = e;
    while (t instanceof CompletionException && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  /**
   * Whether a request failed because the server closed its reused keep-alive connection before any byte of an
   * answer (the JDK client's messages for an early EOF or a reset).
   */
  static boolean staleConnection(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      String m = String.valueOf(t.getMessage());
      if (m.contains("received no bytes") || m.contains("Connection reset") || m.contains("EOF reached")) {
        return true;
      }
    }
    return false;
  }

  private static double ms(Histogram h, double percentile) {
    return h.getTotalCount() == 0 ? 0 : h.getValueAtPercentile(percentile) / 1000.0;
  }
}
