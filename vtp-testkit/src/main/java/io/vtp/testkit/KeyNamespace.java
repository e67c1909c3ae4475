package io.vtp.testkit;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

/**
 * A Redis key prefix of its own for one test class, so test classes sharing a server never see each other's
 * keys. Closing it deletes every key under the prefix on the servers it was told about.
 *
 * <p>The prefix holds only {@code [a-z0-9:-]}, so it is safe inside a {@code SCAN MATCH} pattern and needs no
 * escaping.
 *
 * <p>Thread-safe.
 */
public final class KeyNamespace implements AutoCloseable {
  private final String prefix;
  private final List<RedisServer> servers = new ArrayList<>();

  private KeyNamespace(String prefix) {
    this.prefix = prefix;
  }

  /**
   * Creates a new, unique namespace whose prefix starts with a readable label.
   *
   * @param label e.g. the test class's simple name; not {@code null}
   * @return a new namespace such as {@code test:sessionstoreit-k3j9x:}; never {@code null}
   * @throws NullPointerException when {@code label} is {@code null}
   */
  public static KeyNamespace create(String label) {
    String clean = Objects.requireNonNull(label, "label").toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "");
    if (clean.length() > 32) {
      clean = clean.substring(0, 32);
    }
    String random = Long.toString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE, 36);
    return new KeyNamespace("test:" + clean + "-" + random + ":");
  }

  /**
   * Returns the prefix, ending in {@code ':'}.
   *
   * @return the prefix, ending in {@code ':'}; never {@code null}
   */
  public String prefix() {
    return prefix;
  }

  /**
   * Returns {@code prefix + name}.
   *
   * @param name the key's own name; not {@code null}
   * @return the namespaced key; never {@code null}
   * @throws NullPointerException when {@code name} is {@code null}
   */
  public String key(String name) {
    return prefix + Objects.requireNonNull(name, "name");
  }

  /**
   * Registers a server whose keys under this prefix are deleted on {@link #close()}.
   *
   * @param server the server; not {@code null}
   * @return this namespace
   * @throws NullPointerException when {@code server} is {@code null}
   */
  public synchronized KeyNamespace cleanOnClose(RedisServer server) {
    servers.add(Objects.requireNonNull(server, "server"));
    return this;
  }

  /**
   * Registers every node of a cluster for clean-up.
   *
   * @param cluster the cluster; not {@code null}
   * @return this namespace
   * @throws NullPointerException when {@code cluster} is {@code null}
   */
  public synchronized KeyNamespace cleanOnClose(RedisCluster cluster) {
    servers.addAll(Objects.requireNonNull(cluster, "cluster").nodes());
    return this;
  }

  /**
   * Deletes every key under this prefix on one server now.
   *
   * @param server the server; not {@code null}
   * @return how many keys were deleted
   * @throws NullPointerException when {@code server} is {@code null}
   * @throws redis.clients.jedis.exceptions.JedisException when the server does not answer
   */
  public long deleteKeys(RedisServer server) {
    long deleted = 0;
    try (Jedis j = server.admin()) {
      ScanParams params = new ScanParams().match(prefix + "*").count(500);
      String cursor = ScanParams.SCAN_POINTER_START;
      do {
        ScanResult<String> page = j.scan(cursor, params);
        for (String key : page.getResult()) {
          deleted += j.del(key);
        }
        cursor = page.getCursor();
      } while (!ScanParams.SCAN_POINTER_START.equals(cursor));
    }
    return deleted;
  }

  /** Deletes this namespace's keys on every registered server that answers. */
  @Override
  public synchronized void close() {
    for (RedisServer server : servers) {
      if (server.isAnswering()) {
        deleteKeys(server);
      }
    }
    servers.clear();
  }

  @Override
  public String toString() {
    return prefix;
  }
}
