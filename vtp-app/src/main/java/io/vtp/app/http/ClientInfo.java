package io.vtp.app.http;

import io.vtp.app.config.Cidr;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Who sent a request, believing {@code X-Forwarded-For}, {@code X-Real-IP}, {@code X-Forwarded-Proto} and
 * {@code X-Request-Id} only when the TCP peer is a trusted proxy (OWASP ASVS 4.1.3). The client address is the
 * right-most address in {@code X-Forwarded-For} that is not itself a trusted proxy, so a client cannot choose its
 * own address by sending the header (nginx overwrites it anyway).
 *
 * <p>Thread-safe.
 */
public final class ClientInfo {
  private static final Pattern REQUEST_ID = Pattern.compile("[A-Za-z0-9._-]{1,128}");

  private final List<Cidr> trusted;
  private final SecureRandom random = new SecureRandom();

  /**
   * Creates the resolver.
   *
   * @param trustedProxies CIDRs whose forwarding headers are believed
   */
  public ClientInfo(List<String> trustedProxies) {
    List<Cidr> list = new ArrayList<>();
    trustedProxies.forEach(c -> list.add(Cidr.parse("TRUSTED_PROXIES", c)));
    this.trusted = List.copyOf(list);
  }

  /**
   * Returns whether an address is a trusted proxy.
   *
   * @param address a literal address
   * @return true when it lies in a trusted network
   */
  public boolean isTrusted(String address) {
    InetAddress a = parse(address);
    if (a == null) {
      return false;
    }
    for (Cidr c : trusted) {
      if (c.contains(a)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Returns the client's address.
   *
   * @param peer the TCP peer address
   * @param forwardedFor the {@code X-Forwarded-For} header, or {@code null}
   * @param realIp the {@code X-Real-IP} header, or {@code null}
   * @return the client address, normalized
   */
  public String clientIp(String peer, String forwardedFor, String realIp) {
    if (!isTrusted(peer)) {
      return normalize(peer);
    }
    if (forwardedFor != null && !forwardedFor.isBlank()) {
      String[] hops = forwardedFor.split(",");
      for (int i = hops.length - 1; i >= 0; i--) {
        String hop = hops[i].trim();
        InetAddress a = parse(hop);
        if (a == null) {
          // Garbage in the header: stop believing it and use what we know.
          break;
        }
        if (!isTrusted(hop)) {
          return a.getHostAddress();
        }
      }
    }
    if (realIp != null && parse(realIp.trim()) != null) {
      return normalize(realIp.trim());
    }
    return normalize(peer);
  }

  /**
   * Returns whether the original request used TLS: {@code X-Forwarded-Proto: https} from a trusted proxy, or a
   * TLS connection to us.
   *
   * @param peer the TCP peer
   * @param forwardedProto the {@code X-Forwarded-Proto} header, or {@code null}
   * @param directScheme the scheme of the connection to us
   * @return true for TLS
   */
  public boolean isSecure(String peer, String forwardedProto, String directScheme) {
    if ("https".equalsIgnoreCase(directScheme)) {
      return true;
    }
    return isTrusted(peer) && forwardedProto != null && "https".equalsIgnoreCase(forwardedProto.trim());
  }

  /**
   * Returns the request id: the proxy's {@code X-Request-Id} when the peer is trusted and the value is sane, else
   * a new random one.
   *
   * @param peer the TCP peer
   * @param header the {@code X-Request-Id} header, or {@code null}
   * @return the id
   */
  public String requestId(String peer, String header) {
    if (header != null && REQUEST_ID.matcher(header).matches() && isTrusted(peer)) {
      return header;
    }
    byte[] b = new byte[12];
    random.nextBytes(b);
    return HexFormat.of().formatHex(b);
  }

  private static String normalize(String address) {
    InetAddress a = parse(address);
    return a == null ? address : a.getHostAddress();
  }

  private static InetAddress parse(String address) {
    if (address == null) {
      return null;
    }
    String a = address.startsWith("[") && address.endsWith("]") ? address.substring(1, address.length() - 1) : address;
    byte[] bytes = Cidr.literal(a);
    if (bytes == null) {
      return null;
    }
    try {
      return InetAddress.getByAddress(bytes);
    } catch (UnknownHostException e) {
      return null;
    }
  }
}
