package io.vtp.cache.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.vtp.cache.internal.EnvelopeCodec.Envelope;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The in-process L1 (Caffeine). Usable only while the invalidation listener is subscribed; every invalidation bumps
 * an epoch, and a value read from Redis is kept only if no invalidation arrived since the read began, so an
 * invalidation racing with a read never leaves the older value behind. This class is loaded only when L1 is on.
 *
 * @param <V> the value type
 */
final class L1Cache<V> {
  private final Cache<String, Envelope<V>> cache;
  private final AtomicLong epoch = new AtomicLong();
  private volatile boolean usable;

  L1Cache(long maximumSize, Duration ttl) {
    this.cache = Caffeine.newBuilder().maximumSize(maximumSize).expireAfterWrite(ttl).build();
  }

  /** Returns a fresh entry, or {@code null}. */
  Envelope<V> get(String part, long now) {
    if (!usable) {
      return null;
    }
    Envelope<V> e = cache.getIfPresent(part);
    return e != null && e.freshUntil() > now ? e : null;
  }

  long epoch() {
    return epoch.get();
  }

  /** Keeps an entry read or loaded since {@code epochAtStart}, unless an invalidation arrived in between. */
  void put(String part, Envelope<V> entry, long epochAtStart) {
    if (!usable || epoch.get() != epochAtStart) {
      return;
    }
    cache.put(part, entry);
    // An invalidation may have slipped in between the check and the put: its epoch bump is visible now.
    if (epoch.get() != epochAtStart) {
      cache.invalidate(part);
    }
  }

  void invalidate(String part) {
    epoch.incrementAndGet();
    cache.invalidate(part);
  }

  void clear() {
    epoch.incrementAndGet();
    cache.invalidateAll();
  }

  void setUsable(boolean usable) {
    this.usable = usable;
  }

  boolean isUsable() {
    return usable;
  }

  long size() {
    return cache.estimatedSize();
  }
}
