package io.vtp.health;

import io.vtp.health.internal.DefaultHealthRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

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

  /**
   * Returns whether {@link #startDraining()} was called.
   *
   * @return whether {@link #startDraining()} was called
   */
  boolean isDraining();

  /**
   * Adds a listener told about every check run.
   *
   * @param listener the listener; not {@code null}
   * @return a handle whose {@code close()} removes the listener; never {@code null}
   * @throws NullPointerException when {@code listener} is {@code null}
   */
  AutoCloseable addListener(HealthListener listener);

  /**
   * Returns the registered checks' names, in registration order.
   *
   * @return the registered checks' names, in registration order; never {@code null}
   */
  List<String> checkNames();

  /** Stops the background runs and the check threads. Idempotent. */
  @Override
  void close();

  /**
   * Returns a builder with the documented defaults.
   *
   * @return a new builder; never {@code null}
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
   * <p>The same way as every VTP Scale builder: setters only store the value (and reject {@code null} with a
   * {@link NullPointerException} naming the parameter); {@link #build()} checks every value and throws an
   * {@link IllegalArgumentException} in the form {@code health registry '<instance id>': <field> must <rule> but
   * was <value>}, e.g. {@code health registry 'backend-1': interval must be > 0 but was PT0S}; a bad check name
   * reads {@code health check '<name>': name must be 1 to 64 characters of [A-Za-z0-9._-] but was '<name>'}.
   *
   * <p>Not thread-safe: configure it on one thread and build once; the registry is thread-safe.
   */
  final class Builder {
    private static final String COMPONENT = "health registry";

    private String instanceId;
    private Clock clock = Clock.systemUTC();
    private Duration interval = Duration.ofSeconds(2);
    private Duration defaultTimeout = Duration.ofSeconds(1);
    private int failureThreshold = 2;
    private int successThreshold = 2;
    /** In registration order; a {@code null} timeout means the default. Names are checked by {@link #build()}. */
    private final List<Map.Entry<HealthCheck, Duration>> checks = new ArrayList<>();
    private final List<HealthListener> listeners = new ArrayList<>();

    Builder() {}

    /**
     * Sets the instance id reported in every answer.
     *
     * @param instanceId e.g. {@code backend-1}; non-blank, checked by {@link #build()}
     * @return this builder
     * @throws NullPointerException when {@code instanceId} is {@code null}
     */
    public Builder instanceId(String instanceId) {
      this.instanceId = Objects.requireNonNull(instanceId, "instanceId");
      return this;
    }

    /**
     * Sets the clock for report timestamps and check times.
     *
     * @param clock the clock; never {@code null}
     * @return this builder
     * @throws NullPointerException when {@code clock} is {@code null}
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
     * @throws NullPointerException when {@code interval} is {@code null}
     */
    public Builder interval(Duration interval) {
      this.interval = Objects.requireNonNull(interval, "interval");
      return this;
    }

    /**
     * Sets the timeout for checks registered without one.
     *
     * @param timeout positive
     * @return this builder
     * @throws NullPointerException when {@code timeout} is {@code null}
     */
    public Builder timeout(Duration timeout) {
      this.defaultTimeout = Objects.requireNonNull(timeout, "timeout");
      return this;
    }

    /**
     * Sets how many consecutive failures turn a passing check to {@code fail}.
     *
     * @param failures at least 1
     * @return this builder
     */
    public Builder failureThreshold(int failures) {
      this.failureThreshold = failures;
      return this;
    }

    /**
     * Sets how many consecutive successes turn a failed check back to passing.
     *
     * @param successes at least 1
     * @return this builder
     */
    public Builder successThreshold(int successes) {
      this.successThreshold = successes;
      return this;
    }

    /**
     * Registers a check with the default timeout.
     *
     * @param check the check; its name must be unique and 1 to 64 characters of {@code [A-Za-z0-9._-]}, checked
     *     by {@link #build()}
     * @return this builder
     * @throws NullPointerException when {@code check} is {@code null}
     */
    public Builder register(HealthCheck check) {
      return register(check, null);
    }

    /**
     * Registers a check with its own timeout.
     *
     * @param check the check; its name must be unique and 1 to 64 characters of {@code [A-Za-z0-9._-]}, checked
     *     by {@link #build()}
     * @param timeout positive, or {@code null} for the default
     * @return this builder
     * @throws NullPointerException when {@code check} is {@code null}
     */
    public Builder register(HealthCheck check, Duration timeout) {
      checks.add(new AbstractMap.SimpleImmutableEntry<>(Objects.requireNonNull(check, "check"), timeout));
      return this;
    }

    /**
     * Adds a listener told about every check run.
     *
     * @param listener the listener; never {@code null}
     * @return this builder
     * @throws NullPointerException when {@code listener} is {@code null}
     */
    public Builder listener(HealthListener listener) {
      listeners.add(Objects.requireNonNull(listener, "listener"));
      return this;
    }

    /**
     * Checks every setting and builds the registry; call {@link HealthRegistry#start()} on it.
     *
     * @return a new, not yet started registry; never {@code null}
     * @throws NullPointerException when a registered check's name is {@code null}
     * @throws IllegalArgumentException when a value breaks its rule, a check name is invalid or registered twice,
     *     in the form described on this class
     */
    public HealthRegistry build() {
      String id = instanceId != null ? instanceId : defaultInstanceId();
      if (id.isBlank()) {
        throw invalid(id, "instanceId", "not be blank", "'" + id + "'");
      }
      positive(id, "interval", interval);
      positive(id, "timeout", defaultTimeout);
      atLeastOne(id, "failureThreshold", failureThreshold);
      atLeastOne(id, "successThreshold", successThreshold);
      Map<String, HealthCheck> byName = new LinkedHashMap<>();
      Map<String, Duration> resolved = new LinkedHashMap<>();
      for (Map.Entry<HealthCheck, Duration> e : checks) {
        String name = CheckNames.check(e.getKey().name());
        if (byName.putIfAbsent(name, e.getKey()) != null) {
          throw new IllegalArgumentException(COMPONENT + " '" + id + "': check names must be unique but '" + name
              + "' is registered twice");
        }
        Duration timeout = e.getValue();
        if (timeout != null) {
          positive(id, "timeout of check '" + name + "'", timeout);
        }
        resolved.put(name, timeout != null ? timeout : defaultTimeout);
      }
      return new DefaultHealthRegistry(id, clock, interval, failureThreshold, successThreshold,
          List.copyOf(byName.values()), resolved, listeners);
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

    private static void positive(String id, String field, Duration d) {
      if (d.isNegative() || d.isZero()) {
        throw invalid(id, field, "be > 0", d);
      }
    }

    private static void atLeastOne(String id, String field, int n) {
      if (n < 1) {
        throw invalid(id, field, "be >= 1", n);
      }
    }

    private static IllegalArgumentException invalid(String id, String field, String rule, Object value) {
      return new IllegalArgumentException(COMPONENT + " '" + id + "': " + field + " must " + rule + " but was "
          + value);
    }
  }
}
