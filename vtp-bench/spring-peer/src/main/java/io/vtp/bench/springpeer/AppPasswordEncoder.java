package io.vtp.bench.springpeer;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import org.springframework.security.crypto.password.PasswordEncoder;

/**
 * Reads the app's stored hashes ({@code pbkdf2-sha256$iterations$salt$hash}, PBKDF2-HMAC-SHA256, 32-byte key), so
 * the peer logs in the app's demo users from the same table. Only the login uses it; the measured read does not.
 */
final class AppPasswordEncoder implements PasswordEncoder {
  private static final int ITERATIONS = 600_000;
  private final SecureRandom random = new SecureRandom();

  @Override
  public String encode(CharSequence raw) {
    byte[] salt = new byte[16];
    random.nextBytes(salt);
    Base64.Encoder b64 = Base64.getEncoder().withoutPadding();
    return "pbkdf2-sha256$" + ITERATIONS + "$" + b64.encodeToString(salt) + "$"
        + b64.encodeToString(derive(raw, salt, ITERATIONS));
  }

  @Override
  public boolean matches(CharSequence raw, String encoded) {
    String[] parts = encoded == null ? new String[0] : encoded.split("\\$");
    if (parts.length != 4 || !parts[0].equals("pbkdf2-sha256")) {
      return false;
    }
    try {
      byte[] salt = Base64.getDecoder().decode(parts[2]);
      byte[] expected = Base64.getDecoder().decode(parts[3]);
      return MessageDigest.isEqual(derive(raw, salt, Integer.parseInt(parts[1])), expected);
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private static byte[] derive(CharSequence raw, byte[] salt, int iterations) {
    try {
      return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256")
          .generateSecret(new PBEKeySpec(raw.toString().toCharArray(), salt, iterations, 256)).getEncoded();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("PBKDF2WithHmacSHA256 unavailable", e);
    }
  }

  @Override
  public String toString() {
    return "AppPasswordEncoder[" + StandardCharsets.UTF_8.name() + "]";
  }
}
