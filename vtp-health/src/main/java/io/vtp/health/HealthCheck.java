package io.vtp.health;

import java.util.Objects;
import java.util.concurrent.Callable;

/**
 * One dependency check, run by a {@link HealthRegistry} in the background on its own thread with its own
 * timeout. A check that throws counts as a failure carrying the exception's message, never as a pass.
 *
 * <p>Implementations must be thread-safe: the registry never runs two calls of one check at once, but calls
 * come from different threads. A check should bound its own I/O where it can; the registry's timeout is the
 * backstop, not the plan.
 *
 * @see HealthChecks for the built-in PostgreSQL and Redis checks
 */
public interface HealthCheck {

  /**
   * Returns the check's name, e.g. {@code postgresql}: unique in its registry, 1 to 64 characters of
   * {@code [A-Za-z0-9._-]} (the name rule of every VTP Scale module), checked when the registry is built.
   *
   * @return the name; never {@code null}
   */
  String name();

  /**
   * Returns whether a failure fails readiness; {@link Criticality#CRITICAL} by default.
   *
   * @return whether a failure fails readiness; {@link Criticality#CRITICAL} by default; never {@code null}
   */
  default Criticality criticality() {
    return Criticality.CRITICAL;
  }

  /**
   * Returns the IETF health+json {@code componentType}, e.g. {@code datastore}; {@code component} by default.
   *
   * @return the component type; never {@code null}
   */
  default String componentType() {
    return "component";
  }

  /**
   * Returns the one-line reason the whole instance reports when this check fails, in words an operator reads at a
   * glance: {@code database unreachable}, {@code redis unreachable}. Default: {@code <name> unhealthy}.
   *
   * @return the reason; never {@code null}
   */
  default String unhealthyReason() {
    return name() + " unhealthy";
  }

  /**
   * Runs the check once.
   *
   * @return what it observed; never {@code null}
   * @throws Exception any failure; the registry records it as {@link HealthStatus#FAIL} with its message
   */
  CheckOutcome check() throws Exception;

  /**
   * Creates a check from a callable.
   *
   * @param name the check's name; not {@code null}, checked by {@link HealthRegistry.Builder#build()}
   * @param criticality whether its failure fails readiness; not {@code null}
   * @param check the body; returns an outcome or throws; not {@code null}
   * @return the check; never {@code null}
   * @throws NullPointerException when an argument is {@code null}
   */
  static HealthCheck of(String name, Criticality criticality, Callable<CheckOutcome> check) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(criticality, "criticality");
    Objects.requireNonNull(check, "check");
    return new HealthCheck() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public Criticality criticality() {
        return criticality;
      }

      @Override
      public CheckOutcome check() throws Exception {
        return check.call();
      }

      @Override
      public String toString() {
        return "HealthCheck[" + name + "]";
      }
    };
  }
}
