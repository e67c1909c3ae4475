package io.vtp.bench.counts;

import io.vtp.bench.BenchRedis;
import io.vtp.bench.RawGetBenchmark;
import io.vtp.bench.cache.CacheBenchmark;
import io.vtp.bench.ratelimit.RateLimitBenchmark;
import io.vtp.bench.session.SessionBenchmark;
import io.vtp.cache.CacheAside;
import io.vtp.cache.Loaded;
import io.vtp.cache.RedisCacheAside;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jmh.infra.Blackhole;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisMonitor;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.params.SetParams;

/**
 * Counts, from the Redis server, what one operation of every benchmark contender costs: the commands a client sends
 * (round trips, unless pipelined) and the commands run inside scripts. Deterministic, not timed.
 *
 * <p>How: a {@code MONITOR} connection sees every command in execution order, those run by a script marked
 * {@code [db lua]}. Each contender is warmed up first (so one-off script loads are not counted), then run
 * {@value #RUNS} times between two {@code ECHO} markers; the lines between the markers are the contender's. Also
 * runs one stampede (200 concurrent misses on one key over 3 instances, a 20 ms loader) for {@code vtp-cache} and
 * for a plain GET/SETEX cache-aside, and counts the loads.
 *
 * <p>Usage: {@code java -cp benchmarks.jar io.vtp.bench.counts.OperationCounts <out.md>}; Redis as for the
 * benchmarks ({@code VTP_TEST_REDIS_URL} or a testkit server). Writes a Markdown section, and the per-operation
 * numbers as JSON next to it ({@code out.json}).
 */
public final class OperationCounts {
  static final int RUNS = 100;
  private static final int WARM_UP = 5;
  private static final int STAMPEDE = 200;
  private static final int INSTANCES = 3;

  private OperationCounts() {}

  /** What one contender does per operation. */
  record Count(String contender, double sent, double inScripts, Map<String, Long> commands) {}

  /** One operation of a contender. */
  @FunctionalInterface
  interface Op {
    void run() throws Exception;
  }

  /**
   * Runs the counts.
   *
   * @param args the Markdown file to write
   * @throws Exception when Redis or a contender fails
   */
  public static void main(String[] args) throws Exception {
    Path out = Path.of(args.length > 0 ? args[0] : "target/bench/counts.md");
    BenchRedis redis = new BenchRedis();
    redis.start();
    try {
      List<Count> counts = new ArrayList<>();
      String stampede;
      try (Monitor monitor = new Monitor(redis)) {
        Map<String, Op> ops = contenders(redis);
        for (Map.Entry<String, Op> e : ops.entrySet()) {
          for (int i = 0; i < WARM_UP; i++) {
            e.getValue().run();
          }
          monitor.mark("begin " + e.getKey());
          for (int i = 0; i < RUNS; i++) {
            e.getValue().run();
          }
          monitor.mark("end " + e.getKey());
        }
        monitor.mark("done");
        monitor.awaitMarker("done");
        for (String name : ops.keySet()) {
          counts.add(monitor.count(name));
        }
        stampede = stampedes(redis);
      } finally {
        closeContenders();
      }
      Files.createDirectories(out.toAbsolutePath().getParent());
      Files.writeString(out, markdown(counts, stampede), StandardCharsets.UTF_8);
      Path json = out.resolveSibling(out.getFileName().toString().replaceFirst("\\.md$", "") + ".json");
      Files.writeString(json, json(counts), StandardCharsets.UTF_8);
      System.out.println("wrote " + out + " and " + json);
    } finally {
      redis.stop();
    }
  }

  private static final List<AutoCloseable> CLOSE = new ArrayList<>();

  private static void closeContenders() throws Exception {
    for (AutoCloseable c : CLOSE) {
      c.close();
    }
  }

