package io.vtp.app.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.vtp.javalin.ClientAddresses;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Client address, scheme and request id from a peer address and the headers a proxy may set. The input is four
 * lines: peer, X-Forwarded-For, X-Real-IP, X-Request-Id (missing lines are absent headers). Whatever they hold:
 * nothing is thrown; a peer that is not a trusted proxy gets no say from its headers (its own address, plain
 * scheme, a fresh request id); a request id is always a safe token.
 *
 * <p>Regression mode in the ordinary build; {@code JAZZER_FUZZ=1} fuzzes.
 */
class ClientInfoFuzzTest {
  private static final ClientAddresses CLIENTS = ClientAddresses.trusting("TRUSTED_PROXIES", List.of("127.0.0.0/8", "::1/128"));

  @FuzzTest(maxDuration = "60s")
  void clientIp_untrustedPeersCannotChooseTheirAddress(byte[] input) {
    String[] parts = new String(input, StandardCharsets.UTF_8).split("\n", -1);
    String peer = parts[0];
    String forwardedFor = parts.length > 1 ? parts[1] : null;
    String realIp = parts.length > 2 ? parts[2] : null;
    String requestId = parts.length > 3 ? parts[3] : null;

    String ip = CLIENTS.clientIp(peer, forwardedFor, realIp);
    assertThat(ip).isNotNull();
    String id = CLIENTS.requestId(peer, requestId);
    assertThat(id).matches("[A-Za-z0-9._-]{1,128}");
    if (!CLIENTS.isTrusted(peer)) {
      assertThat(ip).isEqualTo(CLIENTS.clientIp(peer, null, null));
      assertThat(CLIENTS.isSecure(peer, forwardedFor, "http")).isFalse();
      if (requestId != null) {
        assertThat(id).isNotEqualTo(requestId);
      }
    }
  }
}
