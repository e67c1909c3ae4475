package io.vtp.app.logging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vtp.app.config.ConfigException;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LogConfigTest {

  @Test
  void fromEnv_defaultsToTextInfoAndEveryRequest() {
    LogConfig c = LogConfig.fromEnv(Map.of());
    assertThat(c.json()).isFalse();
    assertThat(c.rootLevel()).isEqualTo("info");
    assertThat(c.levels()).containsEntry("org.eclipse.jetty", "warn");
    assertThat(c.access()).hasToString("all");
  }

  @Test
  void fromEnv_perLoggerLevelsOverrideTheBuiltInOnes() {
    LogConfig c = LogConfig.fromEnv(Map.of("LOG_FORMAT", "JSON", "LOG_LEVEL", "warn",
        "LOG_LEVELS", "io.vtp.cache=debug, org.eclipse.jetty=INFO,io.vtp.app.access=off"));
    assertThat(c.json()).isTrue();
    assertThat(c.rootLevel()).isEqualTo("warn");
    assertThat(c.levels()).containsEntry("io.vtp.cache", "debug").containsEntry("org.eclipse.jetty", "info")
        .containsEntry("io.vtp.app.access", "off");
  }

  @Test
  void fromEnv_invalidValuesNameTheVariable() {
    assertThatThrownBy(() -> LogConfig.fromEnv(Map.of("LOG_FORMAT", "xml"))).isInstanceOf(ConfigException.class)
        .hasMessageContaining("LOG_FORMAT");
    assertThatThrownBy(() -> LogConfig.fromEnv(Map.of("LOG_LEVELS", "io.vtp=loud"))).isInstanceOf(ConfigException.class)
        .hasMessageContaining("LOG_LEVELS");
    assertThatThrownBy(() -> LogConfig.fromEnv(Map.of("ACCESS_LOG", "sample:2"))).isInstanceOf(ConfigException.class)
        .hasMessageContaining("ACCESS_LOG");
    assertThatThrownBy(() -> LogConfig.fromEnv(Map.of("ACCESS_LOG", "some"))).isInstanceOf(ConfigException.class)
        .hasMessageContaining("ACCESS_LOG");
  }

  @Test
  void accessLogMode_selectsRequests() {
    assertThat(AccessLogMode.parse("all").logs(200, 0.99)).isTrue();
    assertThat(AccessLogMode.parse("off").logs(500, 0.0)).isFalse();
    assertThat(AccessLogMode.parse("errors").logs(404, 0.0)).isFalse();
    assertThat(AccessLogMode.parse("errors").logs(503, 0.99)).isTrue();
    AccessLogMode sample = AccessLogMode.parse("sample:0.01");
    assertThat(sample.logs(200, 0.005)).isTrue();
    assertThat(sample.logs(200, 0.5)).isFalse();
    assertThat(sample.logs(502, 0.5)).isTrue();
    assertThat(sample).hasToString("sample:0.01");
  }
}
