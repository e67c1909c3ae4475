package io.vtp.session.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

/**
 * Session ids and the Redis names derived from them.
 *
 * <p>An id is {@code tag + secret}: {@value #TAG_LENGTH} base64url characters of the user tag (the first 12
 * bytes of SHA-256 over a domain label and the user id) and {@value #SECRET_LENGTH} base64url characters
 * encoding 32 bytes from {@link SecureRandom}; {@value #ID_LENGTH} characters in all, no padding. The tag
 * routes the id to its user's Redis Cluster slot; the secret is what makes the id unguessable.
 *
 * <p>Redis sees only the tag and {@link #hash(String) the SHA-256 of the whole id}, never the id.
 *
 * <p>Thread-safe.
 */
public final class SessionIds {
  /** Characters of the user tag. */
  public static final int TAG_LENGTH = 16;
  /** Characters of the random part. */
  public static final int SECRET_LENGTH = 43;
  /** Characters of an id. */
  public static final int ID_LENGTH = TAG_LENGTH + SECRET_LENGTH;
  /** Random bytes in an id. */
  public static final int SECRET_BYTES = 32;

  private static final byte[] USER_DOMAIN = "vtp-session/user-tag/v1:".getBytes(StandardCharsets.US_ASCII);
  private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
  private static final boolean[] ALPHABET = new boolean[128];
  /** Values of the base64url characters whose two low bits are zero: the only valid last characters. */
  private static final boolean[] LAST = new boolean[128];

  static {
    String chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    for (int i = 0; i < chars.length(); i++) {
      ALPHABET[chars.charAt(i)] = true;
      LAST[chars.charAt(i)] = (i & 3) == 0;
    }
  }

  private static final MessageDigest SHA256 = cloneable(newSha256());

  private final SecureRandom random;

  /**
   * Creates a generator.
   *
   * @param random the source of the secret part
   */
  public SessionIds(SecureRandom random) {
    this.random = random;
  }

  /**
   * Generates a new id for a user.
   *
   * @param userTag the user's tag from {@link #userTag(String)}
   * @return a new id
   */
  public String newId(String userTag) {
    byte[] secret = new byte[SECRET_BYTES];
    random.nextBytes(secret);
    return userTag + ENCODER.encodeToString(secret);
  }

  /**
   * Returns the user's tag: base64url of the first 12 bytes of SHA-256 over a domain label and the user id.
   *
   * @param userId the user id
   * @return 16 characters of {@code [A-Za-z0-9_-]}
   */
  public static String userTag(String userId) {
    MessageDigest sha = sha256();
    sha.update(USER_DOMAIN);
    byte[] digest = sha.digest(userId.getBytes(StandardCharsets.UTF_8));
    return ENCODER.encodeToString(Arrays.copyOf(digest, 12));
  }

  /**
   * Returns whether a string is a well-formed id: exactly {@value #ID_LENGTH} base64url characters whose random
   * part is the canonical encoding of 32 bytes. Checks only the shape, never Redis.
   *
   * @param id any string, even {@code null}
   * @return whether it has the shape of an id
   */
  public static boolean isWellFormed(String id) {
    if (id == null || id.length() != ID_LENGTH) {
      return false;
    }
    for (int i = 0; i < ID_LENGTH; i++) {
      char c = id.charAt(i);
      if (c >= 128 || !ALPHABET[c]) {
        return false;
      }
    }
    return LAST[id.charAt(ID_LENGTH - 1)];
  }

  /**
   * Returns the tag of a well-formed id.
   *
   * @param id a well-formed id
   * @return its first {@value #TAG_LENGTH} characters
   */
  public static String tagOf(String id) {
    return id.substring(0, TAG_LENGTH);
  }

  /**
   * Returns the name Redis knows a session by: base64url of SHA-256 of the id's secret part (43 characters). The
   * secret alone (256 random bits) already names the session uniquely, and its 43 characters plus SHA-256's
   * padding fit one compression block where the whole 59-character id would need two: this runs on every request.
   * The user tag is not secret (it is derived from the user id) and is in the key name anyway.
   *
   * @param id a well-formed id
   * @return the hash
   */
  public static String hash(String id) {
    byte[] secret = new byte[SECRET_LENGTH];
    for (int i = 0; i < SECRET_LENGTH; i++) {
      secret[i] = (byte) id.charAt(TAG_LENGTH + i); // ASCII: a well-formed id was checked against the alphabet
    }
    return ENCODER.encodeToString(sha256().digest(secret));
  }

  /**
   * Returns the two Redis keys of a user tag: the record hash and the index sorted set. Both carry the hash tag
   * {@code {tag}}, so they share a Redis Cluster slot.
   *
   * @param keyPrefix the store's key prefix (no braces)
   * @param tag a user tag
   * @return {@code [<prefix>{tag}:s, <prefix>{tag}:i]}
   */
  public static List<String> keys(String keyPrefix, String tag) {
    return List.of(recordKey(keyPrefix, tag), keyPrefix + "{" + tag + "}:i");
  }

  /**
   * Returns the record hash's key alone (the first of {@link #keys(String, String)}), for reads that need no index.
   *
   * @param keyPrefix the store's key prefix (no braces)
   * @param tag a user tag
   * @return {@code <prefix>{tag}:s}
   */
  public static String recordKey(String keyPrefix, String tag) {
    return keyPrefix + "{" + tag + "}:s";
  }

  private static MessageDigest sha256() {
    if (SHA256 != null) {
      try {
        return (MessageDigest) SHA256.clone(); // far cheaper than a provider look-up per call
      } catch (CloneNotSupportedException e) {
        // fall through: this provider's digests cannot be cloned
      }
    }
    return newSha256();
  }

  private static MessageDigest cloneable(MessageDigest d) {
    try {
      d.clone();
      return d;
    } catch (CloneNotSupportedException e) {
      return null;
    }
  }

  private static MessageDigest newSha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every Java platform", e);
    }
  }
}
