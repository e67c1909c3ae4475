package io.vtp.app.auth;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/**
 * The common-password deny list (OWASP ASVS 5.0, 6.2.4): new passwords that appear in
 * {@code common-passwords.txt} (the most used passwords of public breach corpora that meet the length rule, one a
 * line) are refused, compared without regard to case. Immutable and thread-safe.
 */
public final class CommonPasswords {
  /** The rule's name in problem bodies. */
  public static final String RULE = "common-password deny list";
  private static final String RESOURCE = "common-passwords.txt";

  private final Set<String> denied;

  private CommonPasswords(Set<String> denied) {
    this.denied = Set.copyOf(denied);
  }

  /** Loads the bundled list. */
  public static CommonPasswords load() {
    Set<String> out = new HashSet<>();
    try (InputStream in = CommonPasswords.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("common-passwords.txt is missing from the app jar");
      }
      BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
      for (String line = r.readLine(); line != null; line = r.readLine()) {
        String p = line.trim();
        if (!p.isEmpty() && !p.startsWith("#")) {
          out.add(p.toLowerCase(Locale.ROOT));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("common-passwords.txt cannot be read", e);
    }
    return new CommonPasswords(out);
  }

  /** Returns whether a password is on the list. */
  public boolean isCommon(String password) {
    return denied.contains(password.toLowerCase(Locale.ROOT));
  }

  /** Returns how many passwords the list holds. */
  public int size() {
    return denied.size();
  }
}
