package io.vtp.testkit;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.RedisClusterClient;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.util.JedisClusterCRC16;

/**
 * A real Redis Cluster of three masters (no replicas) for tests, with all 16384 slots assigned and cluster
 * state {@code ok} when handed out. Node {@code i} owns slots {@code [i*16384/3, (i+1)*16384/3)}.
 *
 * <p>Thread-safe. Clients made by {@link #newClient()} belong to the caller.
 */
public final class RedisCluster implements RedisDeployment {
  /** Number of hash slots in a Redis Cluster. */
  public static final int SLOTS = 16384;

  private final List<RedisServer> nodes;

  RedisCluster(List<RedisServer> nodes) {
    this.nodes = List.copyOf(nodes);
  }

  /**
   * Returns the master nodes, in slot order.
   *
   * @return the master nodes, in slot order; never {@code null}
   */
  public List<RedisServer> nodes() {
    return nodes;
  }

  /**
   * Returns the seed addresses of every node.
   *
   * @return the seed addresses of every node; never {@code null}
   */
  public Set<HostAndPort> hostAndPorts() {
    Set<HostAndPort> set = new LinkedHashSet<>();
    nodes.forEach(n -> set.add(n.hostAndPort()));
    return set;
  }

  /**
   * Creates a new cluster client with 2 s timeouts; the caller closes it.
   *
   * @return a new client; never {@code null}
   */
  @Override
  public RedisClusterClient newClient() {
    return RedisClusterClient.builder()
        .nodes(hostAndPorts())
        .clientConfig(nodes.get(0).clientConfig())
        .build();
  }

  @Override
  public int slotCount(Collection<String> keys) {
    return (int) keys.stream().mapToInt(JedisClusterCRC16::getSlot).distinct().count();
  }

  /**
   * Returns the node that owns a key's slot.
   *
   * @param key the key (hash tags honoured); not {@code null}
   * @return the owning node; never {@code null}
   * @throws NullPointerException when {@code key} is {@code null}
   */
  public RedisServer nodeForKey(String key) {
    int slot = JedisClusterCRC16.getSlot(Objects.requireNonNull(key, "key"));
    return nodes.get(Math.min(nodes.size() - 1, slot * nodes.size() / SLOTS));
  }

  /**
   * Returns command calls summed over all nodes (see {@link RedisServer#commandCalls()}).
   *
   * @return command calls summed over all nodes (see {@link RedisServer#commandCalls()}); never {@code null}
   */
  @Override
  public Map<String, Long> commandCalls() {
    Map<String, Long> total = new LinkedHashMap<>();
    nodes.forEach(n -> n.commandCalls().forEach((k, v) -> total.merge(k, v, Long::sum)));
    return total;
  }

  /** Resets the statistics of every node. */
  @Override
  public void resetStats() {
    nodes.forEach(RedisServer::resetStats);
  }

  /**
   * Returns the {@code cluster_state} every answering node reports, e.g. {@code ok} or {@code fail}.
   *
   * @return node address to state ({@code unreachable} when it does not answer); never {@code null}
   */
  public Map<String, String> clusterStates() {
    Map<String, String> states = new LinkedHashMap<>();
    for (RedisServer node : nodes) {
      String state;
      try (Jedis j = new Jedis(node.hostAndPort(), node.clientConfig(Duration.ofSeconds(1)))) {
        state = infoField(j.clusterInfo(), "cluster_state");
      } catch (JedisException e) {
        state = "unreachable";
      }
      states.put(node.host() + ":" + node.port(), state);
    }
    return states;
  }

  /**
   * Waits until every node reports {@code cluster_state:ok} and knows all three nodes.
   *
   * @param timeout how long to wait; not {@code null}
   * @throws NullPointerException when {@code timeout} is {@code null}
   * @throws TestkitException when the cluster is not ok in time
   */
  public void awaitOk(Duration timeout) {
    Instant deadline = Instant.now().plus(Objects.requireNonNull(timeout, "timeout"));
    String last = "";
    while (Instant.now().isBefore(deadline)) {
      boolean ok = true;
      StringBuilder sb = new StringBuilder();
      for (RedisServer node : nodes) {
        try (Jedis j = new Jedis(node.hostAndPort(), node.clientConfig(Duration.ofSeconds(1)))) {
          String info = j.clusterInfo();
          String state = infoField(info, "cluster_state");
          String known = infoField(info, "cluster_known_nodes");
          sb.append(node.port()).append('=').append(state).append('/').append(known).append(' ');
          ok &= "ok".equals(state) && Integer.toString(nodes.size()).equals(known);
        } catch (JedisException e) {
          sb.append(node.port()).append("=unreachable ");
          ok = false;
        }
      }
      last = sb.toString();
      if (ok) {
        return;
      }
      RedisServer.sleep(50);
    }
    throw new TestkitException("redis cluster not ok within " + timeout + ": " + last.trim());
  }

  void close() {
    nodes.forEach(RedisServer::close);
  }

  static String infoField(String info, String field) {
    for (String line : info.split("\r?\n")) {
      if (line.startsWith(field + ":")) {
        return line.substring(field.length() + 1).trim();
      }
    }
    return "";
  }

  @Override
  public String toString() {
    return "redis cluster " + hostAndPorts();
  }
}
