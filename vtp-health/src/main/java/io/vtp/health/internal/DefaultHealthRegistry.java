package io.vtp.health.internal;

import io.vtp.health.CheckOutcome;
import io.vtp.health.CheckResult;
import io.vtp.health.Criticality;
import io.vtp.health.HealthCheck;
import io.vtp.health.HealthListener;
import io.vtp.health.HealthRegistry;
import io.vtp.health.HealthReport;
import io.vtp.health.HealthStatus;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The {@link HealthRegistry} implementation; see the interface for the contract. Thread-safe. */
public final class DefaultHealthRegistry implements HealthRegistry {
  private static final Logger LOG = LoggerFactory.getLogger(HealthRegistry.class);
  private static final long NOT_RUNNING = -1;

  private final String instanceId;
  private final Clock clock;
  private final Duration interval;
  private final int failureThreshold;
  private final int successThreshold;
  private final List<HealthCheck> checks;
  private final Map<String, Duration> timeouts;
  private final List<HealthListener> listeners;
  /** Per check: System.nanoTime() when its running call started, or NOT_RUNNING. */
  private final Map<String, AtomicLong> runningSince = new LinkedHashMap<>();
  private final ExecutorService checkPool;
  private final ScheduledExecutorService scheduler;
  private final Object roundLock = new Object();

  private volatile Map<String, CheckResult> snapshot = Map.of();
  private volatile boolean draining;
  private volatile boolean started;
  private volatile boolean closed;

