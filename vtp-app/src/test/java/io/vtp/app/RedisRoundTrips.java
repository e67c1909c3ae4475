package io.vtp.app;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisClientConfig;

/**
 * Counts, on the Redis servers themselves, the round trips and commands that clients caused between two snapshots.
 *
 * <p>Round trips: {@code INFO stats} {@code total_reads_processed} counts the read events on client sockets. A
 * pipeline arrives as one write and is read as one event, so a round trip is one read however many commands it
 * carries. Background commands of the app (health checks, heartbeats, a new connection's handshake) are sent one at
 * a time, so each is one read too: they are subtracted, as every command other than the request path's
 * ({@link #REQUEST_PATH}), the counter's own {@code INFO} commands included (each is one read, on a connection
 * opened before the first snapshot). What is left is the request path's round trips, exactly, as long as no
 * background task pipelines (it would make the count lower, never higher).
 *
 * <p>Not thread-safe. Close it to close the connections.
 */
final class RedisRoundTrips implements AutoCloseable {
  /**
   * What a course read may make Redis run: the session lookup ({@code HMGET}), the limiter's script
   * ({@code EVALSHA}, once {@code EVAL} after a script flush) with the commands inside it ({@code TIME}, {@code GET},
   * {@code SET}: {@code INFO commandstats} counts them too), and the cache's {@code GET}. Everything else is
   * background.
   */
  static final Set<String> REQUEST_PATH = Set.of("hmget", "evalsha", "eval", "time", "get", "set");

  private final List<Jedis> nodes = new ArrayList<>();
  private Snapshot last;

  /** A delta between two snapshots, summed over the nodes. */
  record Delta(long reads, Map<String, Long> calls) {
    long calls(String command) {
      return calls.getOrDefault(command, 0L);
    }

    /**
     * Round trips of the request path: reads minus the background commands (one read each) and this counter's own
     * {@code INFO}s.
     */
    long requestRoundTrips() {
      long background = 0;
      for (Map.Entry<String, Long> e : calls.entrySet()) {
        if (!REQUEST_PATH.contains(e.getKey())) {
          background += e.getValue();
        }
      }
      return reads - background;
    }

    /**
     * Top-level {@code GET}s (the cache's): every {@code GET} minus those inside the limiter's script, which runs
     * exactly one {@code TIME} and one {@code GET} per call (gcra.lua).
     */
    long cacheGets() {
      return calls("get") - calls("time");
    }
  }

  private record Snapshot(long reads, Map<String, Long> calls) {}

  RedisRoundTrips(List<HostAndPort> servers, JedisClientConfig config) {
    for (HostAndPort s : servers) {
      Jedis j = new Jedis(s, config);
      j.ping();
      nodes.add(j);
    }
    last = snapshot();
  }

  /** Starts counting anew from now. */
  void reset() {
    last = snapshot();
  }

  /** Returns what happened since the last {@link #reset()} (or the previous call), and starts anew. */
  Delta delta() {
    Snapshot now = snapshot();
    Map<String, Long> calls = new HashMap<>();
    now.calls().forEach((k, v) -> {
      long d = v - last.calls().getOrDefault(k, 0L);
      if (d != 0) {
        calls.put(k, d);
      }
    });
    Delta d = new Delta(now.reads() - last.reads(), calls);
    last = now;
    return d;
  }

  private Snapshot snapshot() {
    long reads = 0;
    Map<String, Long> calls = new HashMap<>();
    for (Jedis j : nodes) {
      // Two INFO commands, each its own read: both are counted as commands by the next snapshot, so they cancel.
      String info = j.info("stats") + "\r\n" + j.info("commandstats");
      for (String line : info.split("\r?\n")) {
        if (line.startsWith("total_reads_processed:")) {
          reads += Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
        } else if (line.startsWith("cmdstat_")) {
          String name = line.substring("cmdstat_".length(), line.indexOf(':'));
          int at = line.indexOf("calls=") + "calls=".length();
          int end = line.indexOf(',', at);
          calls.merge(name, Long.parseLong(line.substring(at, end)), Long::sum);
        }
      }
    }
    return new Snapshot(reads, calls);
  }

  @Override
  public void close() {
    nodes.forEach(Jedis::close);
  }
}
