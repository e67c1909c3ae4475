package io.vtp.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Health check names follow the one name rule of {@code io.vtp.redis.internal.Names}: these are the sample names of
 * {@code NamesTest} in {@code vtp-redis}; change both together.
 */
class CheckNamesTest {
  static final List<String> VALID_NAMES = List.of("a", "web", "Courses", "course-pages", "login.ip", "v2_api", "0",
      "-", "A.b-C_9", "x".repeat(64));
  static final List<String> INVALID_NAMES = List.of("", "my store", "Courses!", "a:b", "a{b}", "a*", "é", "a\n",
      "tab\t", "x".repeat(65));

  @Test
  void isValid_acceptsAndRejectsTheSameSampleNamesAsNames() {
    assertThat(VALID_NAMES).allMatch(CheckNames::isValid);
    assertThat(INVALID_NAMES).noneMatch(CheckNames::isValid);
    assertThat(CheckNames.isValid(null)).isFalse();
  }

  @Test
  void check_rejectsInTheOneMessageForm() {
    assertThat(CheckNames.check("postgresql")).isEqualTo("postgresql");
    assertThatThrownBy(() -> CheckNames.check("Bad Name")).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("health check 'Bad Name': name must be 1 to 64 characters of [A-Za-z0-9._-] but was 'Bad Name'");
    assertThatThrownBy(() -> CheckNames.check(null)).isInstanceOf(NullPointerException.class).hasMessage("name");
  }
}