  private static Map<String, Op> contenders(BenchRedis redis) {
    Map<String, Op> ops = new LinkedHashMap<>();
    RawGetBenchmark raw = new RawGetBenchmark();
    ops.put("RawGetBenchmark.rawGet", () -> raw.rawGet(redis));
    RawGetBenchmark.CasKey casKey = new RawGetBenchmark.CasKey();
    casKey.seed(redis);
    ops.put("RawGetBenchmark.rawCompareAndSet", () -> raw.rawCompareAndSet(redis, casKey));
    RawGetBenchmark.SessionRecord record = new RawGetBenchmark.SessionRecord();
    record.seed(redis);
    Blackhole hole = new Blackhole(
        "Today's password is swordfish. I understand instantiating Blackholes directly is dangerous.");
    ops.put("RawGetBenchmark.rawGetThenCompareAndSet", () -> raw.rawGetThenCompareAndSet(redis, record, hole));
    RawGetBenchmark.LimiterCursor limiterCursor = new RawGetBenchmark.LimiterCursor();
    ops.put("RawGetBenchmark.rawTimeGetSet", () -> raw.rawTimeGetSet(redis, limiterCursor));

    SessionBenchmark session = new SessionBenchmark();
    SessionBenchmark.Stores stores = new SessionBenchmark.Stores();
    stores.start(redis);
    CLOSE.add(stores::stop);
    SessionBenchmark.Sessions sessions = new SessionBenchmark.Sessions();
    sessions.create(stores);
    ops.put("SessionBenchmark.vtpCreate", () -> session.vtpCreate(stores, sessions));
    ops.put("SessionBenchmark.vtpFind", () -> session.vtpFind(stores, sessions));
    ops.put("SessionBenchmark.vtpFindThenUpdate", () -> session.vtpFindThenUpdate(stores, sessions));
    ops.put("SessionBenchmark.vtpUpdateById", () -> session.vtpUpdateById(stores, sessions));
    ops.put("SessionBenchmark.springFindById", () -> session.springFindById(stores, sessions));
    ops.put("SessionBenchmark.springFindThenSave", () -> session.springFindThenSave(stores, sessions));

    RateLimitBenchmark rl = new RateLimitBenchmark();
    RateLimitBenchmark.Limiters limiters = new RateLimitBenchmark.Limiters();
    limiters.setUp(redis);
    CLOSE.add(limiters::tearDown);
    RateLimitBenchmark.Cursor cursor = new RateLimitBenchmark.Cursor();
    ops.put("RateLimitBenchmark.vtpSpread", () -> rl.vtpSpread(limiters, cursor));
    ops.put("RateLimitBenchmark.vtpHot", () -> rl.vtpHot(limiters));
    ops.put("RateLimitBenchmark.vtpLocallyDenied", () -> rl.vtpLocallyDenied(limiters));
    ops.put("RateLimitBenchmark.bucket4jSpread", () -> rl.bucket4jSpread(limiters, cursor));
    ops.put("RateLimitBenchmark.bucket4jHot", () -> rl.bucket4jHot(limiters));
    ops.put("RateLimitBenchmark.incrExpireSpread", () -> rl.incrExpireSpread(limiters, cursor));

    CacheBenchmark cache = new CacheBenchmark();
    CacheBenchmark.Caches caches = new CacheBenchmark.Caches();
    caches.start(redis);
    CLOSE.add(caches::stop);
    ops.put("CacheBenchmark.vtpHit", () -> cache.vtpHit(caches));
    ops.put("CacheBenchmark.vtpL1Hit", () -> cache.vtpL1Hit(caches));
    ops.put("CacheBenchmark.plainHit", () -> cache.plainHit(caches, redis));
    ops.put("CacheBenchmark.vtpMissAndLoad", () -> cache.vtpMissAndLoad(caches));
    ops.put("CacheBenchmark.plainMissAndLoad", () -> cache.plainMissAndLoad(caches, redis));
    return ops;
  }

  /** One stampede each for vtp-cache and the plain cache-aside; returns a Markdown table. */
  private static String stampedes(BenchRedis redis) throws Exception {
    List<RedisClient> clients = new ArrayList<>();
    List<CacheAside<String>> caches = new ArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(STAMPEDE);
    try {
      for (int i = 0; i < INSTANCES; i++) {
        RedisClient client = redis.server().newClient();
        clients.add(client);
        caches.add(RedisCacheAside.builder(client, String.class).name("counts-stampede").build());
      }
      String key = "stampede-" + System.nanoTime();
      AtomicLong vtpLoads = new AtomicLong();
      run(pool, i -> caches.get(i % INSTANCES).get(key, Duration.ofSeconds(30), k -> {
        vtpLoads.incrementAndGet();
        Thread.sleep(20);
        return Loaded.of("value of " + k);
      }));
      AtomicLong plainLoads = new AtomicLong();
      String plainKey = "bench:plain:stampede-" + System.nanoTime();
      run(pool, i -> {
        RedisClient client = clients.get(i % INSTANCES);
        String v = client.get(plainKey);
        if (v == null) {
          plainLoads.incrementAndGet();
          Thread.sleep(20);
          client.set(plainKey, "value", SetParams.setParams().ex(30));
        }
        return v;
      });
      return "| cache | loads for " + STAMPEDE + " concurrent misses on one key (" + INSTANCES + " instances) |\n"
          + "|---|---:|\n"
          + "| vtp-cache (single flight + cross-instance lease) | " + vtpLoads.get() + " |\n"
          + "| plain GET/SETEX cache-aside | " + plainLoads.get() + " |\n";
    } finally {
      pool.shutdownNow();
      caches.forEach(CacheAside::close);
      clients.forEach(RedisClient::close);
    }
  }

  /** A read in a stampede. */
  @FunctionalInterface
  interface Read {
    Object read(int i) throws Exception;
  }

  private static void run(ExecutorService pool, Read read) throws Exception {
    CountDownLatch start = new CountDownLatch(1);
    List<Future<?>> reads = new ArrayList<>(STAMPEDE);
    for (int i = 0; i < STAMPEDE; i++) {
      int n = i;
      reads.add(pool.submit(() -> {
        start.await();
        return read.read(n);
      }));
    }
    start.countDown();
    for (Future<?> f : reads) {
      f.get(30, TimeUnit.SECONDS);
    }
  }

