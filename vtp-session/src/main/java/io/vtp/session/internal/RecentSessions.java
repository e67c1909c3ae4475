package io.vtp.session.internal;

import java.util.Map;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * What this store last saw of recently found sessions, so that {@code find} can skip the script: when the last
 * access this process saw is younger than the touch threshold, no slide can be due (the last access only ever
 * moves forward), so a plain {@code HMGET} answers in one round trip with no Lua. The stored value itself is
 * always read from Redis, so a session deleted, rotated or changed by another instance is seen at once; only the
 * decoded attributes are reused, and only when the stored JSON is byte-for-byte the one they were decoded from.
 * {@code update(id, change)} starts from an entry optimistically: its write is conditional on the stored metadata
 * still being the remembered one, so a stale entry costs a retry, never a lost write.
 *
 * <p>Direct-mapped and bounded: a fixed array of immutable entries indexed by the id hash; a collision simply
 * replaces the older entry. Holds id hashes (never ids) and the decoded attributes of at most {@link #SIZE}
 * sessions. Thread-safe: entries are immutable and published through an atomic array; a lost race only costs a
 * script call or a decode.
 */
final class RecentSessions {
  /** Number of slots. */
  static final int SIZE = 4096;

  /**
   * One remembered session.
   *
   * @param hash the id hash (the Redis field suffix)
   * @param lastAccess the newest last-access time read from Redis, epoch ms
   * @param meta the stored metadata text last read or written ("version:created:lastAccess:idle:absolute"), the
   *     starting point of an optimistic {@code update(id, change)}
   * @param data the stored JSON the attributes were decoded from
   * @param userId the decoded user id
   * @param attributes the decoded, unmodifiable attributes
   */
  record Entry(String hash, long lastAccess, String meta, String data, String userId, Map<String, Object> attributes) {}

  private final AtomicReferenceArray<Entry> slots = new AtomicReferenceArray<>(SIZE);

  /**
   * The entry for a hash.
   *
   * @param hash the id hash
   * @return the entry, or {@code null} when none is remembered
   */
  Entry get(String hash) {
    Entry e = slots.get(slot(hash));
    return e != null && e.hash().equals(hash) ? e : null;
  }

  /**
   * Remembers a session as just read from Redis.
   *
   * @param e the entry
   */
  void put(Entry e) {
    slots.set(slot(e.hash()), e);
  }

  /**
   * Forgets a hash, if remembered.
   *
   * @param hash the id hash
   */
  void remove(String hash) {
    int i = slot(hash);
    Entry e = slots.get(i);
    if (e != null && e.hash().equals(hash)) {
      slots.compareAndSet(i, e, null);
    }
  }

  private static int slot(String hash) {
    int h = hash.hashCode();
    return (h ^ (h >>> 16)) & (SIZE - 1);
  }
}
