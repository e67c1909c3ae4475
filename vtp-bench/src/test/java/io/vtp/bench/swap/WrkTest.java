package io.vtp.bench.swap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import org.junit.jupiter.api.Test;

class WrkTest {

  @Test
  void parse_summaryLine_givesRequestsNon200AndPercentiles() throws IOException {
    String out = "Running 5s test @ http://127.0.0.1:33080/account\n  2 threads and 32 connections\n"
        + "VTP-WRK requests=5000 duration_us=5000000 non200=3 socket_errors=1 p50_us=2500 p90_us=4000"
        + " p99_us=9000 max_us=20000\n";

    Wrk.Result r = Wrk.parse(out);

    assertThat(r.requests()).isEqualTo(5000);
    assertThat(r.seconds()).isEqualTo(5.0);
    assertThat(r.answered()).isEqualTo(4996);
    assertThat(r.p50Ms()).isEqualTo(2.5);
    assertThat(r.p99Ms()).isEqualTo(9.0);
  }

  @Test
  void parse_withoutSummaryLine_failsWithWrksOutput() {
    assertThatThrownBy(() -> Wrk.parse("unable to connect to 127.0.0.1:33080 Connection refused\n"))
        .isInstanceOf(IOException.class).hasMessageContaining("Connection refused");
  }
}
