package io.vtp.javalin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class ClientAddressesTest {
  private final ClientAddresses info = ClientAddresses.trusting("TRUSTED_PROXIES", List.of("127.0.0.0/8", "::1/128", "10.0.0.0/8"));

  @Test
  void clientIp_fromAnUntrustedPeerIgnoresForwardingHeaders() {
    assertThat(info.clientIp("203.0.113.7", "1.2.3.4", "5.6.7.8")).isEqualTo("203.0.113.7");
  }

  @Test
  void clientIp_fromATrustedProxyTakesTheRightmostUntrustedHop() {
    // A client that prepends a fake address cannot choose its own: nginx appends (or overwrites) the real one.
    assertThat(info.clientIp("127.0.0.1", "6.6.6.6, 198.51.100.9", null)).isEqualTo("198.51.100.9");
    assertThat(info.clientIp("127.0.0.1", "198.51.100.9, 10.0.0.5", null)).isEqualTo("198.51.100.9");
    assertThat(info.clientIp("127.0.0.1", null, "198.51.100.10")).isEqualTo("198.51.100.10");
    assertThat(info.clientIp("127.0.0.1", null, null)).isEqualTo("127.0.0.1");
  }

  @Test
  void clientIp_garbageInTheHeaderFallsBackToWhatIsKnown() {
    assertThat(info.clientIp("127.0.0.1", "not-an-ip", null)).isEqualTo("127.0.0.1");
    assertThat(info.clientIp("127.0.0.1", "evil.example.com", "also bad")).isEqualTo("127.0.0.1");
  }

  @Test
  void isSecure_believesForwardedProtoOnlyFromTrustedProxies() {
    assertThat(info.isSecure("127.0.0.1", "https", "http")).isTrue();
    assertThat(info.isSecure("203.0.113.7", "https", "http")).isFalse();
    assertThat(info.isSecure("203.0.113.7", null, "https")).isTrue();
  }

  @Test
  void requestId_isEchoedOnlyFromTrustedProxiesAndWhenSane() {
    assertThat(info.requestId("127.0.0.1", "abc-123")).isEqualTo("abc-123");
    assertThat(info.requestId("203.0.113.7", "abc-123")).isNotEqualTo("abc-123").matches("[0-9a-f]{24}");
    assertThat(info.requestId("127.0.0.1", "a b")).matches("[0-9a-f]{24}");
    assertThat(info.requestId("127.0.0.1", "x".repeat(200))).matches("[0-9a-f]{24}");
  }

  @Test
  void trusting_rejectsHostNamesAndBadPrefixesNamingTheSetting() throws Exception {
    assertThatThrownBy(() -> ClientAddresses.trusting("trustedProxies", List.of("proxy.internal")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("trustedProxies entries must be IP networks").hasMessageContaining("proxy.internal");
    assertThatThrownBy(() -> Cidr.parse("trustedProxies", "10.0.0.0/33")).hasMessageContaining("prefix must be 0..32");
    assertThat(Cidr.parse("p", "10.1.0.0/16").contains(java.net.InetAddress.getByName("::ffff:10.1.2.3"))).isTrue();
    assertThat(Cidr.literal("300.1.1.1")).isNull();
  }
}
