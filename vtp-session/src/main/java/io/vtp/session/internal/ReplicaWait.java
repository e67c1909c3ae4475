package io.vtp.session.internal;

import io.vtp.redis.RedisScript;
import java.util.List;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.RedisClusterClient;
import redis.clients.jedis.RedisSentinelClient;
import redis.clients.jedis.Response;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisNoScriptException;
import redis.clients.jedis.util.JedisClusterCRC16;

/**
 * Runs a script and then {@code WAIT numreplicas timeout} on the same connection, pipelined: one network round trip
 * that ends when the replicas confirmed the write or the timeout passed.
 *
 * <p>Why this shape: {@code WAIT} counts the replicas that have the replication offset of the calling connection's
 * last write, so it must follow the script on the connection that ran it (on another pooled connection it would
 * confirm that connection's last write, or nothing), and Redis does not allow it inside a script. A Jedis
 * {@link Pipeline} holds one connection from the pool for its life: on a standalone or Sentinel client that is
 * {@code pipelined()}; on a {@link RedisClusterClient} it is the connection of the node that owns the
 * keys' slot, taken with {@link RedisClusterClient#getConnectionFromSlot(int)} (all the store's keys of one call
 * share a hash tag, so one slot). A cluster redirection ({@code MOVED} while slots migrate) is not followed here:
 * it surfaces as an error like any other and the caller answers 503.
 *
 * <p>Thread-safe: immutable; each call borrows and returns its own connection.
 */
public final class ReplicaWait {
  /** The script's reply and the number of replicas that confirmed it. */
  record Result(Object reply, long acknowledged) {}

  private final UnifiedJedis jedis;
  private final int replicas;
  private final long timeoutMillis;

  ReplicaWait(UnifiedJedis jedis, int replicas, long timeoutMillis) {
    this.jedis = jedis;
    this.replicas = replicas;
    this.timeoutMillis = timeoutMillis;
  }

  /**
   * Runs {@code script} ({@code EVALSHA}, or {@code EVAL} once on {@code NOSCRIPT}) followed by {@code WAIT}.
   *
   * @throws redis.clients.jedis.exceptions.JedisException on any Redis or connection error
   */
  Result evalAndWait(RedisScript script, List<String> keys, List<String> args) {
    try (Pipeline p = open(keys.get(0))) {
      Response<Object> reply = p.evalsha(script.sha1(), keys, args);
      Response<Long> acked = p.waitReplicas(replicas, timeoutMillis);
      p.sync();
      Object value;
      try {
        value = reply.get();
      } catch (JedisNoScriptException e) {
        // Nothing was written, so the WAIT answered at once; run the source and wait again on the same connection.
        reply = p.eval(script.source(), keys, args);
        acked = p.waitReplicas(replicas, timeoutMillis);
        p.sync();
        value = reply.get();
      }
      return new Result(value, acked.get());
    }
  }

  private Pipeline open(String key) {
    if (jedis instanceof RedisClusterClient cluster) {
      return new Pipeline(cluster.getConnectionFromSlot(JedisClusterCRC16.getSlot(key)), true);
    }
    if (jedis instanceof RedisClient client) {
      return client.pipelined();
    }
    return ((RedisSentinelClient) jedis).pipelined(); // the builder accepts no other client with this option
  }

  /**
   * Tells whether this class can reach the connection of a write on {@code jedis}.
   *
   * @param jedis the client
   * @return true for a {@link RedisClient}, {@link RedisSentinelClient} or {@link RedisClusterClient}
   */
  public static boolean supports(UnifiedJedis jedis) {
    return jedis instanceof RedisClient || jedis instanceof RedisSentinelClient || jedis instanceof RedisClusterClient;
  }
}
