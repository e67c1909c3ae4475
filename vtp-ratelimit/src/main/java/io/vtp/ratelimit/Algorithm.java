package io.vtp.ratelimit;

/**
 * The counting algorithm of a rate limit policy. All of them keep one Redis key per policy and user key.
 * Thread-safe.
 */
public enum Algorithm {
  /**
   * Generic cell rate algorithm (the default): a token bucket stored as one timestamp. Up to {@code burst} permits
   * at once, then one permit every {@code window / limit}. Exact; O(1) memory per key. Over any interval of length
   * {@code t} it allows at most {@code burst + t / (window / limit)} permits.
   */
  GCRA,
  /**
   * Sliding-window counter: the current window's count plus the previous window's count weighted by how much of it
   * still overlaps the sliding window. Never more than {@code limit} within one window; across a window boundary
   * the weighting is an estimate (it assumes the previous window's requests were evenly spread).
   */
  SLIDING_WINDOW,
  /**
   * Fixed window starting at a key's first permit: at most {@code limit} permits until the key expires
   * {@code window} later. Like the common {@code INCR}-then-{@code EXPIRE} limiter, but the counter and its
   * expiry are written atomically, so a key can never be left without an expiry.
   */
  FIXED_WINDOW
}
