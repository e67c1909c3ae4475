package io.vtp.session.internal;

import java.nio.charset.StandardCharsets;
import redis.clients.jedis.exceptions.JedisException;

/** Reads elements of a script reply, which Jedis gives as {@code Long}, {@code byte[]} or {@code String}. */
final class ScriptReplies {
  private ScriptReplies() {}

  /** Returns an integer element; a reply of another shape is a {@link JedisException}. */
  static long asLong(Object o) {
    if (o instanceof Long) {
      return (Long) o;
    }
    if (o instanceof byte[]) {
      return Long.parseLong(new String((byte[]) o, StandardCharsets.US_ASCII));
    }
    if (o instanceof String) {
      return Long.parseLong((String) o);
    }
    throw new JedisException("unexpected script reply element " + (o == null ? "null" : o.getClass().getName()));
  }

  /** Returns a text element, or {@code null} when the element is not text (a nil). */
  static String asString(Object o) {
    if (o instanceof String) {
      return (String) o;
    }
    if (o instanceof byte[]) {
      return new String((byte[]) o, StandardCharsets.UTF_8);
    }
    return null;
  }
}
