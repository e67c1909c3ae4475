package io.vtp.app.auth;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.spec.KeySpec;
import java.util.Base64;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * Password hashing with PBKDF2-HMAC-SHA256 (OWASP's 600,000 iterations by default), a 16-byte random salt and a
 * 32-byte key, stored as {@code pbkdf2-sha256$iterations$salt$hash} so the count can be raised later without
 * invalidating old hashes. Verification is constant-time, and {@link #verifyDummy(String)} spends the same time
 * for unknown accounts so timing does not reveal which emails exist.
 *
 * <p>Thread-safe.
 */
public final class Passwords {
  private static final String PREFIX = "pbkdf2-sha256";
  private static final int SALT_BYTES = 16;
  private static final int KEY_BITS = 256;

  private final int iterations;
  private final SecureRandom random = new SecureRandom();
  private final String dummyHash;

  /**
   * Creates a hasher.
   *
   * @param iterations PBKDF2 iterations for new hashes; at least 1000
   */
  public Passwords(int iterations) {
    if (iterations < 1000) {
      throw new IllegalArgumentException("passwords: iterations must be >= 1000 but was " + iterations);
    }
    this.iterations = iterations;
    this.dummyHash = hash("dummy password for unknown accounts");
  }

  /**
   * Hashes a password with a new random salt.
   *
   * @param password the password
   * @return the encoded hash
   */
  public String hash(String password) {
    byte[] salt = new byte[SALT_BYTES];
    random.nextBytes(salt);
    byte[] key = derive(password, salt, iterations);
    Base64.Encoder b64 = Base64.getEncoder().withoutPadding();
    return PREFIX + "$" + iterations + "$" + b64.encodeToString(salt) + "$" + b64.encodeToString(key);
  }

  /**
   * Checks a password against an encoded hash, in constant time for a given hash.
   *
   * @param password the candidate
   * @param encoded a hash from {@link #hash(String)}
   * @return whether it matches; false for a malformed hash
   */
  public boolean verify(String password, String encoded) {
    String[] parts = encoded.split("\\$");
    if (parts.length != 4 || !parts[0].equals(PREFIX)) {
      return false;
    }
    try {
      int n = Integer.parseInt(parts[1]);
      byte[] salt = Base64.getDecoder().decode(parts[2]);
      byte[] expected = Base64.getDecoder().decode(parts[3]);
      return MessageDigest.isEqual(derive(password, salt, n), expected);
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /**
   * Spends the time of one verification and returns false: used when the account does not exist.
   *
   * @param password the candidate
   * @return always false
   */
  public boolean verifyDummy(String password) {
    verify(password, dummyHash);
    return false;
  }

  private static byte[] derive(String password, byte[] salt, int iterations) {
    try {
      KeySpec spec = new PBEKeySpec(password.toCharArray(), salt, iterations, KEY_BITS);
      return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("PBKDF2WithHmacSHA256 is required of every Java platform", e);
    }
  }

  /** Returns whether a hash uses fewer iterations than new hashes do (so it can be upgraded on login). */
  boolean needsRehash(String encoded) {
    String[] parts = encoded.split("\\$");
    return parts.length != 4 || !parts[1].equals(Integer.toString(iterations));
  }

  @Override
  public String toString() {
    return "Passwords[pbkdf2-sha256, iterations=" + iterations + "]";
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
