package io.vtp.redis.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/**
 * Hashes caller-supplied key parts that cannot be used in a Redis key as they are (too long, or with characters
 * outside a module's safe set). Stateless and thread-safe.
 */
public final class KeyHasher {
  private KeyHasher() {}

  /**
   * Returns the unpadded base64url SHA-256 of the UTF-8 bytes of {@code key}: 43 characters from
   * {@code [A-Za-z0-9_-]}.
   *
   * @param key the text to hash
   * @return the hash
   * @throws NullPointerException when {@code key} is null
   */
  public static String sha256(String key) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
      return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every Java platform", e);
    }
  }
}
