package io.vtp.cache.internal;

import io.vtp.redis.RedisScript;
import io.vtp.redis.internal.CircuitBreaker;
import io.vtp.redis.internal.ThrottledLog;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.RedisClusterClient;
import redis.clients.jedis.Response;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.util.JedisClusterCRC16;

/**
 * One cache's access to Redis: the client, the circuit breaker, and the accounting of every call's outcome. Callers
 * ask {@link #breakerAllows()} before a call and report it with {@link #succeeded()} or
 * {@link #failed(String, RuntimeException)}; a failure is counted, logged (throttled) and fed to the breaker, and
 * the caller reads through to the loader. Also runs the multi-key commands the bulk path needs (pipelined scripts,
 * {@code MGET} per hash slot). Thread-safe.
 */
final class RedisAccess {
  private final UnifiedJedis redis;
  private final String name;
  private final CircuitBreaker breaker;
  private final ThrottledLog errorLog;
  private final Logger log;
  private final CacheCounters counters;

  RedisAccess(UnifiedJedis redis, CacheConfig cfg, Logger log, ThrottledLog errorLog, CacheCounters counters) {
    this.redis = redis;
    this.name = cfg.name();
    this.breaker = new CircuitBreaker(cfg.clock(), cfg.failureThreshold(), cfg.openDuration());
    this.errorLog = errorLog;
    this.log = log;
    this.counters = counters;
  }

  /** Returns the client, for single commands; every call's outcome goes to {@link #succeeded()} or {@link #failed}. */
  UnifiedJedis client() {
    return redis;
  }

  /** Returns whether a call may go to Redis now; while open, lets one caller through as a probe when due. */
  boolean breakerAllows() {
    return breaker.allow();
  }

  boolean circuitOpen() {
    return breaker.isOpen();
  }

  void succeeded() {
    if (breaker.onSuccess()) {
      log.info("cache '{}': Redis answers again; circuit breaker closed", name);
    }
  }

  /**
   * Counts, logs (at most once per interval) and feeds to the breaker one failed Redis call.
   *
   * @param operation what failed, for the log ({@code GET}, {@code lease}, {@code put}, ...)
   * @param e the client's exception
   */
  void failed(String operation, RuntimeException e) {
    counters.backendErrors.increment();
    breaker.onFailure();
    errorLog.warn("cache '" + name + "': Redis " + operation + " failed (" + counters.backendErrors.sum()
        + " failures so far, circuit " + (breaker.isOpen() ? "open" : "closed") + "); reading through to the loader", e);
  }

  /** One script call of a pipeline. */
  record ScriptCall(RedisScript script, List<String> keys, List<String> args) {}

  /**
   * Runs script calls in one pipeline; a script a node does not know yet ({@code NOSCRIPT}) is run again on its own
   * with {@link RedisScript#eval}, which loads it.
   *
   * @return the replies, in the order of {@code calls}
   * @throws RuntimeException the client's exception; the caller reports it
   */
  List<Object> evalPipelined(List<ScriptCall> calls) {
    List<Response<Object>> responses = new ArrayList<>(calls.size());
    try (AbstractPipeline pipeline = redis.pipelined()) {
      for (ScriptCall call : calls) {
        responses.add(pipeline.evalsha(call.script().sha1(), call.keys(), call.args()));
      }
      pipeline.sync();
    }
    List<Object> replies = new ArrayList<>(responses.size());
    for (int i = 0; i < responses.size(); i++) {
      try {
        replies.add(responses.get(i).get());
      } catch (JedisDataException e) {
        if (e.getMessage() == null || !e.getMessage().startsWith("NOSCRIPT")) {
          throw e;
        }
        ScriptCall call = calls.get(i);
        replies.add(call.script().eval(redis, call.keys(), call.args()));
      }
    }
    return replies;
  }

  /**
   * One {@code MGET}; on a Cluster one per hash slot, sent in one pipeline.
   *
   * @return the values, {@code null} for absent keys, in the order of {@code redisKeys}
   * @throws RuntimeException the client's exception; the caller reports it
   */
  List<String> mget(List<String> redisKeys) {
    if (!(redis instanceof RedisClusterClient)) {
      return redis.mget(redisKeys.toArray(String[]::new));
    }
    Map<Integer, List<Integer>> bySlot = new LinkedHashMap<>();
    for (int i = 0; i < redisKeys.size(); i++) {
      bySlot.computeIfAbsent(JedisClusterCRC16.getSlot(redisKeys.get(i)), s -> new ArrayList<>()).add(i);
    }
    List<Response<List<String>>> responses = new ArrayList<>();
    List<List<Integer>> groups = new ArrayList<>(bySlot.values());
    try (AbstractPipeline pipeline = redis.pipelined()) {
      for (List<Integer> group : groups) {
        responses.add(pipeline.mget(group.stream().map(redisKeys::get).toArray(String[]::new)));
      }
      pipeline.sync();
    }
    String[] out = new String[redisKeys.size()];
    for (int g = 0; g < groups.size(); g++) {
      List<String> values = responses.get(g).get();
      List<Integer> group = groups.get(g);
      for (int j = 0; j < group.size(); j++) {
        out[group.get(j)] = values.get(j);
      }
    }
    return Arrays.asList(out);
  }
}
