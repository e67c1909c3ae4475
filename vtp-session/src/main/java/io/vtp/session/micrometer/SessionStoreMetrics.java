package io.vtp.session.micrometer;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.vtp.session.SessionStoreListener;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Publishes one session store's activity to Micrometer. Meters, all tagged {@code name=<store name>} and nothing
 * identifying a user or session:
 * <ul>
 *   <li>{@code vtp.session.operations} (timer) tagged {@code operation} ({@code create}, {@code find},
 *       {@code update}, {@code rotate}, {@code delete}, {@code find_all_for_user}, {@code delete_all_for_user})
 *       and {@code outcome} ({@code success}, {@code miss}, {@code conflict}, {@code error});</li>
 *   <li>{@code vtp.session.update.conflicts} (counter): update attempts that lost to a concurrent writer;</li>
 *   <li>{@code vtp.session.corrupt} (counter): unreadable records deleted;</li>
 *   <li>{@code vtp.session.evictions} (counter): sessions ended because a user reached the maximum;</li>
 *   <li>{@code vtp.session.not.replicated} (counter): guarded writes applied on the master that too few replicas
 *       confirmed in time (only with {@code replicaAcknowledgement}; each also counts as an {@code error}).</li>
 * </ul>
 *
 * <pre>{@code
 * SessionStoreMetrics metrics = SessionStoreMetrics.create(registry, "web");
 * SessionStore store = RedisSessionStore.builder(redis).name("web").listener(metrics).build();
 * // on shutdown: metrics.close();
 * }</pre>
 *
 * <p>All meters are registered by {@link #create}, so dashboards see zeros rather than gaps. Use one instance per
 * store. Thread-safe. {@link #close()} removes the meters from the registry.
 */
public final class SessionStoreMetrics implements SessionStoreListener, AutoCloseable {
  private final MeterRegistry registry;
  private final Map<Operation, Map<Outcome, Timer>> timers = new EnumMap<>(Operation.class);
  private final Counter conflicts;
  private final Counter corrupt;
  private final Counter evictions;
  private final Counter notReplicated;
  private final List<Meter> meters = new ArrayList<>();

  private SessionStoreMetrics(MeterRegistry registry, String name) {
    this.registry = registry;
    Tags tags = Tags.of("name", name);
    for (Operation op : Operation.values()) {
      Map<Outcome, Timer> byOutcome = new EnumMap<>(Outcome.class);
      for (Outcome outcome : Outcome.values()) {
        Timer t = Timer.builder("vtp.session.operations")
            .description("Session store operations, by operation and outcome")
            .tags(tags.and("operation", op.tagValue(), "outcome", outcome.tagValue()))
            .register(registry);
        byOutcome.put(outcome, t);
        meters.add(t);
      }
      timers.put(op, byOutcome);
    }
    conflicts = counter("vtp.session.update.conflicts", "Update attempts that lost to a concurrent writer", tags);
    corrupt = counter("vtp.session.corrupt", "Unreadable session records deleted", tags);
    evictions = counter("vtp.session.evictions", "Sessions ended because their user reached the maximum", tags);
    notReplicated = counter("vtp.session.not.replicated",
        "Writes applied on the master that too few replicas confirmed in time", tags);
  }

  /**
   * Creates the metrics and registers all their meters.
   *
   * @param registry the registry the application owns; not {@code null}
   * @param name the store's name, the {@code name} tag of every meter (use the store's builder name); not
   *     {@code null} or blank
   * @return the listener to pass to {@code RedisSessionStore.Builder.listener}; never {@code null}
   * @throws NullPointerException when {@code registry} or {@code name} is {@code null}
   * @throws IllegalArgumentException when {@code name} is blank
   */
  public static SessionStoreMetrics create(MeterRegistry registry, String name) {
    Objects.requireNonNull(registry, "registry");
    Objects.requireNonNull(name, "name");
    if (name.isBlank()) {
      throw new IllegalArgumentException("session store metrics: name must not be blank but was '" + name + "'");
    }
    return new SessionStoreMetrics(registry, name);
  }

  private Counter counter(String name, String description, Tags tags) {
    Counter c = Counter.builder(name).description(description).tags(tags).register(registry);
    meters.add(c);
    return c;
  }

  @Override
  public void onOperation(Operation operation, Outcome outcome, Duration elapsed) {
    timers.get(operation).get(outcome).record(elapsed);
  }

  @Override
  public void onUpdateConflict() {
    conflicts.increment();
  }

  @Override
  public void onCorruptRecord() {
    corrupt.increment();
  }

  @Override
  public void onEvicted(int count) {
    evictions.increment(count);
  }

  @Override
  public void onNotReplicated(Operation operation, int acknowledged) {
    notReplicated.increment();
  }

  /** Removes every meter this instance registered from the registry. Idempotent. */
  @Override
  public void close() {
    meters.forEach(registry::remove);
  }
}
