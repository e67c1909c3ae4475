package io.vtp.cache.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.StringLength;

/** Any caller key maps to a bounded key part of safe characters; distinct keys stay distinct. */
class KeySchemePropertiesTest {
  private final KeyScheme keys = new KeyScheme("app:", "courses", 32);

  @Property
  void part_isSafeAndBounded(@ForAll @StringLength(min = 1, max = 300) String key) {
    String part = keys.part(key);
    assertThat(part.length()).isLessThanOrEqualTo(44);
    assertThat(part).matches("#[A-Za-z0-9_-]{43}|[A-Za-z0-9_.:-]{1,32}");
    assertThat(keys.valueKey(part)).startsWith("app:courses:{").endsWith("}");
  }

  @Property
  void part_isInjective(@ForAll @StringLength(min = 1, max = 40) String a,
      @ForAll @StringLength(min = 1, max = 40) String b) {
    if (!a.equals(b)) {
      assertThat(keys.part(a)).isNotEqualTo(keys.part(b));
    }
  }

  @Property
  void part_keepsSafeShortKeysReadable(@ForAll("safe") String key) {
    assertThat(keys.part(key)).isEqualTo(key);
  }

  @net.jqwik.api.Example
  void pattern_escapesGlobCharactersOfThePrefix() {
    // A prefix may hold glob characters since the cache shares the key-prefix rule of the other modules.
    assertThat(new KeyScheme("a*[b]?\\:", "Courses", 32).pattern()).isEqualTo("a\\*\\[b\\]\\?\\\\:Courses:*");
    assertThat(keys.pattern()).isEqualTo("app:courses:*");
  }

  @net.jqwik.api.Example
  void part_emptyKey_isRejectedNamingTheCache() {
    assertThatThrownBy(() -> keys.part("")).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("cache 'courses': key must not be empty");
    assertThatThrownBy(() -> keys.part(null)).isInstanceOf(NullPointerException.class).hasMessage("key");
  }

  @net.jqwik.api.Provide
  net.jqwik.api.Arbitrary<String> safe() {
    return net.jqwik.api.Arbitraries.strings().withChars("abcXYZ019_.:-").ofMinLength(1).ofMaxLength(32);
  }
}
