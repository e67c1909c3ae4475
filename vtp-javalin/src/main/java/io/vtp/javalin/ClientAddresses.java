package io.vtp.javalin;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * Who sent a request, believing {@code X-Forwarded-For}, {@code X-Real-IP}, {@code X-Forwarded-Proto} and
 * {@code X-Request-Id} only when the TCP peer is a trusted proxy (OWASP ASVS 4.1.3). The client address is the
 * right-most address in {@code X-Forwarded-For} that is not itself a trusted proxy, so a client cannot choose its
 * own address by sending the header (nginx overwrites it anyway). Framework-free; {@link ClientAddressPlugin} applies it
 * to Javalin requests.
 *
 * <p>Thread-safe: one instance serves every request.
 */
public final class ClientAddresses {
  private static final Pattern REQUEST_ID = Pattern.compile("[A-Za-z0-9._-]{1,128}");

  private static final HexFormat HEX = HexFormat.of();
  /** Most addresses remembered; past it the memory starts over (addresses come from the network). */
  private static final int MAX_REMEMBERED = 10_000;
  private static final Peer NOT_AN_ADDRESS = new Peer(null, null, false);

  private final List<Cidr> trusted;
  /** Parsed addresses and whether they are trusted: the same few proxies send every request. */
  private final Map<String, Peer> peers = new ConcurrentHashMap<>();

  /** An address as parsed: {@code address} and {@code normalized} are {@code null} when it is not a literal. */
  private record Peer(InetAddress address, String normalized, boolean trusted) {}

  private ClientAddresses(List<Cidr> trusted) {
    this.trusted = List.copyOf(trusted);
  }

  /**
   * Creates a resolver that believes forwarding headers from the given networks only.
   *
   * @param setting the setting the networks come from, named in messages (e.g. {@code TRUSTED_PROXIES}); not
   *     {@code null}
   * @param trustedProxies CIDRs or single addresses ({@code 10.0.0.0/8}, {@code ::1}); empty to trust no proxy;
   *     not {@code null}
   * @return the resolver; never {@code null}
   * @throws NullPointerException when an argument or an entry is {@code null}
   * @throws IllegalArgumentException when an entry is not a literal network; the message names {@code setting}
   */
  public static ClientAddresses trusting(String setting, List<String> trustedProxies) {
    java.util.Objects.requireNonNull(setting, "setting");
    List<Cidr> list = new ArrayList<>();
    for (String c : java.util.Objects.requireNonNull(trustedProxies, setting)) {
      list.add(Cidr.parse(setting, java.util.Objects.requireNonNull(c, setting + " entry")));
    }
    return new ClientAddresses(list);
  }

  /**
   * Returns the trusted networks.
   *
   * @return the networks, unmodifiable; never {@code null}
   */
  public List<Cidr> trustedProxies() {
    return trusted;
  }

  /**
   * Returns whether an address is a trusted proxy.
   *
   * @param address a literal address; {@code null} or a non-literal is never trusted
   * @return true when it lies in a trusted network
   */
  public boolean isTrusted(String address) {
    return peer(address).trusted();
  }

  private Peer peer(String address) {
    if (address == null) {
      return NOT_AN_ADDRESS;
    }
    Peer p = peers.get(address);
    if (p == null) {
      InetAddress a = parse(address);
      boolean isTrusted = false;
      for (int i = 0; a != null && i < trusted.size() && !isTrusted; i++) {
        isTrusted = trusted.get(i).contains(a);
      }
      p = a == null ? NOT_AN_ADDRESS : new Peer(a, a.getHostAddress(), isTrusted);
      if (peers.size() >= MAX_REMEMBERED) {
        peers.clear();
      }
      peers.put(address, p);
    }
    return p;
  }

  /**
   * Returns the client's address.
   *
   * @param peer the TCP peer address; not {@code null}
   * @param forwardedFor the {@code X-Forwarded-For} header, or {@code null}
   * @param realIp the {@code X-Real-IP} header, or {@code null}
   * @return the client address, normalized; never {@code null}
   */
  public String clientIp(String peer, String forwardedFor, String realIp) {
    if (!isTrusted(peer)) {
      return normalize(peer);
    }
    if (forwardedFor != null && !forwardedFor.isBlank()) {
      String[] hops = forwardedFor.split(",");
      for (int i = hops.length - 1; i >= 0; i--) {
        Peer hop = peer(hops[i].trim());
        if (hop.address() == null) {
          // Garbage in the header: stop believing it and use what we know.
          break;
        }
        if (!hop.trusted()) {
          return hop.normalized();
        }
      }
    }
    if (realIp != null && peer(realIp.trim()).address() != null) {
      return normalize(realIp.trim());
    }
    return normalize(peer);
  }

  /**
   * Returns whether the original request used TLS: {@code X-Forwarded-Proto: https} from a trusted proxy, or a
   * TLS connection to us.
   *
   * @param peer the TCP peer; {@code null} is never trusted
   * @param forwardedProto the {@code X-Forwarded-Proto} header, or {@code null}
   * @param directScheme the scheme of the connection to us, or {@code null}
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
   * @param peer the TCP peer; {@code null} is never trusted
   * @param header the {@code X-Request-Id} header, or {@code null}
   * @return the id; never {@code null}
   */
  public String requestId(String peer, String header) {
    if (header != null && REQUEST_ID.matcher(header).matches() && isTrusted(peer)) {
      return header;
    }
    // Correlation, not a secret: a fast non-cryptographic generator (the secure one serializes on /dev/urandom).
    ThreadLocalRandom r = ThreadLocalRandom.current();
    return HEX.toHexDigits(r.nextLong()) + HEX.toHexDigits(r.nextInt());
  }

  @Override
  public String toString() {
    return "ClientAddresses[trusted=" + trusted + "]";
  }

  private String normalize(String address) {
    Peer p = peer(address);
    return p.normalized() == null ? address : p.normalized();
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
