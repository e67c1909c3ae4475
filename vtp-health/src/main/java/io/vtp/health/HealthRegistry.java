package io.vtp.health;

import io.vtp.health.internal.DefaultHealthRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Runs health checks in the background and answers probes from a snapshot.
 *
 * <p>Every {@linkplain Builder#interval(Duration) interval} all checks run <em>in parallel</em> on the registry's
 * own small executor, each bounded by its own timeout; a check still hung from an earlier run is not started
 * again (it stays failed), so a hung dependency costs at most one thread per check. Results pass through
 * hysteresis: a passing check turns {@code fail} only after {@linkplain Builder#failureThreshold(int) N}
 * consecutive failures, and a failed one passes again only after {@linkplain Builder#successThreshold(int) M}
 * consecutive successes. The first run of a check is taken as it is.
 *
 * <p>{@link #liveness()}, {@link #readiness()} and {@link #report()} read the latest snapshot: they never call a
 * dependency, so a probe storm never reaches PostgreSQL or Redis.
 *
 * <p>Thread-safe. Create with {@link #builder()}, then {@link #start()}; {@link #close()} stops the threads.
 *
 * <pre>{@code
 * HealthRegistry health = HealthRegistry.builder()
 *     .instanceId("backend-1")
 *     .register(HealthChecks.postgres(dataSource))
 *     .register(HealthChecks.redis(jedis))
 *     .build();
 * health.start();
 * HealthReport ready = health.readiness();   // status code: ready.httpStatus()
 * }</pre>
 */
public interface HealthRegistry extends AutoCloseable {

  /**
   * Runs every check once now (in parallel, each bounded by its timeout), updates the snapshot, and schedules
   * the background runs. Returns after at most the longest check timeout. Idempotent.
   *
   * @throws IllegalStateException when the registry is closed
   */
  void start();

  /**
   * Runs every check once now and waits for the round, bounded by the longest timeout. Useful at start-up and
   * in tests; probes should use the snapshot instead.
   *
   * @throws IllegalStateException when the registry is closed
   */
  void refresh();

  /**
   * Returns the liveness report: {@code pass} while the process runs. Touches no dependency and ignores the
   * draining flag (a draining instance is alive).
   *
   * @return the report; never {@code null}
   */
  HealthReport liveness();

  /**
   * Returns the readiness report: {@code fail} (503) while draining, before the first round, or when a critical
   * check fails; {@code warn} when a non-critical check fails or a check warns; else {@code pass}. Reads the
   * snapshot only.
   *
   * @return the report; never {@code null}
   */
  HealthReport readiness();

  /**
   * Returns the full report: the readiness status with every check and its details. Reads the snapshot only.
   *
   * @return the report; never {@code null}
   */
  HealthReport report();

  /**
   * Flips readiness to failing at once, for graceful shutdown: the load balancer stops sending new requests
   * while in-flight ones finish. Irreversible for this registry.
   */
  void startDraining();

  /** Returns whether {@link #startDraining()} was called. */
  boolean isDraining();

  /**
   * Adds a listener told about every check run.
   *
   * @param listener the listener; never {@code null}
   * @return a handle whose {@code close()} removes the listener
   */
  AutoCloseable addListener(HealthListener listener);

  /** Returns the registered checks' names, in registration order. */
  List<String> checkNames();

  /** Stops the background runs and the check threads. Idempotent. */
  @Override
  void close();

  /**
   * Returns a builder with the documented defaults.
   *
   * @return a new builder
   */
  static Builder builder() {
    return new Builder();
  }

  /**
   * Configures a {@link HealthRegistry}. Defaults: instance id from {@code INSTANCE_ID} or the host name, system
   * UTC clock, interval 2 s, per-check timeout 1 s, failure threshold 2, success threshold 2. With these, a
   * dependency that goes down is reported within about 2 intervals plus a timeout (about 5 s), and one that
   * comes back within about 2 intervals.
   *
   * <p>Not thread-safe; build once.
   */
  final class Builder {
    private static final Pattern NAME = Pattern.compile("[a-z0-9_.-]{1,64}");

    private String instanceId;
    private Clock clock = Clock.systemUTC();
    private Duration interval = Duration.ofSeconds(2);
    private Duration defaultTimeout = Duration.ofSeconds(1);
    private int failureThreshold = 2;
    private int successThreshold = 2;
    private final Map<String, HealthCheck> checks = new LinkedHashMap<>();
    private final Map<String, Duration> timeouts = new LinkedHashMap<>();
    private final List<HealthListener> listeners = new ArrayList<>();

    Builder() {}

    /**
     * Sets the instance id reported in every answer.
     *
     * @param instanceId e.g. {@code backend-1}; non-blank
     * @return this builder
     */
    public Builder instanceId(String instanceId) {
      Objects.requireNonNull(instanceId, "instanceId");
      if (instanceId.isBlank()) {
        throw new IllegalArgumentException("health: instanceId must not be blank");
      }
      this.instanceId = instanceId;
      return this;
    }

    /**
     * Sets the clock for report timestamps and check times.
     *
     * @param clock the clock; never {@code null}
     * @return this builder
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Sets how often the checks run in the background.
     *
     * @param interval positive
     * @return this builder
     */
    public Builder interval(Duration interval) {
      this.interval = positive("interval", interval);
      return this;
    }

    /**
     * Sets the timeout for checks registered without one.
     *
     * @param timeout positive
     * @return this builder
     */
    public Builder timeout(Duration timeout) {
      this.defaultTimeout = positive("timeout", timeout);
      return this;
    }

    /**
     * Sets how many consecutive failures turn a passing check to {@code fail}.
     *
     * @param failures at least 1
     * @return this builder
     */
    public Builder failureThreshold(int failures) {
      this.failureThreshold = atLeastOne("failureThreshold", failures);
      return this;
    }

    /**
     * Sets how many consecutive successes turn a failed check back to passing.
     *
     * @param successes at least 1
     * @return this builder
     */
    public Builder successThreshold(int successes) {
      this.successThreshold = atLeastOne("successThreshold", successes);
      return this;
    }

    /**
     * Registers a check with the default timeout.
     *
     * @param check the check; its name must be unique and match {@code [a-z0-9_.-]{1,64}}
     * @return this builder
     */
    public Builder register(HealthCheck check) {
      return register(check, null);
    }

    /**
     * Registers a check with its own timeout.
     *
     * @param check the check; its name must be unique and match {@code [a-z0-9_.-]{1,64}}
     * @param timeout positive, or {@code null} for the default
     * @return this builder
     */
    public Builder register(HealthCheck check, Duration timeout) {
      Objects.requireNonNull(check, "check");
      String name = check.name();
      if (name == null || !NAME.matcher(name).matches()) {
        throw new IllegalArgumentException("health: check name must match [a-z0-9_.-]{1,64} but was " + name);
      }
      if (checks.containsKey(name)) {
        throw new IllegalArgumentException("health: check name must be unique but '" + name + "' is registered twice");
      }
      checks.put(name, check);
      if (timeout != null) {
        timeouts.put(name, positive("timeout of check '" + name + "'", timeout));
      }
      return this;
    }

    /**
     * Adds a listener told about every check run.
     *
     * @param listener the listener; never {@code null}
     * @return this builder
     */
    public Builder listener(HealthListener listener) {
      listeners.add(Objects.requireNonNull(listener, "listener"));
      return this;
    }

    /**
     * Builds the registry; call {@link HealthRegistry#start()} on it.
     *
     * @return a new, not yet started registry
     */
    public HealthRegistry build() {
      String id = instanceId != null ? instanceId : defaultInstanceId();
      Map<String, Duration> resolved = new LinkedHashMap<>();
      checks.keySet().forEach(n -> resolved.put(n, timeouts.getOrDefault(n, defaultTimeout)));
      return new DefaultHealthRegistry(id, clock, interval, failureThreshold, successThreshold,
          List.copyOf(checks.values()), resolved, listeners);
    }

    private static String defaultInstanceId() {
      String env = System.getenv("INSTANCE_ID");
      if (env != null && !env.isBlank()) {
        return env;
      }
      try {
        return java.net.InetAddress.getLocalHost().getHostName();
      } catch (java.net.UnknownHostException e) {
        return "unknown";
      }
    }

    private static Duration positive(String field, Duration d) {
      Objects.requireNonNull(d, field);
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException("health: " + field + " must be > 0 but was " + d);
      }
      return d;
    }

    private static int atLeastOne(String field, int n) {
      if (n < 1) {
        throw new IllegalArgumentException("health: " + field + " must be >= 1 but was " + n);
      }
      return n;
    }
  }
}
