package io.vtp.ratelimit.internal;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Remembers keys Redis denied until their retry time, so further requests for them are denied without a Redis call.
 * It only ever denies what Redis itself would deny: an entry holds the retry time Redis computed for a request of
 * {@code permits} permits, and serves only requests for at least as many. Other instances can only make a key
 * available later, never earlier, so exactness is unaffected.
 *
 * <p>Bounded: when full, expired entries are swept; if it is still full the new entry is simply not cached.
 * Thread-safe.
 */
final class LocalDenyCache {
  record Entry(long untilMicros, long resetAtMicros, long permits, int policy) {}

  private final int maxEntries;
  private final ConcurrentHashMap<String, Entry> entries = new ConcurrentHashMap<>();

  LocalDenyCache(int maxEntries) {
    this.maxEntries = maxEntries;
  }

  boolean enabled() {
    return maxEntries > 0;
  }

  /** Returns the live entry for a key that denies a request of {@code permits}, or null. */
  Entry find(String key, long permits, long nowMicros) {
    Entry e = entries.get(key);
    if (e == null) {
      return null;
    }
    if (e.untilMicros() <= nowMicros) {
      entries.remove(key, e);
      return null;
    }
    return permits >= e.permits() ? e : null;
  }

  void put(String key, Entry entry, long nowMicros) {
    if (entries.size() >= maxEntries) {
      entries.values().removeIf(e -> e.untilMicros() <= nowMicros);
      if (entries.size() >= maxEntries) {
        return;
      }
    }
    entries.merge(key, entry, (old, neu) -> neu.untilMicros() >= old.untilMicros() ? neu : old);
  }

  int size() {
    return entries.size();
  }
}
