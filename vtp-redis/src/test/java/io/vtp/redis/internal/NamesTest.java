package io.vtp.redis.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The one name rule and the one key-prefix rule. {@code vtp-health}'s {@code CheckNamesTest} checks its copy of the
 * name rule against {@link Names} itself.
 */
class NamesTest {
  static final List<String> VALID_NAMES = List.of("a", "web", "Courses", "course-pages", "login.ip", "v2_api", "0",
      "-", "A.b-C_9", "x".repeat(64));
  static final List<String> INVALID_NAMES = List.of("", "my store", "Courses!", "a:b", "a{b}", "a*", "é", "a\n",
      "tab\t", "x".repeat(65));

  @Test
  void isValidName_acceptsTheSampleNamesAndRejectsTheOthers() {
    assertThat(VALID_NAMES).allMatch(Names::isValidName);
    assertThat(INVALID_NAMES).noneMatch(Names::isValidName);
    assertThat(Names.isValidName(null)).isFalse();
  }

  @Test
  void checkName_rejectsWithComponentInstanceFieldRuleAndValue() {
    assertThat(Names.checkName("cache", "courses")).isEqualTo("courses");
    assertThatThrownBy(() -> Names.checkName("cache", "Courses!")).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("cache 'Courses!': name must be 1 to 64 characters of [A-Za-z0-9._-] but was 'Courses!'");
    assertThatThrownBy(() -> Names.checkName("session store", "")).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("session store '': name must be 1 to 64 characters of [A-Za-z0-9._-] but was ''");
    assertThatThrownBy(() -> Names.checkName("cache", null)).isInstanceOf(NullPointerException.class)
        .hasMessage("name");
  }

  @Test
  void isValidKeyPrefix_allowsPrintableAsciiWithoutSpacesOrBracesUpTo128() {
    assertThat(List.of("", "vtp:session:", "rl:", "vtp:cache:", "App_1.x-y:", "a*?[]\\#/", "p".repeat(128)))
        .allMatch(Names::isValidKeyPrefix);
    assertThat(List.of("app:{x}:", "a}", "a{", "a b", "a\tb", "é:", "a\u007f", "p".repeat(129)))
        .noneMatch(Names::isValidKeyPrefix);
    assertThat(Names.isValidKeyPrefix(null)).isFalse();
  }

  @Test
  void checkKeyPrefix_rejectsWithComponentInstanceFieldRuleAndValue() {
    assertThat(Names.checkKeyPrefix("session store", "web", "")).isEmpty();
    assertThatThrownBy(() -> Names.checkKeyPrefix("session store", "web", "app:{x}:"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("session store 'web': keyPrefix must be at most 128 printable ASCII characters without spaces "
            + "or braces but was 'app:{x}:'");
    assertThatThrownBy(() -> Names.checkKeyPrefix("rate limit", "api", null)).isInstanceOf(NullPointerException.class)
        .hasMessage("keyPrefix");
  }

  @Test
  void invalid_quotesTextAndShowsOtherValuesAsTheyAre() {
    assertThat(Names.invalid("rate limit", "api", "limit", "be > 0", 0L))
        .hasMessage("rate limit 'api': limit must be > 0 but was 0");
    assertThat(Names.invalid("cache", "courses", "keyPrefix", "be short", "a b"))
        .hasMessage("cache 'courses': keyPrefix must be short but was 'a b'");
  }
}
