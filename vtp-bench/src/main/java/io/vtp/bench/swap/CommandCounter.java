package io.vtp.bench.swap;

import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.JedisMonitor;

/**
 * Counts, from the Redis server, the commands between two markers: those a client sent (round trips, unless
 * pipelined) and those run inside scripts, by command name. Deterministic and slow ({@code MONITOR} costs the
 * server a lot), so for a few sequential requests only; under load {@link #commandStats(Jedis)} is the counter.
 *
 * <p>How: a {@code MONITOR} connection sees every command in execution order, those run by a script marked
 * {@code [0 lua]}; {@link #begin()} and {@link #end()} send {@code ECHO} markers on a connection of their own, and
 * only the lines between them count. Not thread-safe: one counting at a time.
 */
public final class CommandCounter implements AutoCloseable {
  /** Commands the counting itself sends, and clients' connection set-up: never caused by a request. */
  static final Set<String> IGNORED = Set.of("info", "ping", "echo", "monitor", "config|resetstat", "hello",
      "client|setinfo", "client|setname", "select");
  private static final String MARKER = "vtp-swap-count:";

  private final Jedis monitorConnection;
  private final Jedis control;
  private final Thread reader;
  private final CountDownLatch started = new CountDownLatch(1);
  private final Map<String, Long> sent = new TreeMap<>();
  private final Map<String, Long> inScripts = new TreeMap<>();
  private boolean counting;
  private String lastMarker = "";
  private int markers;

  /** What the commands between two markers were. */
  public record Counts(Map<String, Long> sent, Map<String, Long> inScripts) {
    /** Returns the commands sent by clients (round trips, unless pipelined). */
    public long sentTotal() {
      return sent.values().stream().mapToLong(Long::longValue).sum();
    }

    /** Returns the commands run inside scripts. */
    public long inScriptsTotal() {
      return inScripts.values().stream().mapToLong(Long::longValue).sum();
    }
  }

  /**
   * Opens the monitor.
   *
   * @param server the server
   * @param config how to connect (password, timeouts)
   * @throws InterruptedException when interrupted while waiting for the monitor to start
   * @throws IllegalStateException when the monitor does not start within 5 s
   */
  public CommandCounter(HostAndPort server, JedisClientConfig config) throws InterruptedException {
    monitorConnection = new Jedis(server, config);
    control = new Jedis(server, config);
    reader = new Thread(() -> {
      try {
        monitorConnection.monitor(new JedisMonitor() {
          @Override
          public void onCommand(String line) {
            started.countDown();
            handle(line);
          }
        });
      } catch (RuntimeException e) {
        // the connection was closed: done
      }
    }, "swap-bench-monitor");
    reader.setDaemon(true);
    reader.start();
    for (int i = 0; i < 100 && started.getCount() > 0; i++) {
      control.echo("start");
      started.await(50, TimeUnit.MILLISECONDS);
    }
    if (started.getCount() > 0) {
      close();
      throw new IllegalStateException("MONITOR on " + server + " saw nothing within 5 s");
    }
  }

  /** Starts counting (from the server's point of view: after this marker). */
  public void begin() {
    control.echo(MARKER + "begin " + (++markers));
  }

  /**
   * Stops counting and returns what the server ran since {@link #begin()}.
   *
   * @return the counts; never null
   * @throws InterruptedException when interrupted while waiting for the monitor
   * @throws IllegalStateException when the monitor does not deliver the end marker within 30 s
   */
  public Counts end() throws InterruptedException {
    String marker = "end " + markers;
    control.echo(MARKER + marker);
    synchronized (this) {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (!lastMarker.equals(marker)) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new IllegalStateException("MONITOR did not deliver the marker '" + marker + "' within 30 s");
        }
        TimeUnit.NANOSECONDS.timedWait(this, left);
      }
      Counts counts = new Counts(new TreeMap<>(sent), new TreeMap<>(inScripts));
      sent.clear();
      inScripts.clear();
      return counts;
    }
  }

  private synchronized void handle(String line) {
    // 1700000000.123456 [0 127.0.0.1:50000] "GET" "key"   or   1700000000.123456 [0 lua] "GET" "key"
    int open = line.indexOf('[');
    int close = line.indexOf(']', open + 1);
    if (open < 0 || close < 0) {
      return;
    }
    boolean lua = line.substring(open, close).endsWith(" lua");
    String rest = line.substring(close + 1).trim();
    if (!rest.startsWith("\"")) {
      return;
    }
    String command = rest.substring(1, rest.indexOf('"', 1)).toLowerCase(Locale.ROOT);
    if (command.equals("echo") && rest.contains(MARKER)) {
      String marker = rest.substring(rest.indexOf(MARKER) + MARKER.length(), rest.lastIndexOf('"'));
      counting = marker.startsWith("begin ");
      lastMarker = marker;
      notifyAll();
      return;
    }
    if (!counting || IGNORED.contains(command)) {
      return;
    }
    (lua ? inScripts : sent).merge(command, 1L, Long::sum);
  }

  /**
   * Reads {@code INFO commandstats}: calls by command name, commands run inside scripts included (the server does
   * not tell them apart there), {@linkplain #IGNORED the counting's own} left out.
   *
   * @param jedis a connection to the server
   * @return calls by command name; never null
   */
  public static Map<String, Long> commandStats(Jedis jedis) {
    return parseCommandStats(jedis.info("commandstats"));
  }

  /**
   * Parses the text of {@code INFO commandstats}.
   *
   * @param info the text
   * @return calls by command name, {@linkplain #IGNORED the counting's own} left out; never null
   */
  static Map<String, Long> parseCommandStats(String info) {
    Map<String, Long> calls = new TreeMap<>();
    for (String line : info.split("\r?\n")) {
      // cmdstat_get:calls=12,usec=34,...
      if (line.startsWith("cmdstat_")) {
        String name = line.substring(8, line.indexOf(':'));
        int c = line.indexOf("calls=");
        if (!IGNORED.contains(name)) {
          calls.put(name, Long.parseLong(line.substring(c + 6, line.indexOf(',', c))));
        }
      }
    }
    return calls;
  }

  /**
   * Returns the calls between two {@link #commandStats(Jedis)} readings, by command, leaving out commands with none.
   *
   * @param before the first reading
   * @param after the second reading
   * @return the differences; never null
   */
  static Map<String, Long> delta(Map<String, Long> before, Map<String, Long> after) {
    Map<String, Long> d = new TreeMap<>();
    after.forEach((name, calls) -> {
      long n = calls - before.getOrDefault(name, 0L);
      if (n > 0) {
        d.put(name, n);
      }
    });
    return d;
  }

  @Override
  public void close() {
    monitorConnection.close(); // ends the reader's MONITOR loop
    control.close();
  }
}
