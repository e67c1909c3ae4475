package io.vtp.cache;

import java.util.Objects;
import java.util.Optional;

/**
 * What a {@link CacheLoader} found: a value, or "not found". "Not found" is a real answer that the cache stores
 * (negative caching, with its own shorter time-to-live), so a missing id does not reach the database on every read.
 *
 * <p>Immutable and thread-safe.
 *
 * @param <V> the value type
 */
public final class Loaded<V> {
  private static final Loaded<?> NOT_FOUND = new Loaded<>(null);

  private final V value;

  private Loaded(V value) {
    this.value = value;
  }

  /**
   * A found value.
   *
   * @param value the value; not {@code null}
   * @param <V> the value type
   * @return the result; never {@code null}
   * @throws NullPointerException when {@code value} is {@code null} (use {@link #notFound()} or {@link #ofNullable})
   */
  public static <V> Loaded<V> of(V value) {
    return new Loaded<>(Objects.requireNonNull(value, "value"));
  }

  /**
   * "Not found".
   *
   * @param <V> the value type
   * @return the shared not-found result; never {@code null}
   */
  @SuppressWarnings("unchecked")
  public static <V> Loaded<V> notFound() {
    return (Loaded<V>) NOT_FOUND;
  }

  /**
   * A found value, or "not found" when {@code value} is {@code null}.
   *
   * @param value the value, or {@code null}
   * @param <V> the value type
   * @return the result; never {@code null}
   */
  public static <V> Loaded<V> ofNullable(V value) {
    return value == null ? notFound() : new Loaded<>(value);
  }

  /**
   * A found value when {@code value} is present, else "not found".
   *
   * @param value an optional value; not {@code null}
   * @param <V> the value type
   * @return the result; never {@code null}
   */
  public static <V> Loaded<V> fromOptional(Optional<V> value) {
    return ofNullable(Objects.requireNonNull(value, "value").orElse(null));
  }

  /**
   * Returns whether a value was found.
   *
   * @return whether a value was found
   */
  public boolean isFound() {
    return value != null;
  }

  /**
   * Returns the value as an {@link Optional}: empty for "not found".
   *
   * @return the value; never {@code null}
   */
  public Optional<V> toOptional() {
    return Optional.ofNullable(value);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Loaded<?> other && Objects.equals(value, other.value);
  }

  @Override
  public int hashCode() {
    return Objects.hashCode(value);
  }

  @Override
  public String toString() {
    return value == null ? "Loaded[not found]" : "Loaded[" + value + "]";
  }
}
