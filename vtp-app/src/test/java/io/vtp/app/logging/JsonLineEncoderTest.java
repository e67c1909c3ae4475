package io.vtp.app.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonLineEncoderTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void encode_writesOneParsableObjectPerLineWithMdcAndKeyValues() throws Exception {
    LoggerContext context = new LoggerContext();
    JsonLineEncoder encoder = new JsonLineEncoder();
    encoder.setContext(context);
    encoder.setInstance("backend-2");
    encoder.start();
    LoggingEvent event = new LoggingEvent("x", context.getLogger("io.vtp.app.access"), Level.INFO,
        "GET /a\"b\\c\n\u0001 200", new IllegalStateException("boom"), null);
    event.setMDCPropertyMap(Map.of("trace_id", "4bf92f3577b34da6a3ce929d0e0e4736", "request_id", "r1"));
    event.addKeyValuePair(new org.slf4j.event.KeyValuePair("status", 200));
    event.addKeyValuePair(new org.slf4j.event.KeyValuePair("duration_ms", 1.5));
    event.addKeyValuePair(new org.slf4j.event.KeyValuePair("route", "/api/v1/courses/{id}"));
    String line = new String(encoder.encode(event), StandardCharsets.UTF_8);

    assertThat(line).endsWith("}\n");
    assertThat(line.substring(0, line.length() - 1)).doesNotContain("\n");
    JsonNode n = JSON.readTree(line);
    assertThat(n.path("level").asText()).isEqualTo("INFO");
    assertThat(n.path("logger").asText()).isEqualTo("io.vtp.app.access");
    assertThat(n.path("message").asText()).isEqualTo("GET /a\"b\\c\n\u0001 200");
    assertThat(n.path("instance").asText()).isEqualTo("backend-2");
    assertThat(n.path("trace_id").asText()).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
    assertThat(n.path("status").isInt()).isTrue();
    assertThat(n.path("duration_ms").asDouble()).isEqualTo(1.5);
    assertThat(n.path("route").asText()).isEqualTo("/api/v1/courses/{id}");
    assertThat(n.path("timestamp").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
    assertThat(n.path("exception").asText()).startsWith("java.lang.IllegalStateException: boom");
  }
}
