package io.vtp.redis.internal;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The one rule for instance names and the one rule for key prefixes of every Redis-backed module, and the one
 * message form for a value that breaks a configuration rule:
 * {@code <component> '<instance>': <field> must <rule> but was <value>}, e.g.
 * {@code cache 'Courses!': name must be 1 to 64 characters of [A-Za-z0-9._-] but was 'Courses!'}.
 *
 * <p>Not API: serves {@code vtp-session}, {@code vtp-ratelimit} and {@code vtp-cache} and may change in any release.
 * {@code vtp-health} keeps a copy of the name rule of its own, because it must not depend on this module (that
 * would force Jedis on its users). Stateless and thread-safe.
 */
public final class Names {
  /** The name rule in words, as it appears in messages. */
  public static final String NAME_RULE = "be 1 to 64 characters of [A-Za-z0-9._-]";
  /** The key-prefix rule in words, as it appears in messages. */
  public static final String KEY_PREFIX_RULE = "be at most 128 printable ASCII characters without spaces or braces";
  /** The longest key prefix. */
  public static final int MAX_KEY_PREFIX_LENGTH = 128;

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");

  private Names() {}

  /**
   * Returns whether {@code name} is a valid instance name: 1 to 64 characters of {@code [A-Za-z0-9._-]}. Such a
   * name holds no Redis glob character, no hash-tag brace and no key separator {@code :}.
   *
   * @param name the name
   * @return whether it is valid; {@code false} for {@code null}
   */
  public static boolean isValidName(String name) {
    return name != null && NAME.matcher(name).matches();
  }

  /**
   * Returns whether {@code keyPrefix} is a valid key prefix: at most 128 printable ASCII characters
   * ({@code 0x21..0x7e}) other than the two braces. Braces are excluded because Redis Cluster hashes only the part
   * of a key inside its first pair of braces (its hash tag, {@code {...}}): a brace in the prefix would change the
   * slot of every key. May be empty. It may hold Redis glob characters ({@code *}, {@code ?}, {@code [},
   * {@code ]}, backslash), so a {@code SCAN MATCH} pattern built from it must escape them.
   *
   * @param keyPrefix the prefix
   * @return whether it is valid; {@code false} for {@code null}
   */
  public static boolean isValidKeyPrefix(String keyPrefix) {
    if (keyPrefix == null || keyPrefix.length() > MAX_KEY_PREFIX_LENGTH) {
      return false;
    }
    for (int i = 0; i < keyPrefix.length(); i++) {
      char c = keyPrefix.charAt(i);
      if (c <= 0x20 || c >= 0x7f || c == '{' || c == '}') {
        return false;
      }
    }
    return true;
  }

  /**
   * Checks an instance name, which is also the instance named in the message.
   *
   * @param component what the name names, e.g. {@code cache}
   * @param name the name
   * @return {@code name}
   * @throws NullPointerException with message {@code name} when {@code name} is {@code null}
   * @throws IllegalArgumentException in the form {@code <component> '<name>': name must be 1 to 64 characters of
   *     [A-Za-z0-9._-] but was '<name>'} when it breaks {@link #isValidName(String)}
   */
  public static String checkName(String component, String name) {
    Objects.requireNonNull(name, "name");
    if (!isValidName(name)) {
      throw invalid(component, name, "name", NAME_RULE, name);
    }
    return name;
  }

  /**
   * Checks a key prefix.
   *
   * @param component the component, e.g. {@code session store}
   * @param instance the instance's name
   * @param keyPrefix the prefix
   * @return {@code keyPrefix}
   * @throws NullPointerException with message {@code keyPrefix} when {@code keyPrefix} is {@code null}
   * @throws IllegalArgumentException in the form {@code <component> '<instance>': keyPrefix must be at most 128
   *     printable ASCII characters without spaces or braces but was '<keyPrefix>'} when it breaks
   *     {@link #isValidKeyPrefix(String)}
   */
  public static String checkKeyPrefix(String component, String instance, String keyPrefix) {
    Objects.requireNonNull(keyPrefix, "keyPrefix");
    if (!isValidKeyPrefix(keyPrefix)) {
      throw invalid(component, instance, "keyPrefix", KEY_PREFIX_RULE, keyPrefix);
    }
    return keyPrefix;
  }

  /**
   * Returns the exception for a value that breaks a rule, in the one message form
   * {@code <component> '<instance>': <field> must <rule> but was <value>}; a {@link CharSequence} value is quoted,
   * any other is shown as {@link String#valueOf(Object)}.
   *
   * @param component the component, e.g. {@code rate limit}
   * @param instance the instance's name
   * @param field the setting, as its builder method names it
   * @param rule what the value must do, without the leading "must", e.g. {@code be > 0}
   * @param value the rejected value; never a secret
   * @return the exception, to throw
   */
  public static IllegalArgumentException invalid(String component, String instance, String field, String rule,
      Object value) {
    String shown = value instanceof CharSequence ? "'" + value + "'" : String.valueOf(value);
    return new IllegalArgumentException(component + " '" + instance + "': " + field + " must " + rule + " but was "
        + shown);
  }
}
