package io.vtp.loadgen;

import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpRequest;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
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
 * <p>The transport is its own: a small HTTP/1.1 client over NIO, cheaper per request than the server it loads (the
 * JDK {@code HttpClient} cost 2-3x nginx's CPU per request, issue #19). Two threads whatever the load: the scheduler
 * parks until each request is due and writes it on a free keep-alive connection (opening one while fewer than
 * {@link Settings#senders()} are open: that bounds the requests in flight and the connections), and one selector
 * thread reads every answer as it arrives (status line, headers, a body by {@code Content-Length}, chunked, or up to
 * the close; the body is skipped), counts it and puts the connection back. No request waits for another's answer and
 * none is handed between threads. A request due while every connection is busy waits for one at most
 * {@link Settings#maxBehind()} (the wait counts in its latency), then {@link Settings#whenBehind()} applies: the run
 * is abandoned ({@link WhenBehind#ABANDON}: the rest counts as unsent; what a capacity search wants) or the request
 * is skipped and the run goes on ({@link WhenBehind#SKIP}: counted in {@link Result#skipped()}; what a test of a
 * fault wants, whose load must outlive the fault). Each request times out on its own ({@link HttpRequest#timeout()},
 * else {@link Settings#timeout()}, from its actual send); at the end only the requests in flight are awaited. The
 * run is bounded in count ({@code rate x duration}) and in time.
 *
 * <p>Requests are described with {@link HttpRequest} (method, {@code http://} URI, headers, an in-memory body, a
 * timeout) and written as HTTP/1.1 by the generator; a request object returned again is encoded once.
 *
 * <p>Besides the latency, the run records the service time (from the actual send) and the generator's own
 * lateness: how late the idle scheduler woke up for a due request. A lateness p99 above {@link #LATE_LIMIT_MS} means
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
   * How many times at most a request whose reused connection was closed under it is sent again, each time on a new
   * connection (nginx's reload closes every idle connection at once, so an idle one may be stale too).
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
   * @param senders requests in flight and keep-alive connections at most, 1..1024
   * @param timeout the longest a request may take, > 0; bounds how long the end of a run waits (the requests
   *     carry their own timeout, which should not exceed this)
   * @param maxBehind how far behind the schedule a request may be sent, > 0
   * @param whenBehind what happens to a request further behind than {@code maxBehind}
   * @param staleRetry which requests that failed before any byte of an answer (the server closed a reused
   *     keep-alive connection just as the request went out, as nginx does when it reloads) are sent once more;
   *     counted in {@link Result#retried()}
   * @param async kept for the callers that chose it: the generator has one way of sending now (one scheduler, one
   *     selector thread, {@code senders} connections), the same either way
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
     * Returns these settings marked asynchronous: since the NIO transport, every run sends from one scheduler thread
     * with {@code senders} bounding the requests in flight, so this changes nothing but {@link #async()}.
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

  private final CpuClock cpu;

  /**
   * Creates a generator. It opens its own connections for each run (at most {@link Settings#senders()}) and closes
   * them when the run ends.
   *
   * @param cpu reads this process's CPU time
   */
  public OpenLoopLoad(CpuClock cpu) {
    this.cpu = Objects.requireNonNull(cpu, "cpu");
  }

  /**
   * Runs the schedule and blocks until it is over.
   *
   * @param s what to run
   * @param requests the request for each index, called from the scheduler thread (and so need not be thread-safe,
   *     but must be quick: it runs on the schedule's path); only {@code http://} URIs, HTTP/1.1
   * @return what it measured
   * @throws InterruptedException when interrupted (the run is stopped first)
   * @throws UncheckedIOException when the selector cannot be opened
   */
  public Result run(Settings s, LongFunction<HttpRequest> requests) throws InterruptedException {
    try (Running running = start(s, requests)) {
      return running.await();
    }
  }

  /**
   * Starts the schedule and returns at once; the scheduler and the selector run on two daemon threads.
   *
   * @param s what to run
   * @param requests the request for each index (see {@link #run})
   * @return the running load: {@link Running#await()} it, and close it
   * @throws UncheckedIOException when the selector cannot be opened
   */
  public Running start(Settings s, LongFunction<HttpRequest> requests) {
    Objects.requireNonNull(s, "settings");
    Objects.requireNonNull(requests, "requests");
    return new Running(s, requests);
  }

  /** A request on its way: what was asked, when it was due, and when it went out. */
  private static final class Exchange {
    final HttpRequest request;
    final Encoded encoded;
    final long intended;
    long sentAt;
    long deadline;
    int attempts;

    Exchange(HttpRequest request, Encoded encoded, long intended) {
      this.request = request;
      this.encoded = encoded;
      this.intended = intended;
    }

    String what() {
      return request.method() + " " + request.uri().getPath();
    }
  }

  /** A request's bytes on the wire, where they go, and its timeout. */
  private record Encoded(byte[] bytes, InetSocketAddress address, long timeoutNanos, boolean head) {}

  /** One keep-alive connection. {@link #exchange} and {@link #closed} are guarded by the run's pool lock. */
  private static final class Conn {
    final SocketChannel channel;
    final InetSocketAddress address;
    final ResponseParser parser = new ResponseParser();
    SelectionKey key;
    Exchange exchange;
    boolean closed;
    /** Whether it carried an answer already: a failure before any byte of the next one is a stale connection. */
    boolean reused;
    /** The rest of a request the socket did not take at once; the selector thread writes it. */
    ByteBuffer unwritten;

    Conn(SocketChannel channel, InetSocketAddress address) {
      this.channel = channel;
      this.address = address;
    }
  }

  /** A request found no connection and may not open one: every one of the {@code senders} is busy. */
  private static final Conn NO_CONNECTION = new Conn(null, null);

  /**
   * A load that runs. Closing it stops the schedule and closes the connections (requests in flight are abandoned).
   */
  public final class Running implements AutoCloseable {
    private static final long TIMEOUT_SCAN_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

    private final Settings s;
    private final LongFunction<HttpRequest> requests;
    private final long total;
    private final long start;
    private final double cpuBefore;
    private final Recorder latency = new Recorder(Tally.HIGHEST_MICROS, 3);
    private final Recorder service = new Recorder(Tally.HIGHEST_MICROS, 3);
    private final Recorder late = new Recorder(Tally.HIGHEST_MICROS, 3);
    /** Every count, guarded by its own monitor (the scheduler and the selector thread both count). */
    private final Tally tally = new Tally(latency, service);
    /** No request is sent once this is set (stopped, abandoned or at the time bound). */
    private final AtomicBoolean halt = new AtomicBoolean();
    private final AtomicBoolean abandoned = new AtomicBoolean();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicLong sentSoFar = new AtomicLong();
    private final Selector selector;
    private final Thread scheduler;
    private final Thread loop;
    private volatile boolean closing;
    /** Set while the scheduler waits for a connection to come free: the selector thread then unparks it. */
    private volatile boolean schedulerWaiting;

    // The pool, guarded by `pool`: idle connections by address (most recently used first), and how many are open.
    private final Object pool = new Object();
    private final Map<InetSocketAddress, ArrayDeque<Conn>> idle = new HashMap<>();
    private final Set<Conn> open = new HashSet<>();
    private int idleCount;
    /** Slots taken for connections being opened (so the scheduler and a retry never open more than allowed). */
    private int reserved;
    /** Connections opened by the scheduler whose registration the selector thread must finish. */
    private final ConcurrentLinkedQueue<Conn> toRegister = new ConcurrentLinkedQueue<>();

    // The scheduler's own: the encoded form of the requests it saw last (callers reuse request objects).
    private final IdentityHashMap<HttpRequest, Encoded> encodedCache = new IdentityHashMap<>();
    private final Map<String, InetSocketAddress> addresses = new HashMap<>();
    private Result result;

    private Running(Settings s, LongFunction<HttpRequest> requests) {
      this.s = s;
      this.requests = requests;
      this.total = s.total();
      try {
        this.selector = Selector.open();
      } catch (IOException e) {
        throw new UncheckedIOException("load: cannot open a selector", e);
      }
      // Start a little in the future so both threads run before the first request is due.
      this.start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(20);
      this.cpuBefore = cpu.processCpuMs();
      scheduler = new Thread(this::schedule, "load-scheduler");
      loop = new Thread(this::selectLoop, "load-selector");
      for (Thread th : List.of(loop, scheduler)) {
        th.setDaemon(true);
        th.start();
      }
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
      LockSupport.unpark(scheduler); // parked until a later request's time
    }

    /**
     * Blocks until the schedule is over and every request sent was answered or failed, bounded by the schedule's
     * length plus {@link Settings#maxBehind()} plus the request timeout (four times with stale retries) plus 5 s; at
     * that bound the run is abandoned and the requests still in flight count as unanswered.
     *
     * @return what the run measured (the same result on every call)
     * @throws InterruptedException when interrupted (the run is stopped first)
     */
    public synchronized Result await() throws InterruptedException {
      if (result != null) {
        return result;
      }
      long deadlineNanos = start + s.duration().toNanos() + s.maxBehind().toNanos()
          + s.timeout().toNanos() * (s.staleRetry() != StaleRetry.NEVER ? 1 + MAX_STALE_RETRIES : 1)
          + TimeUnit.SECONDS.toNanos(5);
      try {
        long left = deadlineNanos - System.nanoTime();
        if (left > 0) {
          TimeUnit.NANOSECONDS.timedJoin(scheduler, left);
        }
        synchronized (inFlight) {
          while (inFlight.get() > 0 && (left = deadlineNanos - System.nanoTime()) > 0) {
            TimeUnit.NANOSECONDS.timedWait(inFlight, left);
          }
        }
        if (scheduler.isAlive() || inFlight.get() > 0) {
          abandoned.set(true);
        }
      } finally {
        halt();
      }
      result = result();
      return result;
    }

    /** Stops the schedule and the selector thread, and closes every connection. */
    private void halt() throws InterruptedException {
      halt.set(true);
      closing = true;
      scheduler.interrupt();
      selector.wakeup();
      scheduler.join(TimeUnit.SECONDS.toMillis(1));
      loop.join(TimeUnit.SECONDS.toMillis(1));
    }

    private Result result() {
      double wall = (System.nanoTime() - start) / 1e9;
      double cpuMs = cpu.processCpuMs() - cpuBefore;
      Tally sum = new Tally(latency, service);
      synchronized (tally) {
        Tally x = tally;
        x.closed = true; // an answer after this is not counted
        sum.sent = x.sent;
        sum.ok = x.ok;
        // Still pending at the end (past the time bound): sent, never answered.
        sum.errors = x.errors + x.pending;
        sum.unanswered = x.unanswered + x.pending;
        sum.timeouts = x.timeouts;
        sum.retried = x.retried;
        sum.skipped = x.skipped;
        sum.rateLimited = x.rateLimited;
        sum.cacheHits = x.cacheHits;
        sum.cacheMisses = x.cacheMisses;
        sum.busyDue = x.busyDue;
        sum.statuses.putAll(x.statuses);
        sum.instances.putAll(x.instances);
        x.failures.forEach(sum::note);
        if (x.pending > 0) {
          sum.note(x.pending + " request(s) still in flight at the time bound");
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

    /** Stops the schedule, closes the connections; a result not awaited yet is lost. */
    @Override
    public void close() {
      try {
        halt();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    // ---- the scheduler thread ----

    /**
     * Waits until request {@code i} is due; returns the time it woke, or -1 when the run halted meanwhile. A wait
     * records how late the scheduler woke (the generator's own lag).
     */
    private long awaitDue(long intended) {
      long now = System.nanoTime();
      if (now >= intended) {
        return now;
      }
      while (now < intended) {
        LockSupport.parkNanos(intended - now);
        if (halt.get()) {
          return -1;
        }
        now = System.nanoTime();
      }
      late.recordValue(Tally.micros(now - intended));
      return now;
    }

    /**
     * The schedule: sends each request at its due time on a free connection (opening one while fewer than
     * {@code senders} are open); when every connection is busy, waits for one at most until {@code maxBehind} after
     * the due time, then {@code whenBehind} applies. It never waits for an answer: the selector thread reads them.
     */
    private void schedule() {
      double periodNanos = 1e9 / s.rate();
      long maxBehindNanos = s.maxBehind().toNanos();
      try {
        for (long i = 0; i < total && !halt.get(); i++) {
          long intended = start + (long) (i * periodNanos);
          if (awaitDue(intended) < 0) {
            return;
          }
          HttpRequest request = requests.apply(i);
          Encoded e = encode(request);
          Conn c = acquire(e.address());
          if (c == NO_CONNECTION) {
            synchronized (tally) {
              tally.busyDue++;
            }
            c = awaitConnection(e.address(), intended + maxBehindNanos);
            if (c == NO_CONNECTION) {
              if (halt.get()) {
                return;
              }
              if (s.whenBehind() == WhenBehind.SKIP) {
                synchronized (tally) {
                  tally.skipped++;
                }
                continue;
              }
              // The server (or this machine) cannot keep up: stop instead of running on for ever; the rest is unsent.
              abandoned.set(true);
              halt.set(true);
              return;
            }
          }
          Exchange ex = new Exchange(request, e, intended);
          synchronized (tally) {
            tally.sent++;
            tally.pending++;
          }
          sentSoFar.incrementAndGet();
          inFlight.incrementAndGet();
          send(c, ex);
        }
      } catch (RuntimeException | Error e) {
        synchronized (tally) {
          tally.note("the scheduler failed: " + e);
        }
        abandoned.set(true);
        halt.set(true);
        throw e;
      }
    }

    /** Waits until a connection comes free (or may be opened), at most until {@code until}. */
    private Conn awaitConnection(InetSocketAddress address, long until) {
      Conn c = NO_CONNECTION;
      while (!halt.get()) {
        schedulerWaiting = true;
        c = acquire(address);
        if (c != NO_CONNECTION) {
          break;
        }
        long left = until - System.nanoTime();
        if (left <= 0) {
          break;
        }
        LockSupport.parkNanos(left);
      }
      schedulerWaiting = false;
      return c;
    }

    private Encoded encode(HttpRequest r) {
      Encoded e = encodedCache.get(r);
      if (e == null) {
        if (encodedCache.size() >= 256) {
          encodedCache.clear();
        }
        URI u = r.uri();
        String authority = u.getRawAuthority();
        InetSocketAddress address = addresses.computeIfAbsent(authority,
            a -> new InetSocketAddress(u.getHost(), u.getPort() < 0 ? 80 : u.getPort()));
        e = new Encoded(HttpWire.encode(r), address,
            r.timeout().orElse(s.timeout()).toNanos(), r.method().equals("HEAD"));
        encodedCache.put(r, e);
      }
      return e;
    }

    // ---- the pool (either thread) ----

    /**
     * Takes an idle connection to {@code address}, or a new one while fewer than {@code senders} are open (closing
     * an idle one to another address if that is what makes room); {@link #NO_CONNECTION} when all are busy.
     */
    private Conn acquire(InetSocketAddress address) {
      synchronized (pool) {
        ArrayDeque<Conn> q = idle.get(address);
        Conn c = q == null ? null : q.pollFirst();
        if (c != null) {
          idleCount--;
          return c;
        }
        if (open.size() + reserved >= s.senders()) {
          if (idleCount == 0) {
            return NO_CONNECTION;
          }
          for (ArrayDeque<Conn> other : idle.values()) {
            Conn victim = other.pollLast();
            if (victim != null) {
              idleCount--;
              closeLocked(victim);
              break;
            }
          }
        }
        reserved++;
        return null; // the caller opens one in the slot reserved here
      }
    }

    /** Sends {@code ex} on {@code c}, or on a new connection when {@code c} is null. */
    private void send(Conn c, Exchange ex) {
      if (c == null) {
        try {
          c = connect(ex.encoded.address());
        } catch (IOException e) {
          fail(null, ex, e);
          return;
        }
      }
      synchronized (pool) {
        c.exchange = ex;
        c.parser.reset(ex.encoded.head());
        ex.sentAt = System.nanoTime();
        ex.deadline = ex.sentAt + ex.encoded.timeoutNanos();
      }
      ByteBuffer b = ByteBuffer.wrap(ex.encoded.bytes());
      try {
        c.channel.write(b);
      } catch (IOException e) {
        fail(c, ex, e);
        return;
      }
      if (b.hasRemaining()) { // a large body, or a server that does not read: the selector thread writes the rest
        synchronized (pool) {
          c.unwritten = b;
        }
        toRegister.add(c);
        selector.wakeup();
      }
    }

    /** Opens a connection (blocking connect, bounded) and hands its registration to the selector thread. */
    private Conn connect(InetSocketAddress address) throws IOException {
      if (address.isUnresolved()) {
        synchronized (pool) {
          reserved--;
        }
        throw new UnknownHostException(address.getHostString());
      }
      SocketChannel ch;
      Conn c;
      try {
        ch = SocketChannel.open();
      } finally {
        synchronized (pool) {
          reserved--;
        }
      }
      c = new Conn(ch, address);
      synchronized (pool) {
        open.add(c);
      }
      try {
        ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
        ch.socket().connect(address, (int) Math.min(Integer.MAX_VALUE, Math.max(1, s.timeout().toMillis())));
        ch.configureBlocking(false);
      } catch (IOException e) {
        synchronized (pool) {
          closeLocked(c);
        }
        throw e;
      }
      toRegister.add(c);
      selector.wakeup();
      return c;
    }

    /** Closes {@code c} and forgets it; the caller holds the pool lock. */
    private void closeLocked(Conn c) {
      if (!c.closed) {
        c.closed = true;
        open.remove(c);
        try {
          c.channel.close();
        } catch (IOException ignored) {
          // closing: nothing left to do with it
        }
      }
    }

    /**
     * The answer to {@code ex} on {@code c} is complete: the connection goes back to the pool (or is closed when the
     * server said so) and the answer is counted. Does nothing when {@code ex} was already settled.
     */
    private void complete(Conn c, Exchange ex, boolean close) {
      // Read before the connection goes back: the scheduler may take it and reset its parser at once.
      ResponseParser p = c.parser;
      int status = p.status;
      String instance = p.instance;
      boolean rateLimit = p.rateLimit;
      String cache = p.cache;
      synchronized (pool) {
        if (c.exchange != ex) {
          return;
        }
        c.exchange = null;
        if (close || closing) {
          closeLocked(c);
        } else {
          c.reused = true;
          idle.computeIfAbsent(c.address, a -> new ArrayDeque<>()).addFirst(c);
          idleCount++;
        }
      }
      if (schedulerWaiting) {
        LockSupport.unpark(scheduler);
      }
      long end = System.nanoTime();
      synchronized (tally) {
        if (!tally.closed) {
          tally.pending--;
          tally.answered(status, instance, rateLimit, cache, ex.request, ex.intended, ex.sentAt, end);
        }
      }
      settled();
    }

    /**
     * {@code ex} failed on {@code c} (null: its connection could not be opened): the connection is closed; a
     * request that failed before any byte of an answer on a reused connection is sent again on a new one when the
     * settings allow it, else the failure is counted. Does nothing when {@code ex} was already settled.
     */
    private void fail(Conn c, Exchange ex, IOException failure) {
      boolean stale;
      boolean retry;
      synchronized (pool) {
        if (c != null) {
          if (c.exchange != ex) {
            return;
          }
          c.exchange = null;
          closeLocked(c);
        }
        stale = c != null && c.reused && c.parser.bytes == 0 && !(failure instanceof HttpTimeoutException);
        retry = stale && s.staleRetry().retries(ex.request) && ex.attempts < MAX_STALE_RETRIES && !closing;
        if (retry) {
          reserved++; // the retry's new connection takes the slot this one frees
        }
      }
      if (!retry && schedulerWaiting) {
        LockSupport.unpark(scheduler);
      }
      if (retry) {
        ex.attempts++;
        synchronized (tally) {
          tally.retried++;
        }
        // A new connection: after a reload every idle one may be stale too. It takes the slot just freed.
        send(null, ex);
        return;
      }
      long end = System.nanoTime();
      synchronized (tally) {
        if (!tally.closed) {
          tally.pending--;
          tally.unanswered(stale ? new IOException("stale connection: closed before any byte of the answer ("
              + failure.getMessage() + ")", failure) : failure, ex.request, ex.intended, end);
        }
      }
      settled();
    }

    private void settled() {
      if (inFlight.decrementAndGet() == 0) {
        synchronized (inFlight) {
          inFlight.notifyAll();
        }
      }
    }

    // ---- the selector thread ----

    /** Reads every answer as it arrives, writes what a socket did not take at once, and times requests out. */
    private void selectLoop() {
      ByteBuffer buffer = ByteBuffer.allocateDirect(64 * 1024);
      long nextScan = System.nanoTime() + TIMEOUT_SCAN_NANOS;
      try {
        while (!closing) {
          Conn c;
          while ((c = toRegister.poll()) != null) {
            register(c);
          }
          selector.select(key -> ready(key, buffer), 5);
          long now = System.nanoTime();
          if (now >= nextScan) {
            nextScan = now + TIMEOUT_SCAN_NANOS;
            timeOut(now);
          }
        }
      } catch (IOException | RuntimeException e) {
        synchronized (tally) {
          tally.note("the selector failed: " + e);
        }
      } finally {
        synchronized (pool) {
          for (Conn c : new ArrayList<>(open)) {
            closeLocked(c);
          }
        }
        try {
          selector.close();
        } catch (IOException ignored) {
          // the run is over
        }
      }
    }

    private void register(Conn c) {
      ByteBuffer unwritten;
      synchronized (pool) {
        if (c.closed) {
          return;
        }
        unwritten = c.unwritten;
      }
      try {
        if (c.key == null) {
          c.key = c.channel.register(selector, SelectionKey.OP_READ, c);
        }
        c.key.interestOps(SelectionKey.OP_READ | (unwritten != null ? SelectionKey.OP_WRITE : 0));
      } catch (IOException | CancelledKeyException e) {
        Exchange ex;
        synchronized (pool) {
          ex = c.exchange;
        }
        if (ex != null) {
          fail(c, ex, e instanceof IOException io ? io : new IOException(e));
        }
      }
    }

    private void ready(SelectionKey key, ByteBuffer buffer) {
      Conn c = (Conn) key.attachment();
      if (!key.isValid()) {
        return;
      }
      if (key.isWritable()) {
        writeRest(c);
      }
      if (key.isValid() && key.isReadable()) {
        read(c, buffer);
      }
    }

    private void writeRest(Conn c) {
      Exchange ex;
      ByteBuffer b;
      synchronized (pool) {
        ex = c.exchange;
        b = c.unwritten;
      }
      if (ex == null || b == null) {
        c.key.interestOps(SelectionKey.OP_READ);
        return;
      }
      try {
        c.channel.write(b);
      } catch (IOException e) {
        fail(c, ex, e);
        return;
      }
      if (!b.hasRemaining()) {
        synchronized (pool) {
          c.unwritten = null;
        }
        c.key.interestOps(SelectionKey.OP_READ);
      }
    }

    private void read(Conn c, ByteBuffer buffer) {
      Exchange ex;
      synchronized (pool) {
        ex = c.exchange;
      }
      while (true) {
        buffer.clear();
        int n;
        try {
          n = c.channel.read(buffer);
        } catch (IOException e) {
          if (ex != null) {
            fail(c, ex, e);
          } else {
            closedWhileIdle(c, e);
          }
          return;
        }
        if (n == 0) {
          return;
        }
        if (n < 0) {
          if (ex == null) {
            closedWhileIdle(c, new EOFException("connection closed by the server"));
          } else if (c.parser.endOfStream()) {
            complete(c, ex, true);
          } else {
            fail(c, ex, new EOFException(c.parser.bytes == 0 ? "connection closed before any byte of the answer"
                : "connection closed in the middle of the answer"));
          }
          return;
        }
        if (ex == null) { // bytes on an idle connection: only if it was just taken for a request
          synchronized (pool) {
            ex = c.exchange;
            if (ex == null) {
              removeIdleLocked(c);
              closeLocked(c); // a server that talks unasked cannot be trusted with the next request
              return;
            }
          }
        }
        buffer.flip();
        try {
          if (c.parser.feed(buffer)) {
            complete(c, ex, c.parser.close || buffer.hasRemaining());
            return;
          }
        } catch (IOException e) {
          fail(c, ex, e);
          return;
        }
        if (n < buffer.capacity()) {
          return;
        }
      }
    }

    /** The server closed an idle connection (nginx does on reload, and at its keep-alive timeout). */
    private void closedWhileIdle(Conn c, IOException why) {
      Exchange ex;
      synchronized (pool) {
        ex = c.exchange;
        if (ex == null) {
          removeIdleLocked(c);
          closeLocked(c);
          return;
        }
      }
      // Taken for a request in the meantime: that request meets a stale connection.
      fail(c, ex, why);
    }

    private void removeIdleLocked(Conn c) {
      ArrayDeque<Conn> q = idle.get(c.address);
      if (q != null && q.remove(c)) {
        idleCount--;
      }
    }

    private void timeOut(long now) {
      List<Conn> late = null;
      synchronized (pool) {
        for (Conn c : open) {
          if (c.exchange != null && now - c.exchange.deadline > 0) {
            (late = late == null ? new ArrayList<>() : late).add(c);
          }
        }
      }
      if (late != null) {
        for (Conn c : late) {
          Exchange ex;
          synchronized (pool) {
            ex = c.exchange;
          }
          if (ex != null) {
            fail(c, ex, new HttpTimeoutException("request timed out"));
          }
        }
      }
    }
  }

  private static double ms(Histogram h, double percentile) {
    return h.getTotalCount() == 0 ? 0 : h.getValueAtPercentile(percentile) / 1000.0;
  }
}
