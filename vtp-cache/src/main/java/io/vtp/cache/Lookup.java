package io.vtp.cache;

import java.util.Objects;
import java.util.Optional;

/**
 * The result of one cache read with how it was answered, from {@link CacheAside#lookup}: for an
 * {@code X-Cache: HIT|MISS} header, a log line or a test, without counting on the cache's statistics (which other
 * callers share).
 *
 * <pre>{@code
 * Lookup<Course> read = courses.lookup("42", key -> Loaded.fromOptional(db.findCourse(42)));
 * ctx.header("X-Cache", read.isHit() ? "HIT" : "MISS");
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 *
 * @param value the value; empty when the source said "not found" (now, or within the negative time-to-live);
 *     never {@code null}
 * @param outcome how this read was answered; never {@code null}
 * @param <V> the value type
 */
public record Lookup<V>(Optional<V> value, Outcome outcome) {

  /** How one read was answered, seen from its caller: did this call run its loader, and did that work. */
  public enum Outcome {
    /**
     * Answered without running this call's loader: from the in-process L1 or Redis (a cached "not found"
     * included), or with the value of a load another caller ran at the same time (concurrent misses in this JVM
     * share one load; another instance holding the key's load lease writes the value this call waited for).
     */
    HIT,
    /** This call ran its loader and returned what it loaded (a miss, or a probabilistic early refresh). */
    MISS,
    /**
     * This call ran its loader, the loader failed, and the previous entry was served instead: an expired value
     * within the stale grace (stale-if-error), or the current value when an early refresh failed.
     */
    STALE
  }

  /**
   * Checks the components.
   *
   * @param value the value; empty when the source said "not found" (now, or within the negative time-to-live);
   *     never {@code null}
   * @param outcome how this read was answered; never {@code null}
   * @throws NullPointerException when {@code value} or {@code outcome} is {@code null}
   */
  public Lookup {
    Objects.requireNonNull(value, "value");
    Objects.requireNonNull(outcome, "outcome");
  }

  /**
   * Returns whether the read was answered without running its loader ({@link Outcome#HIT}).
   *
   * @return {@code true} for {@link Outcome#HIT}; {@code false} for {@link Outcome#MISS} and {@link Outcome#STALE}
   */
  public boolean isHit() {
    return outcome == Outcome.HIT;
  }
}
