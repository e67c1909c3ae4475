package io.vtp.redis;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisException;

/**
 * Sends several libraries' {@link PipelinedCall}s in as few Redis round trips as their clients allow: the calls on
 * one client (the same {@link UnifiedJedis} object) share one pipeline, so on a standalone Redis (or through
 * Sentinel) they cost one round trip together. On a Redis Cluster the client's pipeline groups the commands per
 * node and syncs the nodes concurrently: one round trip on each node that owns one of the keys, so one in all when
 * the keys sit on one node (e.g. share a hash slot). Calls on different clients are sent one client after another.
 *
 * <pre>{@code
 * PipelinedFind find = sessions.findCall(token);
 * PipelinedCall<Decision> charge = limiter.acquireCall("user:42");
 * RoundTrip.send(find, charge);          // one round trip for both on a standalone Redis
 * Optional<Session> session = find.result();
 * Decision decision = charge.result();
 * }</pre>
 *
 * <p>Failures: a connection or protocol failure of a pipeline is handed to every call on it, and each call applies
 * its own library's policy (a session store throws its "unavailable" exception, a fail-open limiter allows): this
 * method itself never throws for Redis trouble. The wait is bounded by the client's socket timeout, not by any
 * per-call budget a library has for its direct calls.
 *
 * <p>Thread-safe (stateless); the calls themselves belong to the calling thread.
 */
public final class RoundTrip {
  private RoundTrip() {}

  /**
   * Sends the calls, then completes each, in order. Calls answered without Redis cost nothing.
   *
   * @param calls the calls; each sent at most once; none {@code null}
   * @throws NullPointerException when {@code calls} or one of them is {@code null}
   * @throws IllegalStateException when a call was sent before; nothing is sent then
   */
  public static void send(PipelinedCall<?>... calls) {
    Objects.requireNonNull(calls, "calls");
    for (int i = 0; i < calls.length; i++) {
      Objects.requireNonNull(calls[i], "calls[" + i + "]");
    }
    for (PipelinedCall<?> c : calls) {
      c.markSent();
    }
    List<PipelinedCall<?>> remaining = new ArrayList<>(calls.length);
    for (PipelinedCall<?> c : calls) {
      if (c.client() != null && c.needsRedis()) {
        remaining.add(c);
      } else {
        c.finish(null);
      }
    }
    while (!remaining.isEmpty()) {
      UnifiedJedis client = remaining.get(0).client();
      List<PipelinedCall<?>> group = new ArrayList<>(remaining.size());
      remaining.removeIf(c -> {
        if (c.client() == client) {
          group.add(c);
          return true;
        }
        return false;
      });
      JedisException failure = sendGroup(client, group);
      for (PipelinedCall<?> c : group) {
        c.finish(failure);
      }
    }
  }

  /** One pipeline for the calls of one client; returns the failure that ended it, or {@code null}. */
  private static JedisException sendGroup(UnifiedJedis client, List<PipelinedCall<?>> group) {
    AbstractPipeline pipeline;
    try {
      pipeline = client.pipelined();
    } catch (JedisException e) {
      return e;
    }
    JedisException failure = null;
    try {
      for (PipelinedCall<?> c : group) {
        c.queue(pipeline);
      }
      pipeline.sync();
    } catch (JedisException e) {
      failure = e;
    } finally {
      try {
        pipeline.close(); // gives the connection back; a broken one is discarded by the pool
      } catch (JedisException e) {
        if (failure == null) {
          failure = e;
        }
      }
    }
    return failure;
  }
}
