package io.vtp.cache;

import java.time.Duration;

/**
 * Time-to-live presets for common lifetimes of cached data, from minutes (listings that change often) to a week
 * (sessions).
 *
 * <p>Use them per cache ({@link RedisCacheAside.Builder#ttl(CacheTtl)}) or per call
 * ({@code cache.get(key, CacheTtl.SHORT.duration(), loader)}). Immutable and thread-safe.
 */
public enum CacheTtl {
  /** 5 minutes. */
  SHORT(Duration.ofMinutes(5)),
  /** 30 minutes. */
  MEDIUM(Duration.ofMinutes(30)),
  /** 2 hours. */
  LONG(Duration.ofHours(2)),
  /** 24 hours. */
  DAY(Duration.ofHours(24)),
  /** 7 days. */
  WEEK(Duration.ofDays(7)),
  /** 7 days, the same as {@link #WEEK}: a session's lifetime, named for that use. */
  SESSION(Duration.ofDays(7));

  private final Duration duration;

  CacheTtl(Duration duration) {
    this.duration = duration;
  }

  /**
   * Returns the preset's duration.
   *
   * @return a positive duration; never {@code null}
   */
  public Duration duration() {
    return duration;
  }
}
