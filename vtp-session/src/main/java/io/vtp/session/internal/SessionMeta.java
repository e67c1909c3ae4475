package io.vtp.session.internal;

import io.vtp.session.Session;

/**
 * A session's metadata field in Redis: {@code version:created:lastAccess:idleExpiry:absoluteExpiry} (epoch ms), the
 * text the Lua scripts parse. Stateless.
 */
final class SessionMeta {
  private SessionMeta() {}

  /** The meta fields of a session as read: version, created, last access, idle and absolute expiry (epoch ms). */
  static long[] of(Session s) {
    return new long[] {s.version(), s.createdAt().toEpochMilli(), s.lastAccessedAt().toEpochMilli(),
        s.idleExpiresAt().toEpochMilli(), s.absoluteExpiresAt().toEpochMilli()};
  }

  /** Formats meta fields in {@link #of(Session)} order. */
  static String format(long[] m) {
    return format(m[0], m[1], m[2], m[3], m[4]);
  }

  static String format(long version, long created, long lastAccess, long idleExpiry, long absoluteExpiry) {
    return version + ":" + created + ":" + lastAccess + ":" + idleExpiry + ":" + absoluteExpiry;
  }

  /** Parses "version:created:lastAccess:idleExpiry:absoluteExpiry"; {@code null} when malformed. */
  static long[] parse(String meta) {
    if (meta == null) {
      return null;
    }
    long[] out = new long[5];
    int field = 0;
    long value = 0;
    int digits = 0;
    for (int i = 0; i <= meta.length(); i++) {
      char c = i == meta.length() ? ':' : meta.charAt(i);
      if (c == ':') {
        if (digits == 0 || field == 5) {
          return null;
        }
        out[field++] = value;
        value = 0;
        digits = 0;
      } else if (c >= '0' && c <= '9' && digits < 18) {
        value = value * 10 + (c - '0');
        digits++;
      } else {
        return null;
      }
    }
    return field == 5 ? out : null;
  }
}
