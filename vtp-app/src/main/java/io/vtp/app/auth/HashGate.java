package io.vtp.app.auth;

import io.vtp.app.http.ApiException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Bounds the password hashes (PBKDF2, hundreds of milliseconds of CPU each) running at once: at most
 * {@code permits} run, at most {@value #WAITERS_PER_PERMIT} per permit wait, each at most {@link #MAX_WAIT_MS} ms;
 * every other request gets 503 with {@code Retry-After} at once. So a burst of registrations or logins costs a
 * bounded amount of CPU and of threads and never piles up.
 *
 * <p>Thread-safe.
 */
public final class HashGate {
  /** How many requests may wait per permit. */
  static final int WAITERS_PER_PERMIT = 4;
  /** How long a request waits for a permit. */
  static final long MAX_WAIT_MS = 2000;

  private final Semaphore running;
  private final int maxWaiting;
  private final AtomicInteger waiting = new AtomicInteger();

  /**
   * Creates a gate.
   *
   * @param permits hashes at once; at least 1
   */
  public HashGate(int permits) {
    if (permits < 1) {
      throw new IllegalArgumentException("password hashes: permits must be >= 1 but was " + permits);
    }
    this.running = new Semaphore(permits, true);
    this.maxWaiting = permits * WAITERS_PER_PERMIT;
  }

  /**
   * Runs a hash within the bound.
   *
   * @param hash the work
   * @param <T> its result
   * @return its result
   * @throws ApiException 503 with {@code Retry-After} when the bound is reached
   */
  public <T> T run(Supplier<T> hash) {
    if (!running.tryAcquire()) {
      if (waiting.incrementAndGet() > maxWaiting) {
        waiting.decrementAndGet();
        throw busy();
      }
      try {
        if (!running.tryAcquire(MAX_WAIT_MS, TimeUnit.MILLISECONDS)) {
          throw busy();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw busy();
      } finally {
        waiting.decrementAndGet();
      }
    }
    try {
      return hash.get();
    } finally {
      running.release();
    }
  }

  private static ApiException busy() {
    return ApiException.unavailable("too many password checks in progress; retry shortly", 1);
  }
}
