package io.vtp.app.config;

import java.net.InetAddress;

/**
 * A {@code TRUSTED_PROXIES} network: {@link io.vtp.javalin.Cidr} with the app's configuration errors
 * ({@link ConfigException} naming the variable). Parsing never does a DNS lookup.
 *
 * @param network the network address bytes
 * @param prefix the prefix length
 */
public record Cidr(byte[] network, int prefix) {
  /** Copies the bytes. */
  public Cidr {
    network = network.clone();
  }

  /**
   * Parses {@code a.b.c.d/n}, {@code ::1/128} or a single address (a full-length prefix).
   *
   * @param variable the variable, for messages
   * @param text the CIDR
   * @return the network
   * @throws ConfigException when it is not a literal address with a valid prefix
   */
  public static Cidr parse(String variable, String text) {
    try {
      io.vtp.javalin.Cidr c = io.vtp.javalin.Cidr.parse(variable, text);
      return new Cidr(c.network(), c.prefix());
    } catch (IllegalArgumentException e) {
      throw new ConfigException(e.getMessage());
    }
  }

  /**
   * Returns whether an address lies in this network.
   *
   * @param address the address; never {@code null}
   * @return true when it matches
   */
  public boolean contains(InetAddress address) {
    return new io.vtp.javalin.Cidr(network, prefix).contains(address);
  }

  /**
   * Parses a literal IPv4 or IPv6 address without any DNS lookup.
   *
   * @param text the literal
   * @return its bytes, or {@code null} when it is not a literal address
   */
  public static byte[] literal(String text) {
    return io.vtp.javalin.Cidr.literal(text);
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
    return new io.vtp.javalin.Cidr(network, prefix).toString();
  }
}
