package io.vtp.health;

/**
 * Told about every check run, on the registry's check thread. Must be fast and must not throw; a listener that
 * throws is logged and otherwise ignored, and never changes a check's result.
 */
@FunctionalInterface
public interface HealthListener {
  /**
   * Called after each run of a check.
   *
   * @param previous the check's result before this run; {@code null} on its first run
   * @param current the check's result after this run; never {@code null}
   */
  void onResult(CheckResult previous, CheckResult current);
}
