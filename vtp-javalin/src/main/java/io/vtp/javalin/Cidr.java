package io.vtp.javalin;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An IPv4 or IPv6 network in CIDR notation, such as a trusted proxy network. Parsing never does a DNS lookup: a
 * host name is rejected, not resolved.
 *
 * <p>Immutable and thread-safe.
 *
 * @param network the network address bytes
 * @param prefix the prefix length
 */
public record Cidr(byte[] network, int prefix) {
  // Compiled once: literal() runs for every request (the peer address against the trusted proxies).
  private static final Pattern DOTTED = Pattern.compile("[0-9.]+");
  private static final Pattern IPV4 = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");
  private static final Pattern IPV6_CHARS = Pattern.compile("[0-9A-Fa-f:.]+");

  /**
   * Creates a network; copies the bytes.
   *
   * @param network the network address bytes, 4 or 16 of them; not {@code null}
   * @param prefix the prefix length, 0 to 8 times the byte count
   * @throws NullPointerException when {@code network} is {@code null}
   * @throws IllegalArgumentException when the byte count is not 4 or 16 or the prefix is out of range
   */
  public Cidr {
    network = java.util.Objects.requireNonNull(network, "network").clone();
    if (network.length != 4 && network.length != 16) {
      throw new IllegalArgumentException("network must have 4 or 16 bytes but had " + network.length);
    }
    if (prefix < 0 || prefix > network.length * 8) {
      throw new IllegalArgumentException("prefix must be 0.." + network.length * 8 + " but was " + prefix);
    }
  }

  /**
   * Returns a copy of the network address bytes.
   *
   * @return the bytes; never {@code null}
   */
  @Override
  public byte[] network() {
    return network.clone();
  }

  /**
   * Parses {@code a.b.c.d/n}, {@code ::1/128} or a single address (a full-length prefix).
   *
   * @param variable the setting the text comes from, named in messages; not {@code null}
   * @param text the CIDR; not {@code null}
   * @return the network; never {@code null}
   * @throws IllegalArgumentException when it is not a literal address with a valid prefix; the message names
   *     {@code variable} and the rule
   */
  public static Cidr parse(String variable, String text) {
    String t = text.trim();
    int slash = t.indexOf('/');
    String addr = slash < 0 ? t : t.substring(0, slash);
    byte[] bytes = literal(addr);
    if (bytes == null) {
      throw new IllegalArgumentException(variable + " entries must be IP networks like 10.0.0.0/8 or ::1/128 (literal addresses: "
          + "host names are never resolved; IPv4 octets 0..255) but one was '" + t + "'");
    }
    int max = bytes.length * 8;
    int prefix = max;
    if (slash >= 0) {
      try {
        prefix = Integer.parseInt(t.substring(slash + 1));
      } catch (NumberFormatException e) {
        prefix = -1;
      }
      if (prefix < 0 || prefix > max) {
        throw new IllegalArgumentException(variable + " prefix must be 0.." + max + " in '" + t + "'");
      }
    }
    return new Cidr(bytes, prefix);
  }

  /**
   * Returns whether an address lies in this network.
   *
   * @param address the address; never {@code null}
   * @return true when it matches
   */
  public boolean contains(InetAddress address) {
    byte[] a = address.getAddress();
    if (a.length != network.length) {
      // IPv4-mapped IPv6 addresses match IPv4 networks.
      if (a.length == 16 && network.length == 4 && isMapped(a)) {
        a = java.util.Arrays.copyOfRange(a, 12, 16);
      } else {
        return false;
      }
    }
    int full = prefix / 8;
    for (int i = 0; i < full; i++) {
      if (a[i] != network[i]) {
        return false;
      }
    }
    int rest = prefix % 8;
    if (rest == 0) {
      return true;
    }
    int mask = (0xff << (8 - rest)) & 0xff;
    return (a[full] & mask) == (network[full] & mask);
  }

  private static boolean isMapped(byte[] a) {
    for (int i = 0; i < 10; i++) {
      if (a[i] != 0) {
        return false;
      }
    }
    return a[10] == (byte) 0xff && a[11] == (byte) 0xff;
  }

  /**
   * Parses a literal IPv4 or IPv6 address without any DNS lookup.
   *
   * @param text the literal; not {@code null}
   * @return its bytes, or {@code null} when it is not a literal address
   */
  public static byte[] literal(String text) {
    if (text.isEmpty()) {
      return null;
    }
    if (DOTTED.matcher(text).matches()) {
      // IPv4 is parsed here, octet by octet: InetAddress.getByName would send an invalid literal such as 300.1.1.1
      // to DNS as a host name.
      Matcher m = IPV4.matcher(text);
      if (!m.matches()) {
        return null;
      }
      byte[] out = new byte[4];
      for (int i = 0; i < 4; i++) {
        int octet = Integer.parseInt(m.group(i + 1));
        if (octet > 255) {
          return null;
        }
        out[i] = (byte) octet;
      }
      return out;
    }
    if (text.indexOf(':') < 0 || !IPV6_CHARS.matcher(text).matches()) {
      return null; // a host name, or a zone id: never resolved
    }
    try {
      // Text with a colon is parsed as an IPv6 literal or rejected; InetAddress never looks it up.
      return InetAddress.getByName(text).getAddress();
    } catch (UnknownHostException e) {
      return null;
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Cidr && ((Cidr) o).prefix == prefix && java.util.Arrays.equals(((Cidr) o).network, network);
  }

  @Override
  public int hashCode() {
    return java.util.Arrays.hashCode(network) * 31 + prefix;
  }

  @Override
  public String toString() {
    try {
      return InetAddress.getByAddress(network).getHostAddress() + "/" + prefix;
    } catch (UnknownHostException e) {
      return "?/" + prefix;
    }
  }
}
