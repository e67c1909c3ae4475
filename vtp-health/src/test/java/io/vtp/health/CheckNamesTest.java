package io.vtp.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vtp.redis.internal.Names;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Health check names follow the one name rule of {@code vtp-redis}'s {@link Names}, which vtp-health cannot use at
 * run time (it would force Jedis on its users): checked here against {@code Names} itself (a test-only dependency).
 */
class CheckNamesTest {
  private static final String ALPHABET = "aZ09._-:{} *!é\t\n/";

  @Test
  void isValid_agreesWithNamesOnEveryProbe() {
    List<String> probes = new ArrayList<>(List.of("", "a", "Courses", "my store", "Courses!", "-", "A.b-C_9", "é",
        "x".repeat(64), "x".repeat(65)));
    Random random = new Random(42);
    for (int i = 0; i < 5_000; i++) {
      StringBuilder b = new StringBuilder();
      int length = random.nextInt(70);
      for (int j = 0; j < length; j++) {
        b.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
      }
      probes.add(b.toString());
    }
    for (String name : probes) {
      assertThat(CheckNames.isValid(name)).as("'%s'", name).isEqualTo(Names.isValidName(name));
    }
    assertThat(probes).anyMatch(CheckNames::isValid).anyMatch(n -> !CheckNames.isValid(n));
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
