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
 * Publishes a session store's activity to Micrometer. Meters, all tagged {@code store=<name>} and nothing
 * identifying a user or session:
 * <ul>
 *   <li>{@code vtp.session.operations} (timer) tagged {@code operation} ({@code create}, {@code find},
 *       {@code update}, {@code rotate}, {@code delete}, {@code find_all_for_user}, {@code delete_all_for_user})
 *       and {@code outcome} ({@code success}, {@code miss}, {@code conflict}, {@code error});</li>
 *   <li>{@code vtp.session.update.conflicts} (counter): update attempts that lost to a concurrent writer;</li>
 *   <li>{@code vtp.session.corrupt} (counter): unreadable records deleted;</li>
 *   <li>{@code vtp.session.evictions} (counter): sessions ended because a user reached the maximum.</li>
 * </ul>
 *
 * <pre>{@code
 * MicrometerSessionListener metrics = MicrometerSessionListener.create(registry, "web");
 * SessionStore store = RedisSessionStore.builder(redis).name("web").listener(metrics).build();
 * // on shutdown: metrics.close();
 * }</pre>
 *
 * <p>All meters are registered up front, so dashboards see zeros rather than gaps. Thread-safe. {@link #close()}
 * removes the meters from the registry.
 */
public final class MicrometerSessionListener implements SessionStoreListener, AutoCloseable {
  private final MeterRegistry registry;
  private final Map<Operation, Map<Outcome, Timer>> timers = new EnumMap<>(Operation.class);
  private final Counter conflicts;
  private final Counter corrupt;
  private final Counter evictions;
  private final List<Meter> meters = new ArrayList<>();

  private MicrometerSessionListener(MeterRegistry registry, String storeName) {
    this.registry = registry;
    Tags store = Tags.of("store", storeName);
    for (Operation op : Operation.values()) {
      Map<Outcome, Timer> byOutcome = new EnumMap<>(Outcome.class);
      for (Outcome outcome : Outcome.values()) {
        Timer t = Timer.builder("vtp.session.operations")
            .description("Session store operations, by operation and outcome")
            .tags(store.and("operation", op.tagValue(), "outcome", outcome.tagValue()))
            .register(registry);
        byOutcome.put(outcome, t);
        meters.add(t);
      }
      timers.put(op, byOutcome);
    }
    conflicts = counter("vtp.session.update.conflicts", "Update attempts that lost to a concurrent writer", store);
    corrupt = counter("vtp.session.corrupt", "Unreadable session records deleted", store);
    evictions = counter("vtp.session.evictions", "Sessions ended because their user reached the maximum", store);
  }

  /**
   * Creates the listener and registers its meters.
   *
   * @param registry the registry the application owns
   * @param storeName the store's name, used as the {@code store} tag (same as the store's builder name)
   * @return the listener, to pass to {@code RedisSessionStore.Builder.listener}
   * @throws NullPointerException when an argument is {@code null}
   */
  public static MicrometerSessionListener create(MeterRegistry registry, String storeName) {
    return new MicrometerSessionListener(Objects.requireNonNull(registry, "registry"),
        Objects.requireNonNull(storeName, "storeName"));
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

  /** Removes this listener's meters from the registry. */
  @Override
  public void close() {
    meters.forEach(registry::remove);
  }
}
