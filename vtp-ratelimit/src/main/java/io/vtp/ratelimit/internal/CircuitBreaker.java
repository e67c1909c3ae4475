package io.vtp.ratelimit.internal;

import java.time.Clock;

/**
 * Opens after {@code threshold} consecutive Redis failures and then skips Redis for {@code openMillis}; after that
 * one probe call goes through (half-open): success closes the breaker, failure opens it again. Time comes from the
 * injected clock.
 *
 * <p>Thread-safe. The closed state is read without locking so the normal path costs one volatile read.
 */
final class CircuitBreaker {
  private enum State { CLOSED, OPEN, HALF_OPEN }

  private final int threshold;
  private final long openMillis;
  private final Clock clock;
  private volatile State state = State.CLOSED;
  private volatile int failures;
  private long openUntil;
  private boolean probeInFlight;

  CircuitBreaker(int threshold, long openMillis, Clock clock) {
    this.threshold = threshold;
    this.openMillis = openMillis;
    this.clock = clock;
  }

  /** Returns whether a call may go to Redis now. */
  boolean tryAcquire() {
    if (state == State.CLOSED) {
      return true;
    }
    synchronized (this) {
      if (state == State.CLOSED) {
        return true;
      }
      if (state == State.OPEN && clock.millis() >= openUntil) {
        state = State.HALF_OPEN;
        probeInFlight = false;
      }
      if (state == State.HALF_OPEN && !probeInFlight) {
        probeInFlight = true;
        return true;
      }
      return false;
    }
  }

  void onSuccess() {
    if (state == State.CLOSED && failures == 0) {
      return;
    }
    synchronized (this) {
      failures = 0;
      state = State.CLOSED;
      probeInFlight = false;
    }
  }

  /** Gives back a permission whose call ended with neither success nor a Redis failure (an interrupt). */
  synchronized void release() {
    probeInFlight = false;
  }

  synchronized void onFailure() {
    failures++;
    if (state == State.HALF_OPEN || failures >= threshold) {
      state = State.OPEN;
      openUntil = clock.millis() + openMillis;
      probeInFlight = false;
    }
  }

  /** Returns milliseconds until the breaker lets a probe through, 0 when it is not open. */
  synchronized long remainingOpenMillis() {
    return state == State.OPEN ? Math.max(0, openUntil - clock.millis()) : 0;
  }

  boolean isOpen() {
    return state != State.CLOSED;
  }
}
