package io.vtp.health.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HealthJsonTest {
  private static String quoted(String s) {
    StringBuilder sb = new StringBuilder("x=");
    HealthJson.string(sb, s);
    return sb.toString();
  }

  @Test
  void plainStringsAreCopiedAsTheyAre() {
    assertThat(quoted("backend-1")).isEqualTo("x=\"backend-1\"");
    assertThat(quoted("2026-12-07T14:51:09.123Z")).isEqualTo("x=\"2026-12-07T14:51:09.123Z\"");
    assertThat(quoted("")).isEqualTo("x=\"\"");
    assertThat(quoted("é ü")).isEqualTo("x=\"é ü\"");
  }

  @Test
  void everyCharacterJsonForbidsIsEscapedWhereverItStands() {
    assertThat(quoted("\"")).isEqualTo("x=\"\\\"\"");
    assertThat(quoted("a\\b")).isEqualTo("x=\"a\\\\b\"");
    assertThat(quoted("line1\nline2\r\t\b\f")).isEqualTo("x=\"line1\\nline2\\r\\t\\b\\f\"");
    assertThat(quoted("ok\u0001")).isEqualTo("x=\"ok\\u0001\"");
    assertThat(quoted("\u2028sep\u2029")).isEqualTo("x=\"\\u2028sep\\u2029\"");
    assertThat(quoted("redis: \"down\" after 3 tries")).isEqualTo("x=\"redis: \\\"down\\\" after 3 tries\"");
  }
}
