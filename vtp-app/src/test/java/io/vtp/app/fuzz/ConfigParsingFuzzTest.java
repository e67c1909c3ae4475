package io.vtp.app.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.vtp.app.config.Cidr;
import io.vtp.app.config.ConfigException;
import io.vtp.app.config.DatabaseUrl;
import io.vtp.redis.RedisUrl;
import java.nio.charset.StandardCharsets;

/**
 * Connection strings and proxy networks from the environment: {@link RedisUrl}, {@link DatabaseUrl} and
 * {@link Cidr} parse any text into a value or a {@link ConfigException} naming the variable; never another
 * exception, and a parsed value prints its password masked.
 *
 * <p>Regression mode in the ordinary build; {@code JAZZER_FUZZ=1} fuzzes.
 */
class ConfigParsingFuzzTest {

  @FuzzTest(maxDuration = "60s")
  void parse_answersAValueOrAConfigException(byte[] input) {
    String text = new String(input, StandardCharsets.UTF_8);
    try {
      RedisUrl url = RedisUrl.parse("REDIS_URL", text);
      assertThat(url.nodes()).isNotEmpty();
      assertThat(url.toString()).endsWith(url.password() == null ? "password=none]" : "password=****]");
    } catch (IllegalArgumentException e) {
      assertThat(e.getMessage()).contains("REDIS_URL");
    }
    try {
      DatabaseUrl db = DatabaseUrl.parse("DATABASE_URL", text);
      assertThat(db.jdbcUrl()).startsWith("jdbc:postgresql://");
      assertThat(db.toString()).endsWith(db.password() == null ? "password=none]" : "password=****]");
    } catch (ConfigException e) {
      assertThat(e.getMessage()).contains("DATABASE_URL");
    }
    try {
      Cidr cidr = Cidr.parse("TRUSTED_PROXIES", text);
      assertThat(cidr.prefix()).isBetween(0, cidr.network().length * 8);
    } catch (ConfigException e) {
      assertThat(e.getMessage()).contains("TRUSTED_PROXIES");
    }
  }
}
