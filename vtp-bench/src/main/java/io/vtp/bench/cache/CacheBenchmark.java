package io.vtp.bench.cache;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.vtp.bench.BenchRedis;
import io.vtp.cache.CacheAside;
import io.vtp.cache.CacheTtl;
import io.vtp.cache.Loaded;
import io.vtp.cache.RedisCacheAside;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
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
import org.openjdk.jmh.annotations.Warmup;
import redis.clients.jedis.params.SetParams;

/**
 * vtp-cache read paths against a plain cache-aside ({@code GET}, Jackson, and {@code SET EX} on a miss) and the raw
 * {@code GET} floor, through the same pooled client. Values are a course of about 100 bytes of JSON.
 *
 * <ul>
 *   <li>{@code vtpHit}: a Redis hit (one {@code GET} plus envelope decoding);</li>
 *   <li>{@code vtpL1Hit}: an L1 hit (no Redis command);</li>
 *   <li>{@code plainHit}: {@code GET} plus Jackson;</li>
 *   <li>{@code vtpMissAndLoad} / {@code plainMissAndLoad}: a new key each time, a loader that answers at once
 *       (so the cost is the cache's own: GET, lease, put for vtp; GET, SET EX for plain).</li>
 * </ul>
 *
 * <p>Run together with the floor, 1 and 8 threads:
 * <pre>
 * ./mvnw -q -pl vtp-bench -am package -DskipTests
 * java -jar vtp-bench/target/benchmarks.jar 'RawGetBenchmark|CacheBenchmark' -f 1 -wi 2 -w 3s -i 3 -r 3s -t 1
 * java -jar vtp-bench/target/benchmarks.jar 'RawGetBenchmark|CacheBenchmark' -f 1 -wi 2 -w 3s -i 3 -r 3s -t 8
 * </pre>
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 3)
public class CacheBenchmark {

  /** The cached value. */
  public record BenchCourse(long id, String title, String description, long instructorId) {}

  private static final BenchCourse COURSE = new BenchCourse(42, "Distributed systems",
      "Consensus, replication and caching, in practice", 7);

  /** Caches and the plain contender over {@link BenchRedis}'s client. */
  @State(Scope.Benchmark)
  public static class Caches {
    CacheAside<BenchCourse> l2;
    CacheAside<BenchCourse> l1;
    final ObjectMapper mapper = new ObjectMapper();
    final AtomicLong fresh = new AtomicLong();

    /**
     * Builds the caches and warms the hot key.
     *
     * @param redis the shared Redis
     */
    @Setup(Level.Trial)
    public void start(BenchRedis redis) {
      l2 = RedisCacheAside.builder(redis.client(), BenchCourse.class).name("bench-l2").ttl(CacheTtl.LONG).build();
      l1 = RedisCacheAside.builder(redis.client(), BenchCourse.class).name("bench-l1").ttl(CacheTtl.LONG)
          .l1(10_000, Duration.ofMinutes(1)).build();
      l2.get("hot", k -> Loaded.of(COURSE));
      l1.get("hot", k -> Loaded.of(COURSE));
      try {
        redis.client().set("bench:plain:hot", mapper.writeValueAsString(COURSE), SetParams.setParams().ex(7200));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    /** Closes the caches (the client is BenchRedis's). */
    @TearDown(Level.Trial)
    public void stop() {
      l1.close();
      l2.close();
    }
  }

  /**
   * A Redis hit.
   *
   * @param c the caches
   * @return the value
   */
  @Benchmark
  public Optional<BenchCourse> vtpHit(Caches c) {
    return c.l2.get("hot", k -> Loaded.of(COURSE));
  }

  /**
   * An L1 hit.
   *
   * @param c the caches
   * @return the value
   */
  @Benchmark
  public Optional<BenchCourse> vtpL1Hit(Caches c) {
    return c.l1.get("hot", k -> Loaded.of(COURSE));
  }

  /**
   * Plain cache-aside hit: GET and Jackson.
   *
   * @param c the caches
   * @param redis the shared Redis
   * @return the value
   * @throws IOException never with this value
   */
  @Benchmark
  public BenchCourse plainHit(Caches c, BenchRedis redis) throws IOException {
    String raw = redis.client().get("bench:plain:hot");
    return raw == null ? COURSE : c.mapper.readValue(raw, BenchCourse.class);
  }

  /**
   * vtp miss on a new key, loaded at once and written back (with a short TTL so keys do not pile up).
   *
   * @param c the caches
   * @return the value
   */
  @Benchmark
  public Optional<BenchCourse> vtpMissAndLoad(Caches c) {
    return c.l2.get("m" + c.fresh.incrementAndGet(), Duration.ofSeconds(30), k -> Loaded.of(COURSE));
  }

  /**
   * Plain miss on a new key: GET, load, SET EX.
   *
   * @param c the caches
   * @param redis the shared Redis
   * @return the value
   * @throws IOException never with this value
   */
  @Benchmark
  public BenchCourse plainMissAndLoad(Caches c, BenchRedis redis) throws IOException {
    String key = "bench:plain:m" + c.fresh.incrementAndGet();
    String raw = redis.client().get(key);
    if (raw != null) {
      return c.mapper.readValue(raw, BenchCourse.class);
    }
    redis.client().set(key, c.mapper.writeValueAsString(COURSE), SetParams.setParams().ex(30));
    return COURSE;
  }
}
