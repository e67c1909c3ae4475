package io.vtp.health;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The rule for health check names: the same rule and message form as {@code io.vtp.redis.internal.Names} in
 * {@code vtp-redis}, which the Redis-backed modules use for their instance names. It is mirrored here rather than
 * shared because {@code vtp-health} must not depend on {@code vtp-redis}: that would put Jedis on the class path
 * of every user, while Jedis is optional here (only the Redis check needs it). {@code CheckNamesTest} checks this rule
 * against {@code Names} itself on thousands of probes, so the two copies cannot drift apart unnoticed. Stateless and
 * thread-safe.
 */
final class CheckNames {
  /** The name rule in words, as it appears in messages. */
  static final String NAME_RULE = "be 1 to 64 characters of [A-Za-z0-9._-]";

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");

  private CheckNames() {}

  /**
   * Returns whether {@code name} is a valid check name: 1 to 64 characters of {@code [A-Za-z0-9._-]}.
   *
   * @param name the name
   * @return whether it is valid; {@code false} for {@code null}
   */
  static boolean isValid(String name) {
    return name != null && NAME.matcher(name).matches();
  }

  /**
   * Checks a check's name.
   *
   * @param name the name
   * @return {@code name}
   * @throws NullPointerException with message {@code name} when {@code name} is {@code null}
   * @throws IllegalArgumentException as {@code health check '<name>': name must be 1 to 64 characters of
   *     [A-Za-z0-9._-] but was '<name>'}
   */
  static String check(String name) {
    Objects.requireNonNull(name, "name");
    if (!isValid(name)) {
      throw new IllegalArgumentException("health check '" + name + "': name must " + NAME_RULE + " but was '" + name
          + "'");
    }
    return name;
  }
}
