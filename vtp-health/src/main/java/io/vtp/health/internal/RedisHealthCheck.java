package io.vtp.health.internal;

import io.vtp.health.CheckOutcome;
import io.vtp.health.Criticality;
import io.vtp.health.HealthCheck;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import redis.clients.jedis.BuilderFactory;
import redis.clients.jedis.CommandArguments;
import redis.clients.jedis.CommandObject;
import redis.clients.jedis.Connection;
import redis.clients.jedis.ConnectionPool;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.RedisClusterClient;
import redis.clients.jedis.UnifiedJedis;

/** {@code PING} through any Jedis client; every node and {@code cluster_state} for a cluster client. */
public final class RedisHealthCheck implements HealthCheck {
  private final String name;
  private final UnifiedJedis jedis;
  private final Criticality criticality;

  /**
   * Creates the check.
   *
   * @param name its name
   * @param jedis the client
   * @param criticality its criticality
   */
  public RedisHealthCheck(String name, UnifiedJedis jedis, Criticality criticality) {
    this.name = name;
    this.jedis = jedis;
    this.criticality = criticality;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public Criticality criticality() {
    return criticality;
  }

  @Override
  public String componentType() {
    return "datastore";
  }

  @Override
  public String unhealthyReason() {
    return name + " unreachable";
  }

  @Override
  public CheckOutcome check() {
    if (jedis instanceof RedisClusterClient) {
      return checkCluster((RedisClusterClient) jedis);
    }
    String pong = jedis.ping();
    return "PONG".equalsIgnoreCase(pong) ? CheckOutcome.pass() : CheckOutcome.fail("PING answered " + pong);
  }

  private static CheckOutcome checkCluster(RedisClusterClient cluster) {
    Map<String, ConnectionPool> nodes = cluster.getClusterNodes();
    if (nodes.isEmpty()) {
      return CheckOutcome.fail("no cluster nodes known");
    }
    List<String> down = new ArrayList<>();
    String state = null;
    for (Map.Entry<String, ConnectionPool> node : nodes.entrySet()) {
      try (Connection c = node.getValue().getResource()) {
        if (!c.ping()) {
          down.add(node.getKey());
          continue;
        }
        if (state == null) {
          String info = c.executeCommand(new CommandObject<>(
              new CommandArguments(Protocol.Command.CLUSTER).add(Protocol.ClusterKeyword.INFO), BuilderFactory.STRING));
          state = field(info, "cluster_state");
        }
      } catch (RuntimeException e) {
        down.add(node.getKey() + " (" + DefaultHealthRegistry.describe(e) + ")");
      }
    }
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("nodes", nodes.size());
    details.put("nodesDown", down.size());
    details.put("clusterState", state == null ? "unknown" : state);
    if (!down.isEmpty()) {
      return new CheckOutcome(io.vtp.health.HealthStatus.FAIL, "cluster nodes not answering: " + String.join(", ", down),
          details);
    }
    if (!"ok".equals(state)) {
      return new CheckOutcome(io.vtp.health.HealthStatus.FAIL, "cluster_state is " + state, details);
    }
    return CheckOutcome.pass(details);
  }

  private static String field(String info, String name) {
    for (String line : info.split("\r?\n")) {
      if (line.startsWith(name + ":")) {
        return line.substring(name.length() + 1).trim();
      }
    }
    return "unknown";
  }

  @Override
  public String toString() {
    return "RedisHealthCheck[" + criticality + "]";
  }
}
