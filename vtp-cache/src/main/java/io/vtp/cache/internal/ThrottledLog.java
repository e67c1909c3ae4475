package io.vtp.cache.internal;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;

/** Logs a recurring problem at most once per interval, with how many occurrences went unlogged. Thread-safe. */
final class ThrottledLog {
  private final Logger log;
  private final Clock clock;
  private final long intervalMillis;
  private final AtomicLong nextAllowed = new AtomicLong(Long.MIN_VALUE);
  private final AtomicLong suppressed = new AtomicLong();

  ThrottledLog(Logger log, Clock clock, Duration interval) {
    this.log = log;
    this.clock = clock;
    this.intervalMillis = interval.toMillis();
  }

  void warn(String message, Throwable cause) {
    long now = clock.millis();
    long next = nextAllowed.get();
    if (now >= next && nextAllowed.compareAndSet(next, now + intervalMillis)) {
      long skipped = suppressed.getAndSet(0);
      String tail = skipped == 0 ? "" : " (" + skipped + " more since the last report)";
      log.warn("{}{}: {}", message, tail, cause == null ? "" : String.valueOf(cause));
    } else {
      suppressed.incrementAndGet();
    }
  }
}