  static String markdown(List<Count> counts, String stampede) {
    StringBuilder sb = new StringBuilder();
    sb.append("## Redis commands per operation, counted by the server\n\n");
    sb.append("From `MONITOR` on the benchmark Redis (`io.vtp.bench.counts.OperationCounts`): each contender warmed")
        .append(" up, then run ").append(RUNS).append(" times between two markers. *Sent* = commands the client")
        .append(" sent (each its own round trip: none of these contenders pipelines); *in scripts* = commands run")
        .append(" inside Lua scripts. Deterministic, not timed.\n\n");
    sb.append("| contender | sent per op | in scripts per op | commands sent (total over ").append(RUNS)
        .append(" ops) |\n|---|---:|---:|---|\n");
    for (Count c : counts) {
      sb.append("| ").append(c.contender()).append(" | ").append(fmt(c.sent())).append(" | ")
          .append(fmt(c.inScripts())).append(" | ");
      List<String> parts = new ArrayList<>();
      c.commands().forEach((k, v) -> parts.add(k + " " + v));
      sb.append(parts.isEmpty() ? "none" : String.join(", ", parts)).append(" |\n");
    }
    sb.append("\n### Stampede\n\n").append(stampede).append('\n');
    return sb.toString();
  }

  /** {@code {"<contender>": {"sent": n, "inScripts": n}, ...}}, per operation. */
  static String json(List<Count> counts) {
    StringBuilder sb = new StringBuilder("{\n");
    for (int i = 0; i < counts.size(); i++) {
      Count c = counts.get(i);
      sb.append(String.format(Locale.ROOT, "  \"%s\": {\"sent\": %s, \"inScripts\": %s}%s%n", c.contender(),
          fmt(c.sent()), fmt(c.inScripts()), i + 1 < counts.size() ? "," : ""));
    }
    return sb.append("}\n").toString();
  }

  private static String fmt(double v) {
    return v == Math.rint(v) ? Long.toString((long) v) : String.format(Locale.ROOT, "%.2f", v);
  }

  /** A MONITOR connection that files each command under the contender whose markers surround it. */
  static final class Monitor implements AutoCloseable {
    private final Jedis monitorConnection;
    private final Jedis control;
    private final Thread reader;
    private final Map<String, long[]> perContender = new TreeMap<>();
    private final Map<String, Map<String, Long>> sentCommands = new TreeMap<>();
    private final CountDownLatch started = new CountDownLatch(1);
    private volatile String lastMarker = "";
    private String current;

    Monitor(BenchRedis redis) throws InterruptedException {
      monitorConnection = new Jedis(redis.server().host(), redis.server().port());
      control = new Jedis(redis.server().host(), redis.server().port());
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
      }, "counts-monitor");
      reader.setDaemon(true);
      reader.start();
      for (int i = 0; i < 100 && started.getCount() > 0; i++) {
        control.echo("start");
        started.await(50, TimeUnit.MILLISECONDS);
      }
    }

    private synchronized void handle(String line) {
      // 1700000000.123456 [0 127.0.0.1:50000] "GET" "key"   or   ... [0 lua] "GET" "key"
      int open = line.indexOf('[');
      int close = line.indexOf(']', open);
      if (open < 0 || close < 0) {
        return;
      }
      boolean lua = line.substring(open, close).endsWith(" lua");
      String rest = line.substring(close + 1).trim();
      String command = rest.startsWith("\"") ? rest.substring(1, rest.indexOf('"', 1)).toLowerCase(Locale.ROOT) : rest;
      if (command.equals("echo")) {
        String marker = rest.substring(rest.indexOf('"', 7) + 1, rest.length() - 1);
        if (marker.startsWith("vtp-count:")) {
          String m = marker.substring("vtp-count:".length());
          current = m.startsWith("begin ") ? m.substring(6) : null;
          lastMarker = m;
          notifyAll();
          return;
        }
      }
      if (current == null) {
        return;
      }
      long[] c = perContender.computeIfAbsent(current, k -> new long[2]);
      if (lua) {
        c[1]++;
      } else {
        c[0]++;
        sentCommands.computeIfAbsent(current, k -> new TreeMap<>()).merge(command, 1L, Long::sum);
      }
    }

    void mark(String marker) {
      control.echo("vtp-count:" + marker);
    }

    synchronized void awaitMarker(String marker) throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (!lastMarker.equals(marker)) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new IllegalStateException("MONITOR did not deliver the marker '" + marker + "' within 30 s");
        }
        TimeUnit.NANOSECONDS.timedWait(this, left);
      }
    }

    synchronized Count count(String contender) {
      long[] c = perContender.getOrDefault(contender, new long[2]);
      return new Count(contender, c[0] / (double) RUNS, c[1] / (double) RUNS,
          sentCommands.getOrDefault(contender, Map.of()));
    }

    @Override
    public void close() {
      try {
        monitorConnection.close();
      } catch (RuntimeException e) {
        // closing a monitoring connection may fail on its pending read: fine
      }
      control.close();
      try {
        reader.join(2000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
