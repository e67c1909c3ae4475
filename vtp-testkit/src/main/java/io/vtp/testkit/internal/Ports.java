package io.vtp.testkit.internal;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.concurrent.ThreadLocalRandom;

/** Finds free loopback ports. */
public final class Ports {
  private Ports() {}

  /**
   * Returns a port that is free on 127.0.0.1 now, and whose {@code port + offset} is free too (Redis
   * Cluster needs its bus port at +10000); 0 for no second port.
   *
   * @param offset the second port's distance, or 0
   * @return a port in 20000..44999
   */
  public static int freePort(int offset) {
    for (int attempt = 0; attempt < 200; attempt++) {
      int port = ThreadLocalRandom.current().nextInt(20000, 45000);
      if (isFree(port) && (offset == 0 || isFree(port + offset))) {
        return port;
      }
    }
    throw new IllegalStateException("no free loopback port found in 200 attempts");
  }

  /**
   * Returns whether a TCP port can be bound on 127.0.0.1.
   *
   * @param port the port
   * @return true when it is free
   */
  public static boolean isFree(int port) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(false);
      socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
