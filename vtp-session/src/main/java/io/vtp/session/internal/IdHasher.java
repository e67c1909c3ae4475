package io.vtp.session.internal;

import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Computes the name Redis knows a session by from its id: either the plain SHA-256 of the id's secret part
 * ({@link SessionIds#hash(String)}, when no key is configured) or HMAC-SHA256 of it under the current key, with the
 * previous keys kept to find sessions written before a key rotation. Both are 43 base64url characters, so the Lua
 * scripts see no difference.
 *
 * <p>Keyed, an attacker who can write to Redis but does not hold the key cannot compute the name of a record for
 * an id of their choosing, so cannot plant a session.
 *
 * <p>Thread-safe: each call works on a clone of a {@link Mac} initialised once.
 */
public final class IdHasher {
  private static final String HMAC = "HmacSHA256";
  private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
  private static final IdHasher UNKEYED = new IdHasher(null, List.of());

  private final Mac current; // null: plain SHA-256
  private final List<Mac> previous;

  private IdHasher(Mac current, List<Mac> previous) {
    this.current = current;
    this.previous = previous;
  }

  /**
   * Returns the hasher of a store without a key: plain SHA-256, as {@link SessionIds#hash(String)}.
   *
   * @return the unkeyed hasher
   */
  public static IdHasher unkeyed() {
    return UNKEYED;
  }

  /**
   * Returns a keyed hasher.
   *
   * @param current the key new names are computed with (validated by the builder: at least 32 bytes)
   * @param previous keys still accepted for sessions written before the last rotation, tried in order
   * @return the hasher
   */
  public static IdHasher keyed(byte[] current, List<byte[]> previous) {
    List<Mac> old = new ArrayList<>(previous.size());
    for (byte[] key : previous) {
      old.add(mac(key));
    }
    return new IdHasher(mac(current), List.copyOf(old));
  }

  /** Whether a key is configured. */
  public boolean keyed() {
    return current != null;
  }

  /** Whether previous keys are configured (lookups that miss may try them). */
  public boolean hasPrevious() {
    return !previous.isEmpty();
  }

  /**
   * Returns the name of a well-formed id under the current key (or plain SHA-256 when unkeyed).
   *
   * @param id a well-formed id
   * @return 43 base64url characters
   */
  public String hash(String id) {
    return current == null ? SessionIds.hash(id) : hmac(current, id);
  }

  /**
   * Returns the names of a well-formed id under each previous key, in the configured order.
   *
   * @param id a well-formed id
   * @return the names; empty when no previous key is configured
   */
  public List<String> previousHashes(String id) {
    if (previous.isEmpty()) {
      return List.of();
    }
    List<String> hashes = new ArrayList<>(previous.size());
    for (Mac mac : previous) {
      hashes.add(hmac(mac, id));
    }
    return hashes;
  }

  private static String hmac(Mac prototype, String id) {
    Mac mac = copy(prototype);
    for (int i = SessionIds.TAG_LENGTH; i < SessionIds.ID_LENGTH; i++) {
      mac.update((byte) id.charAt(i)); // ASCII: a well-formed id was checked against the alphabet
    }
    return ENCODER.encodeToString(mac.doFinal());
  }

  private static Mac copy(Mac prototype) {
    try {
      return (Mac) prototype.clone(); // far cheaper than a provider look-up and key schedule per call
    } catch (CloneNotSupportedException e) {
      throw new IllegalStateException("this platform's HmacSHA256 cannot be cloned", e);
    }
  }

  private static Mac mac(byte[] key) {
    try {
      Mac mac = Mac.getInstance(HMAC);
      mac.init(new SecretKeySpec(Arrays.copyOf(key, key.length), HMAC));
      mac.clone(); // fail here, at build time, rather than on the first request
      return mac;
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("HmacSHA256 is required of every Java platform", e);
    } catch (CloneNotSupportedException e) {
      throw new IllegalStateException("this platform's HmacSHA256 cannot be cloned", e);
    }
  }
}
