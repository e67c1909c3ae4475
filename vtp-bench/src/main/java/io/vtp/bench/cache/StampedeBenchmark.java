package io.vtp.bench.cache;

import io.vtp.bench.BenchRedis;
import io.vtp.cache.CacheAside;
import io.vtp.cache.Loaded;
import io.vtp.cache.RedisCacheAside;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import redis.clients.jedis.RedisClient;

/**
 * One operation = a stampede: 200 concurrent misses on one new key across 3 cache instances (separate clients),
 * with a loader that takes 20 ms like a real query. The {@code loads} and {@code stampedes} counters give loads per
 * stampede (the goal is 1.0); the score is stampedes per second. {@code BenchRedis} is taken only for its server.
 *
 * <pre>
 * java -jar vtp-bench/target/benchmarks.jar StampedeBenchmark -f 1 -wi 1 -w 3s -i 3 -r 3s
 * </pre>
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Threads(1)
@Warmup(iterations = 1, time = 3)
@Measurement(iterations = 3, time = 3)
public class StampedeBenchmark {
  private static final int INSTANCES = 3;
  private static final int CONCURRENT_MISSES = 200;

  /** Three instances and the threads that stampede them. */
  @State(Scope.Benchmark)
  public static class Fleet {
    final List<RedisClient> clients = new ArrayList<>();
    final List<CacheAside<String>> caches = new ArrayList<>();
    final AtomicLong key = new AtomicLong();
    final AtomicLong loads = new AtomicLong();
    ExecutorService pool;

    /**
     * Builds the instances.
     *
     * @param redis the shared Redis
     */
    @Setup(Level.Trial)
    public void start(BenchRedis redis) {
      for (int i = 0; i < INSTANCES; i++) {
        RedisClient client = redis.server().newClient();
        clients.add(client);
        caches.add(RedisCacheAside.builder(client, String.class).name("bench-stampede").build());
      }
      pool = Executors.newFixedThreadPool(CONCURRENT_MISSES);
    }

    /** Stops the threads and closes the instances' clients. */
    @TearDown(Level.Trial)
    public void stop() {
      pool.shutdownNow();
      caches.forEach(CacheAside::close);
      clients.forEach(RedisClient::close);
    }
  }

  /** Loads and stampedes seen by the measuring thread, reported as totals. */
  @AuxCounters(AuxCounters.Type.EVENTS)
  @State(Scope.Thread)
  public static class Counts {
    /** Loader calls. */
    public long loads;
    /** Stampedes run. */
    public long stampedes;
  }

  /**
   * Runs one stampede.
   *
   * @param fleet the instances
   * @param counts loads and stampedes
   * @return the number of loads in this stampede
   * @throws Exception when a read fails
   */
  @Benchmark
  public long stampede(Fleet fleet, Counts counts) throws Exception {
    String key = "s" + fleet.key.incrementAndGet();
    long before = fleet.loads.get();
    CountDownLatch start = new CountDownLatch(1);
    List<Future<?>> reads = new ArrayList<>(CONCURRENT_MISSES);
    for (int i = 0; i < CONCURRENT_MISSES; i++) {
      CacheAside<String> cache = fleet.caches.get(i % INSTANCES);
      reads.add(fleet.pool.submit(() -> {
        start.await();
        return cache.get(key, Duration.ofSeconds(30), k -> {
          fleet.loads.incrementAndGet();
          Thread.sleep(20);
          return Loaded.of("value of " + k);
        });
      }));
    }
    start.countDown();
    for (Future<?> read : reads) {
      read.get(30, TimeUnit.SECONDS);
    }
    long loads = fleet.loads.get() - before;
    counts.loads += loads;
    counts.stampedes++;
    return loads;
  }
}
