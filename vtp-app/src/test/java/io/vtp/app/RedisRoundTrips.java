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
 * carries. The counter's own {@code INFO}s are one read each (on connections opened before the first snapshot) and
 * are subtracted. The app's background work (health checks' {@code PING}, the fleet heartbeat's script with its
 * {@code HSET} and {@code PEXPIRE}, a new connection's handshake) would add reads of its own, so
 * {@link #measure(Op)} repeats a measurement until its window holds only commands of the request path
 * ({@link #REQUEST_PATH}); that window's reads are then the request path's round trips, exactly.
 *
 * <p>Not thread-safe. Close it to close the connections.
 */
final class RedisRoundTrips implements AutoCloseable {
  /**
   * What a course read may make Redis run: the session lookup ({@code HMGET}), the limiter's script
   * ({@code EVALSHA}, once {@code EVAL} after a script flush) with the commands inside it ({@code TIME}, {@code GET},
   * {@code SET}: {@code INFO commandstats} counts them too), and the cache's {@code GET}; and this counter's
   * {@code INFO}.
   */
  static final Set<String> REQUEST_PATH = Set.of("hmget", "evalsha", "eval", "time", "get", "set", "info");
  private static final int ATTEMPTS = 5;

  private final List<Jedis> nodes = new ArrayList<>();
  private Snapshot last;

  /** The requests whose round trips are measured; run again when background work fell into the window. */
  @FunctionalInterface
  interface Op {
    void run() throws Exception;
  }

  /** A delta between two snapshots, summed over the nodes. */
  record Delta(long reads, Map<String, Long> calls) {
    long calls(String command) {
      return calls.getOrDefault(command, 0L);
    }

    /** Whether only the request path's commands ran in the window. */
    boolean quiet() {
      return REQUEST_PATH.containsAll(calls.keySet());
    }

    /** Round trips in the window, the counter's own {@code INFO}s left out (exact when {@link #quiet()}). */
    long requestRoundTrips() {
      return reads - calls("info");
    }

    /**
     * Top-level {@code GET}s (the cache's): every {@code GET} minus those inside the limiter's script, which runs
     * exactly one {@code TIME} and one {@code GET} per call (gcra.lua).
     */
    long cacheGets() {
      return calls("get") - calls("time");
    }
  }

  /**
   * Runs the requests between two snapshots, again (up to {@value #ATTEMPTS} times) while background work shows in
   * the window.
   *
   * @return the first quiet window's delta, else the last one (whose background then shows in assertion messages)
   */
  Delta measure(Op op) throws Exception {
    Delta d = null;
    for (int i = 0; i < ATTEMPTS && (d == null || !d.quiet()); i++) {
      reset();
      op.run();
      d = delta();
    }
    return d;
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
