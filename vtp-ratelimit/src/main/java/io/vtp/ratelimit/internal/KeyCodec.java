package io.vtp.ratelimit.internal;

import io.vtp.redis.internal.KeyHasher;
import java.util.Objects;

/**
 * Turns user keys into Redis keys. User keys are never parsed or used as patterns; a key longer than
 * {@link #MAX_PLAIN_LENGTH} characters is replaced by its SHA-256 (base64url), and the two forms carry distinct
 * markers ({@code k:} and {@code h:}) so a plain key can never equal a hashed one.
 *
 * <p>Single-policy keys: {@code <prefix><limiter>:{k:<key>}:<alg>} (each user key its own hash tag, so keys spread
 * over a cluster). Multi-policy keys: {@code <prefix>{<limiter>}:<policy>:k:<key>:<alg>} (one tag for all).
 */
final class KeyCodec {
  /** User keys up to this many characters are stored as they are. */
  static final int MAX_PLAIN_LENGTH = 200;

  private KeyCodec() {}

  /**
   * Validates a user key and returns its stored form.
   *
   * @throws NullPointerException with message {@code field} when the key is null
   * @throws IllegalArgumentException when the key is empty
   */
  static String encode(String limiter, String field, String key) {
    Objects.requireNonNull(key, field);
    if (key.isEmpty()) {
      throw new IllegalArgumentException("rate limit '" + limiter + "': " + field + " must not be empty");
    }
    if (key.length() <= MAX_PLAIN_LENGTH) {
      return "k:" + key;
    }
    return "h:" + KeyHasher.sha256(key);
  }

  static String singleKey(String prefix, String limiter, String encoded, char alg) {
    return prefix + limiter + ":{" + encoded + "}:" + alg;
  }

  static String multiKey(String prefix, String limiter, String policy, String encoded, char alg) {
    return prefix + "{" + limiter + "}:" + policy + ":" + encoded + ":" + alg;
  }
}