  /**
   * Creates a registry; use {@link HealthRegistry#builder()}.
   *
   * @param instanceId the instance id
   * @param clock the clock for report times
   * @param interval background interval
   * @param failureThreshold consecutive failures to go down
   * @param successThreshold consecutive successes to come back
   * @param checks the checks
   * @param timeouts each check's timeout, by name
   * @param listeners initial listeners
   */
  public DefaultHealthRegistry(String instanceId, Clock clock, Duration interval, int failureThreshold,
      int successThreshold, List<HealthCheck> checks, Map<String, Duration> timeouts, List<HealthListener> listeners) {
    this.instanceId = instanceId;
    this.clock = clock;
    this.interval = interval;
    this.failureThreshold = failureThreshold;
    this.successThreshold = successThreshold;
    this.checks = List.copyOf(checks);
    this.timeouts = Map.copyOf(timeouts);
    this.listeners = new CopyOnWriteArrayList<>(listeners);
    this.checks.forEach(c -> runningSince.put(c.name(), new AtomicLong(NOT_RUNNING)));
    // At most one call per check is ever in flight, so one thread per check always suffices.
    int threads = Math.max(1, this.checks.size());
    this.checkPool = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
        daemonThreads("vtp-health-" + instanceId + "-check-"));
    ((ThreadPoolExecutor) checkPool).allowCoreThreadTimeOut(true);
    this.scheduler = Executors.newSingleThreadScheduledExecutor(daemonThreads("vtp-health-" + instanceId + "-timer-"));
  }

  @Override
  public void start() {
    ensureOpen();
    synchronized (this) {
      if (started) {
        return;
      }
      started = true;
    }
    refresh();
    long millis = interval.toMillis();
    scheduler.scheduleWithFixedDelay(this::backgroundRound, millis, millis, TimeUnit.MILLISECONDS);
  }

  private void backgroundRound() {
    try {
      round();
    } catch (RuntimeException e) {
      // Never let the schedule die: a dead schedule would freeze the snapshot in its last state.
      LOG.error("health instance={}: check round failed: {}", instanceId, e.toString(), e);
    }
  }

  @Override
  public void refresh() {
    ensureOpen();
    round();
  }

  private void round() {
    synchronized (roundLock) {
      if (closed) {
        return;
      }
      long roundStart = System.nanoTime();
      Instant startedAt = clock.instant();
      Map<String, Future<Observation>> futures = new LinkedHashMap<>();
      Map<String, Observation> observations = new LinkedHashMap<>();
      for (HealthCheck check : checks) {
        AtomicLong since = runningSince.get(check.name());
        long previousStart = since.get();
        if (previousStart != NOT_RUNNING || !since.compareAndSet(NOT_RUNNING, roundStart)) {
          long stuck = System.nanoTime() - previousStart;
          observations.put(check.name(), new Observation(CheckOutcome.fail("previous check still running after "
              + TimeUnit.NANOSECONDS.toMillis(stuck) + " ms"), Duration.ofNanos(stuck)));
          continue;
        }
        futures.put(check.name(), checkPool.submit(() -> runOne(check, since)));
      }
      for (Map.Entry<String, Future<Observation>> e : futures.entrySet()) {
        Duration timeout = timeouts.get(e.getKey());
        long remaining = timeout.toNanos() - (System.nanoTime() - roundStart);
        try {
          observations.put(e.getKey(), e.getValue().get(Math.max(0, remaining), TimeUnit.NANOSECONDS));
        } catch (TimeoutException te) {
          e.getValue().cancel(true);
          observations.put(e.getKey(), new Observation(
              CheckOutcome.fail("timed out after " + timeout.toMillis() + " ms"), timeout));
        } catch (ExecutionException ee) {
          observations.put(e.getKey(), new Observation(CheckOutcome.fail(describe(ee.getCause())),
              Duration.ofNanos(System.nanoTime() - roundStart)));
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          return;
        }
      }
      publish(startedAt, observations);
    }
  }

  private Observation runOne(HealthCheck check, AtomicLong since) {
    long t0 = System.nanoTime();
    try {
      CheckOutcome outcome = check.check();
      if (outcome == null) {
        outcome = CheckOutcome.fail("check returned no outcome");
      }
      return new Observation(outcome, Duration.ofNanos(System.nanoTime() - t0));
    } catch (Exception e) {
      // A check that throws is a failure with its message, never a pass.
      return new Observation(CheckOutcome.fail(describe(e)), Duration.ofNanos(System.nanoTime() - t0));
    } finally {
      since.set(NOT_RUNNING);
    }
  }

  private void publish(Instant startedAt, Map<String, Observation> observations) {
    Map<String, CheckResult> previous = snapshot;
    Map<String, CheckResult> next = new LinkedHashMap<>();
    for (HealthCheck check : checks) {
      Observation obs = observations.get(check.name());
      CheckResult prev = previous.get(check.name());
      CheckResult current = apply(check, prev, obs, startedAt);
      next.put(check.name(), current);
      if (prev == null || prev.status() != current.status()) {
        if (current.status() == HealthStatus.FAIL) {
          LOG.warn("health instance={} check={} is now {}: {}", instanceId, check.name(), current.status().ietf(),
              current.message());
        } else {
          LOG.info("health instance={} check={} is now {}", instanceId, check.name(), current.status().ietf());
        }
      }
      for (HealthListener listener : listeners) {
        try {
          listener.onResult(prev, current);
        } catch (RuntimeException e) {
          LOG.warn("health instance={}: listener {} threw on check {}: {}", instanceId, listener, check.name(),
              e.toString());
        }
      }
    }
    snapshot = Collections.unmodifiableMap(next);
  }

  CheckResult apply(HealthCheck check, CheckResult prev, Observation obs, Instant time) {
    HealthStatus observed = obs.outcome.status();
    int failures;
    int successes;
    HealthStatus status;
    if (observed == HealthStatus.FAIL) {
      failures = prev == null ? 1 : prev.consecutiveFailures() + 1;
      successes = 0;
      boolean wasFailed = prev == null || prev.status() == HealthStatus.FAIL;
      status = wasFailed || failures >= failureThreshold ? HealthStatus.FAIL : prev.status();
    } else {
      successes = prev == null ? 1 : prev.consecutiveSuccesses() + 1;
      failures = 0;
      boolean wasFailed = prev != null && prev.status() == HealthStatus.FAIL;
      status = !wasFailed || successes >= successThreshold ? observed : HealthStatus.FAIL;
    }
    return new CheckResult(check.name(), check.criticality(), check.componentType(), status, observed,
        obs.outcome.message(), obs.latency, time, failures, successes, check.unhealthyReason(),
        obs.outcome.details());
  }

  @Override
  public HealthReport liveness() {
    return new HealthReport(HealthReport.View.LIVENESS, HealthStatus.PASS, instanceId, clock.instant(), draining,
        null, List.of());
  }

  @Override
  public HealthReport readiness() {
    return build(HealthReport.View.READINESS);
  }

  @Override
  public HealthReport report() {
    return build(HealthReport.View.FULL);
  }

  private HealthReport build(HealthReport.View view) {
    Map<String, CheckResult> current = snapshot;
    List<CheckResult> results = new ArrayList<>(current.values());
    HealthStatus status = HealthStatus.PASS;
    Set<String> reasons = new LinkedHashSet<>();
    if (draining) {
      status = HealthStatus.FAIL;
      reasons.add("draining");
    }
    if (current.isEmpty() && !checks.isEmpty()) {
      status = HealthStatus.FAIL;
      reasons.add("starting: checks have not run yet");
    }
    for (CheckResult r : results) {
      if (r.status() == HealthStatus.FAIL && r.criticality() == Criticality.CRITICAL) {
        status = HealthStatus.FAIL;
        reasons.add(r.unhealthyReason());
      } else if (r.status() != HealthStatus.PASS) {
        status = status.worst(HealthStatus.WARN);
      }
    }
    String reason = status == HealthStatus.FAIL ? String.join(", ", reasons) : null;
    return new HealthReport(view, status, instanceId, clock.instant(), draining, reason, results);
  }

  @Override
  public void startDraining() {
    if (!draining) {
      draining = true;
      LOG.info("health instance={}: draining, readiness now fails", instanceId);
    }
  }

  @Override
  public boolean isDraining() {
    return draining;
  }

  @Override
  public AutoCloseable addListener(HealthListener listener) {
    java.util.Objects.requireNonNull(listener, "listener");
    listeners.add(listener);
    return () -> listeners.remove(listener);
  }

  @Override
  public List<String> checkNames() {
    return checks.stream().map(HealthCheck::name).toList();
  }

  @Override
  public void close() {
    closed = true;
    scheduler.shutdownNow();
    checkPool.shutdownNow();
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("health registry '" + instanceId + "' is closed");
    }
  }

  static String describe(Throwable t) {
    String message = t.getMessage();
    String type = t.getClass().getSimpleName();
    return message == null || message.isBlank() ? type : type + ": " + message;
  }

  private static ThreadFactory daemonThreads(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  @Override
  public String toString() {
    return "HealthRegistry[instance=" + instanceId + ", checks=" + checkNames() + "]";
  }

  /** One run's outcome and how long it took. */
  record Observation(CheckOutcome outcome, Duration latency) {}
}
