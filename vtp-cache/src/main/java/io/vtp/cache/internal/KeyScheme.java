package io.vtp.cache.internal;

import io.vtp.redis.internal.KeyHasher;
import java.util.Objects;

/**
 * Turns a caller's key into Redis keys. A key made only of {@code [A-Za-z0-9_.:-]} and no longer than the bound is
 * used as is; any other key becomes {@code #} plus the base64url SHA-256 of its UTF-8 bytes ({@code #} cannot occur
 * in a key used as is, so the two forms never collide). Braces never reach Redis from the caller, so the hash tag is
 * always ours.
 *
 * <p>What this scheme needs of the prefix and the name is what {@link io.vtp.redis.internal.Names} guarantees for
 * every module, and no more: neither holds a brace (the first {@code {...}} of a key is the hash tag, and it must be
 * the key part's), and the name holds no {@code :} (so {@code <name>:} ends the cache's namespace). Upper-case
 * letters, allowed in names since the modules share one rule, are just more key characters (Redis keys are
 * case-sensitive: {@code Courses} and {@code courses} are two caches). The one place that relied on the narrower
 * prefix rule the cache had before ({@code [A-Za-z0-9_.:-]}, at most 64) is the {@code SCAN MATCH} pattern: a
 * prefix may now hold glob characters ({@code *}, {@code ?}, {@code [}, {@code ]}, backslash), so
 * {@link #pattern()} escapes them.
 */
public final class KeyScheme {
  private final String cacheName;
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
    this.cacheName = name;
    this.base = prefix + name + ":";
    this.maxKeyLength = maxKeyLength;
    this.channel = base + "invalidations";
  }

  /**
   * Returns the safe, bounded form of a caller's key (the part inside the hash tag).
   *
   * @param key the caller's key
   * @return the key part; at most {@code max(maxKeyLength, 44)} characters
   * @throws NullPointerException when the key is {@code null}
   * @throws IllegalArgumentException when the key is empty
   */
  public String part(String key) {
    Objects.requireNonNull(key, "key");
    if (key.isEmpty()) {
      throw new IllegalArgumentException("cache '" + cacheName + "': key must not be empty");
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

  /**
   * Returns the {@code SCAN MATCH} pattern of every key of this cache: the namespace with its glob characters
   * escaped (a prefix may hold them; unescaped, {@code invalidateAll} could delete keys that are not this cache's),
   * then {@code *}.
   */
  public String pattern() {
    StringBuilder pattern = new StringBuilder(base.length() + 8);
    for (int i = 0; i < base.length(); i++) {
      char c = base.charAt(i);
      if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') {
        pattern.append('\\');
      }
      pattern.append(c);
    }
    return pattern.append('*').toString();
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
