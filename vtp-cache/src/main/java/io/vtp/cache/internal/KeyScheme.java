package io.vtp.cache.internal;

import io.vtp.redis.internal.KeyHasher;
import java.util.Objects;

/**
 * Turns a caller's key into Redis keys. A key made only of {@code [A-Za-z0-9_.:-]} and no longer than the bound is
 * used as is; any other key becomes {@code #} plus the base64url SHA-256 of its UTF-8 bytes ({@code #} cannot occur
 * in a key used as is, so the two forms never collide). Braces never reach Redis from the caller, so the hash tag is
 * always ours.
 */
public final class KeyScheme {
  private final String base;
  private final int maxKeyLength;
  private final String channel;

  /**
   * Creates the scheme of one cache.
   *
   * @param prefix the validated key prefix
   * @param name the validated cache name
   * @param maxKeyLength longest key used as is
   */
  public KeyScheme(String prefix, String name, int maxKeyLength) {
    this.base = prefix + name + ":";
    this.maxKeyLength = maxKeyLength;
    this.channel = base + "invalidations";
  }

  /**
   * Returns the safe, bounded form of a caller's key (the part inside the hash tag).
   *
   * @param key the caller's key
   * @return the key part; at most {@code max(maxKeyLength, 44)} characters
   * @throws IllegalArgumentException when the key is empty
   */
  public String part(String key) {
    Objects.requireNonNull(key, "key");
    if (key.isEmpty()) {
      throw new IllegalArgumentException("cache key must not be empty");
    }
    if (key.length() <= maxKeyLength && isSafe(key)) {
      return key;
    }
    return "#" + KeyHasher.sha256(key);
  }

  /** Returns the Redis key of an entry. */
  public String valueKey(String part) {
    return base + "{" + part + "}";
  }

  /** Returns the Redis key of an entry's load lease (same slot as the entry). */
  public String leaseKey(String part) {
    return base + "{" + part + "}:lease";
  }

  /** Returns the {@code SCAN MATCH} pattern of every key of this cache (prefix and name hold no glob characters). */
  public String pattern() {
    return base + "*";
  }

  /** Returns the pub/sub channel for invalidations. */
  public String channel() {
    return channel;
  }

  static boolean isSafe(String key) {
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || c == '_' || c == '.' || c == ':' || c == '-';
      if (!ok) {
        return false;
      }
    }
    return true;
  }
}
