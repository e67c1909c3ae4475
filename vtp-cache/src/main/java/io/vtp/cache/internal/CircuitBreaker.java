package io.vtp.cache.internal;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Consecutive-failure circuit breaker: closed until {@code threshold} failures in a row, then open for
 * {@code openDuration}, then half-open: one caller probes at a time (another after a further {@code openDuration}
 * if the probe never reports), a success closes it, a failure opens it again. Thread-safe, lock-free.
 */
final class CircuitBreaker {
  private static final long CLOSED = Long.MIN_VALUE;

  private final Clock clock;
  private final int threshold;
  private final long openMillis;
  private final AtomicInteger failures = new AtomicInteger();
  /** {@link #CLOSED}, or the time from which the next probe may run. */
  private final AtomicLong probeAt = new AtomicLong(CLOSED);

  CircuitBreaker(Clock clock, int threshold, Duration openDuration) {
    this.clock = clock;
    this.threshold = threshold;
    this.openMillis = openDuration.toMillis();
  }

  /** Returns whether a call may go to Redis now; when open and due, lets exactly one caller through as a probe. */
  boolean allow() {
    long at = probeAt.get();
    if (at == CLOSED) {
      return true;
    }
    long now = clock.millis();
    return now >= at && probeAt.compareAndSet(at, now + openMillis);
  }

  boolean isOpen() {
    return probeAt.get() != CLOSED;
  }

  /** Returns whether this success closed an open breaker. */
  boolean onSuccess() {
    failures.set(0);
    if (probeAt.get() == CLOSED) {
      return false;
    }
    return probeAt.getAndSet(CLOSED) != CLOSED;
  }

  void onFailure() {
    long now = clock.millis();
    if (probeAt.get() != CLOSED) {
      probeAt.set(now + openMillis);
      return;
    }
    if (failures.incrementAndGet() >= threshold) {
      probeAt.set(now + openMillis);
    }
  }
}
