package io.vtp.spring.boot.session;

/**
 * Turns session attribute values into JSON values and back, so {@link VtpSessionRepository} can keep them in
 * {@code vtp-session}, which stores JSON only. Never Java serialization.
 *
 * <p>A JSON value is a {@code String}, {@code Boolean}, {@code Long}, finite {@code Double}, or a {@code List} or
 * {@code Map<String, ?>} of JSON values (see {@link io.vtp.session.Session}).
 *
 * <p>The default ({@link VtpSessionAutoConfiguration#sessionAttributeCodec}) writes strings, booleans, longs and
 * doubles as themselves and anything else through Jackson 3 with Spring Security's Jackson modules, whose type
 * allowlist decides which classes a stored document may name; declare a bean of this type to replace it.
 *
 * <p>Implementations must be thread-safe.
 */
public interface SessionAttributeCodec {

  /**
   * Encodes one attribute value.
   *
   * @param name the attribute name, for messages; never {@code null}
   * @param value the value; never {@code null}
   * @return a JSON value; never {@code null}
   * @throws IllegalArgumentException when the value cannot be written as JSON (the message names the attribute and
   *     the value's type, never the value)
   */
  Object encode(String name, Object value);

  /**
   * Decodes one attribute value read from the store.
   *
   * @param name the attribute name, for messages; never {@code null}
   * @param json the stored JSON value; never {@code null}
   * @return the value, or {@code null} when it cannot be read back safely (unknown shape, or a type that is not
   *     allowed): the attribute then reads as absent, and no class outside the allowlist is instantiated
   */
  Object decode(String name, Object json);
}
