package io.vtp.spring.boot.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

/** A Redis that does not answer: requests that need their session get 503 with Retry-After, never 500. */
class SessionOutageIT {

  @Test
  void redisDown_sessionRequestsGet503WithRetryAfter_andOpenPagesStillWork() throws IOException {
    int deadPort;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      deadPort = socket.getLocalPort(); // closed again below: nothing listens there
    }
    try (ConfigurableApplicationContext app = LoginTestApp.start("redis://127.0.0.1:" + deadPort, "outage:")) {
      int port = LoginTestApp.port(app);
      Browser browser = new Browser();
      browser.session = "A".repeat(59); // well formed, so the store asks Redis

      HttpResponse<String> answer = browser.get(port, "/whoami");
      assertThat(answer.statusCode()).isEqualTo(503);
      assertThat(answer.headers().firstValue("Retry-After")).hasValue("1");
      assertThat(answer.headers().firstValue("Content-Type")).hasValueSatisfying(
          t -> assertThat(t).startsWith("application/problem+json"));
      assertThat(answer.body()).contains("\"status\":503").doesNotContain("Exception");

      // The login page writes through getWriter() before its new session (the CSRF token) fails to save.
      Browser fresh = new Browser();
      HttpResponse<String> login = fresh.get(port, "/login");
      assertThat(login.statusCode()).isEqualTo(503);
      assertThat(login.headers().firstValue("Retry-After")).hasValue("1");
      assertThat(login.body()).contains("\"status\":503").doesNotContain("<form");

      assertThat(new Browser().get(port, "/public").statusCode()).isEqualTo(200);
    }
  }
}
