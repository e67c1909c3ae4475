package io.vtp.redis.internal;

import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Consecutive-failure circuit breaker: closed until {@code threshold} failures in a row, then open for
 * {@code openDuration}, then half-open: one caller probes at a time (another after a further {@code openDuration}
 * if the probe never reports), a success closes it, a failure opens it again at once. Time comes from the injected
 * clock.
 *
 * <p>Thread-safe and lock-free: the closed path costs one volatile read.
 */
public final class CircuitBreaker {
  private static final long CLOSED = Long.MIN_VALUE;

  private final Clock clock;
  private final int threshold;
  private final long openMillis;
  private final AtomicInteger failures = new AtomicInteger();
  /** {@link #CLOSED}, or the time from which the next probe may run. */
  private final AtomicLong probeAt = new AtomicLong(CLOSED);

  /**
   * Creates a closed breaker.
   *
   * @param clock the time source
   * @param threshold consecutive failures that open it, at least 1
   * @param openDuration how long it stays open before a probe, positive
   * @throws NullPointerException when {@code clock} or {@code openDuration} is null
   * @throws IllegalArgumentException when {@code threshold} is below 1 or {@code openDuration} is not positive
   */
  public CircuitBreaker(Clock clock, int threshold, Duration openDuration) {
    this.clock = Objects.requireNonNull(clock, "clock");
    Objects.requireNonNull(openDuration, "openDuration");
    if (threshold < 1) {
      throw new IllegalArgumentException("circuit breaker: threshold must be >= 1 but was " + threshold);
    }
    if (openDuration.isNegative() || openDuration.isZero()) {
      throw new IllegalArgumentException("circuit breaker: openDuration must be > 0 but was " + openDuration);
    }
    this.threshold = threshold;
    this.openMillis = openDuration.toMillis();
  }

  /**
   * Returns whether a call may go to the backend now; when open and due, lets exactly one caller through as the
   * probe. A caller let through reports {@link #onSuccess()}, {@link #onFailure()} or {@link #release()}.
   *
   * @return whether to make the call
   */
  public boolean allow() {
    long at = probeAt.get();
    if (at == CLOSED) {
      return true;
    }
    long now = clock.millis();
    return now >= at && probeAt.compareAndSet(at, now + openMillis);
  }

  /**
   * Returns whether the breaker is open or half-open.
   *
   * @return {@code true} unless closed
   */
  public boolean isOpen() {
    return probeAt.get() != CLOSED;
  }

  /**
   * Records a successful call: resets the failure count and closes the breaker.
   *
   * @return whether this success closed an open breaker
   */
  public boolean onSuccess() {
    failures.set(0);
    if (probeAt.get() == CLOSED) {
      return false;
    }
    return probeAt.getAndSet(CLOSED) != CLOSED;
  }

  /** Records a failed call: opens the breaker at the threshold, and at once when it was already open. */
  public void onFailure() {
    long now = clock.millis();
    if (probeAt.get() != CLOSED) {
      probeAt.set(now + openMillis);
      return;
    }
    if (failures.incrementAndGet() >= threshold) {
      probeAt.set(now + openMillis);
    }
  }

  /**
   * Gives back a permission whose call ended with neither success nor a backend failure (an interrupt): when the
   * breaker is open, the next caller may probe at once.
   */
  public void release() {
    long at = probeAt.get();
    if (at != CLOSED) {
      probeAt.compareAndSet(at, Math.min(at, clock.millis()));
    }
  }

  /**
   * Returns how long until the breaker lets a probe through.
   *
   * @return milliseconds, 0 when closed or when a probe may run now
   */
  public long remainingOpenMillis() {
    long at = probeAt.get();
    return at == CLOSED ? 0 : Math.max(0, at - clock.millis());
  }

  @Override
  public String toString() {
    return "CircuitBreaker[" + (isOpen() ? "open" : "closed") + ", threshold=" + threshold + ", open="
        + openMillis + " ms]";
  }
}
