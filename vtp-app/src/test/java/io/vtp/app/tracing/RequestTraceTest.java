package io.vtp.app.tracing;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RequestTraceTest {

  @Test
  void traceIdOf_acceptsOnlyValidW3cHeaders() {
    assertThat(RequestTrace.traceIdOf("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"))
        .isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
    assertThat(RequestTrace.traceIdOf(null)).isNull();
    assertThat(RequestTrace.traceIdOf("00-00000000000000000000000000000000-00f067aa0ba902b7-01")).isNull();
    assertThat(RequestTrace.traceIdOf("00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01")).isNull();
    assertThat(RequestTrace.traceIdOf("00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01")).isNull();
    assertThat(RequestTrace.traceIdOf("ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")).isNull();
    assertThat(RequestTrace.traceIdOf("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-x")).isNull();
    // A future version may append fields after a dash.
    assertThat(RequestTrace.traceIdOf("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-x"))
        .isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
  }
}
