package io.vtp.testkit;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A {@link Clock} a test moves by hand, for code that takes its time from an injected clock. Always UTC.
 *
 * <p>Thread-safe: {@link #advance(Duration)} and {@link #set(Instant)} are atomic and visible to every thread.
 */
public final class MutableClock extends Clock {
  private final AtomicReference<Instant> now;

  /**
   * Creates a clock at the given instant.
   *
   * @param start the initial time; not {@code null}
   * @throws NullPointerException when {@code start} is {@code null}
   */
  public MutableClock(Instant start) {
    this.now = new AtomicReference<>(Objects.requireNonNull(start, "start"));
  }

  /**
   * Returns a clock that starts at the current system time, in whole milliseconds (as most stores keep it).
   *
   * @return a new clock; never {@code null}
   */
  public static MutableClock startingNow() {
    return atMillis(System.currentTimeMillis());
  }

  /**
   * Returns a clock that starts at a given number of milliseconds after the epoch.
   *
   * @param epochMillis the start
   * @return a new clock; never {@code null}
   */
  public static MutableClock atMillis(long epochMillis) {
    return new MutableClock(Instant.ofEpochMilli(epochMillis));
  }

  /**
   * Moves the clock forward (or back, with a negative duration).
   *
   * @param d how far; not {@code null}
   * @throws NullPointerException when {@code d} is {@code null}
   */
  public void advance(Duration d) {
    Objects.requireNonNull(d, "d");
    now.updateAndGet(t -> t.plus(d));
  }

  /**
   * Sets the clock.
   *
   * @param instant the new time; not {@code null}
   * @throws NullPointerException when {@code instant} is {@code null}
   */
  public void set(Instant instant) {
    now.set(Objects.requireNonNull(instant, "instant"));
  }

  @Override
  public Instant instant() {
    return now.get();
  }

  @Override
  public long millis() {
    return now.get().toEpochMilli();
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  /**
   * Returns this clock: the zone does not matter to instants.
   *
   * @param zone ignored; may be {@code null}
   * @return this clock; never {@code null}
   */
  @Override
  public Clock withZone(ZoneId zone) {
    return this;
  }

  @Override
  public String toString() {
    return "MutableClock[" + now.get() + "]";
  }
}
