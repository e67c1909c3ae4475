package io.vtp.health;

/**
 * Told about every check run, for metrics. Every method has a default that does nothing, so an implementation
 * overrides only what it needs; {@link #noop()} returns one that ignores everything. The Micrometer
 * implementation is {@code io.vtp.health.micrometer.HealthMetrics}.
 *
 * <p>Called on the registry's check thread, one call at a time per registry; an implementation shared by several
 * registries must be thread-safe. Must be fast. A listener that throws is caught and logged with the registry's
 * instance id and the check's name; it never changes a check's result or stops the other listeners.
 */
public interface HealthListener {
  /**
   * Called after each run of a check.
   *
   * @param previous the check's result before this run; {@code null} on its first run
   * @param current the check's result after this run; never {@code null}
   */
  default void onResult(CheckResult previous, CheckResult current) {}

  /**
   * Returns the listener that ignores everything: one shared, stateless, thread-safe instance.
   *
   * @return the no-op listener; never {@code null}
   */
  static HealthListener noop() {
    return NoopHealthListener.INSTANCE;
  }
}

/** The no-op listener behind {@link HealthListener#noop()}. */
enum NoopHealthListener implements HealthListener {
  INSTANCE
}
