package io.vtp.redis.internal;

import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;

/**
 * Logs a recurring problem at most once per interval, with how many occurrences went unlogged, so an outage gives
 * one warning per interval instead of one per request.
 *
 * <p>Thread-safe and lock-free.
 */
public final class ThrottledLog {
  private final Logger log;
  private final Clock clock;
  private final long intervalMillis;
  private final AtomicLong nextAllowed = new AtomicLong(Long.MIN_VALUE);
  private final AtomicLong suppressed = new AtomicLong();

  /**
   * Creates a throttle whose first event is always let through.
   *
   * @param log where {@link #warn(String, Throwable)} writes
   * @param clock the time source
   * @param interval at most one line per interval, positive
   * @throws NullPointerException when an argument is null
   * @throws IllegalArgumentException when {@code interval} is not positive
   */
  public ThrottledLog(Logger log, Clock clock, Duration interval) {
    this.log = Objects.requireNonNull(log, "log");
    this.clock = Objects.requireNonNull(clock, "clock");
    Objects.requireNonNull(interval, "interval");
    if (interval.isNegative() || interval.isZero()) {
      throw new IllegalArgumentException("throttled log: interval must be > 0 but was " + interval);
    }
    this.intervalMillis = interval.toMillis();
  }

  /**
   * Records one event and says whether to log it, for callers that format their own line.
   *
   * @return -1 when this event is not to be logged, otherwise how many events were held back since the last one
   *     let through
   */
  public long tryAcquire() {
    long now = clock.millis();
    long next = nextAllowed.get();
    if (now >= next && nextAllowed.compareAndSet(next, now + intervalMillis)) {
      return suppressed.getAndSet(0);
    }
    suppressed.incrementAndGet();
    return -1;
  }

  /**
   * Records one event and logs it at WARN when the interval allows, with the count of held-back events.
   *
   * @param message the line, never containing a secret
   * @param cause the cause, printed as its {@code toString()} (no stack trace), or {@code null}
   */
  public void warn(String message, Throwable cause) {
    long skipped = tryAcquire();
    if (skipped >= 0) {
      String tail = skipped == 0 ? "" : " (" + skipped + " more since the last report)";
      log.warn("{}{}: {}", message, tail, cause == null ? "" : String.valueOf(cause));
    }
  }
}
