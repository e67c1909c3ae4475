package io.vtp.bench.ratelimit;

import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.distributed.proxy.ProxyManager;
import io.github.bucket4j.redis.jedis.Bucket4jJedis;
import io.vtp.bench.BenchRedis;
import io.vtp.ratelimit.Decision;
import io.vtp.ratelimit.Outcome;
import io.vtp.ratelimit.RateLimiter;
import io.vtp.ratelimit.RedisRateLimiter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
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
import redis.clients.jedis.RedisClient;

/**
 * Rate limit decisions against the raw {@code GET} floor ({@code RawGetBenchmark.rawGet}), all through the same
 * pooled client and Redis in one run:
 * <ul>
 *   <li>{@code vtp*}: {@link RedisRateLimiter} (GCRA, one EVALSHA on the Redis clock), as configured by default
 *       (the call on the caller's thread, bounded by a per-call socket timeout); limits so high every decision is
 *       allowed by Redis;</li>
 *   <li>{@code vtpLocallyDenied}: a key the local deny cache answers without Redis;</li>
 *   <li>{@code bucket4j*}: Bucket4j 8.17.0's Jedis proxy manager (compare-and-swap: a GET, then an EVAL);</li>
 *   <li>{@code incrExpire*}: the original limiter, {@code INCR} then {@code EXPIRE} only when the count is 1.</li>
 * </ul>
 * {@code Spread} picks one of 10,000 keys per call; {@code Hot} uses one key for every thread.
 *
 * <p>Run (1 and 8 threads):
 * <pre>
 * ./mvnw -q -pl vtp-bench -am package -DskipTests
 * java -jar vtp-bench/target/benchmarks.jar 'RawGetBenchmark|RateLimitBenchmark' -t 1
 * java -jar vtp-bench/target/benchmarks.jar 'RawGetBenchmark|RateLimitBenchmark' -t 8
 * </pre>
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 3)
public class RateLimitBenchmark {
  private static final int KEYS = 10_000;

  /** The limiters, built once per trial on the shared client. */
  @State(Scope.Benchmark)
  public static class Limiters {
    RateLimiter vtp;
    RateLimiter vtpDenied;
    ProxyManager<byte[]> bucket4j;
    BucketConfiguration bucketConfig;
    RedisClient client;
    String[] keys;
    byte[][] bucketKeys;
    String[] incrKeys;

    /**
     * Builds the contenders.
     *
     * @param redis the shared Redis
     */
    @Setup(Level.Trial)
    public void setUp(BenchRedis redis) {
      client = redis.client();
      // 1e9 permits per 1,000 s: never denied during a run, so every decision is a Redis decision.
      vtp = RedisRateLimiter.builder(client).name("bench").keyPrefix("bench:rl:").limit(1_000_000_000L)
          .window(Duration.ofSeconds(1_000)).build();
      vtpDenied = RedisRateLimiter.builder(client).name("bench-denied").keyPrefix("bench:rl:").limit(1)
          .window(Duration.ofHours(1)).build();
      vtpDenied.tryAcquire("abuser"); // allowed, or denied by state a previous run left in this Redis
      if (vtpDenied.tryAcquire("abuser").allowed()) {
        throw new IllegalStateException("the denied key should be denied");
      }
      bucket4j = Bucket4jJedis.casBasedBuilder(client)
          .expirationAfterWrite(ExpirationAfterWriteStrategy.basedOnTimeForRefillingBucketUpToMax(
              Duration.ofSeconds(10)))
          .build();
      bucketConfig = BucketConfiguration.builder()
          .addLimit(limit -> limit.capacity(1_000_000_000L).refillGreedy(1_000_000_000L, Duration.ofSeconds(1_000)))
          .build();
      keys = new String[KEYS];
      bucketKeys = new byte[KEYS][];
      incrKeys = new String[KEYS];
      for (int i = 0; i < KEYS; i++) {
        keys[i] = "user" + i;
        bucketKeys[i] = ("bench:b4j:user" + i).getBytes(StandardCharsets.UTF_8);
        incrKeys[i] = "bench:incr:user" + i;
      }
    }

    /** Closes the limiters (the client belongs to {@link BenchRedis}). */
    @TearDown(Level.Trial)
    public void tearDown() {
      vtp.close();
      vtpDenied.close();
    }
  }

  /** Each thread's walk over the keys. */
  @State(Scope.Thread)
  public static class Cursor {
    int next = ThreadLocalRandom.current().nextInt(KEYS);

    int nextIndex() {
      next = next + 1 == KEYS ? 0 : next + 1;
      return next;
    }
  }

  /** @return the decision */
  @Benchmark
  public Decision vtpSpread(Limiters l, Cursor c) {
    return l.vtp.tryAcquire(l.keys[c.nextIndex()]);
  }

  /** @return the decision */
  @Benchmark
  public Decision vtpHot(Limiters l) {
    return l.vtp.tryAcquire("hot");
  }

  /** @return the decision (always {@link Outcome#LOCAL_DENIED}) */
  @Benchmark
  public Decision vtpLocallyDenied(Limiters l) {
    return l.vtpDenied.tryAcquire("abuser");
  }

  /** @return whether Bucket4j granted the token */
  @Benchmark
  public boolean bucket4jSpread(Limiters l, Cursor c) {
    return l.bucket4j.builder().build(l.bucketKeys[c.nextIndex()], () -> l.bucketConfig).tryConsume(1);
  }

  /** @return whether Bucket4j granted the token */
  @Benchmark
  public boolean bucket4jHot(Limiters l) {
    return l.bucket4j.builder().build(l.bucketKeys[0], () -> l.bucketConfig).tryConsume(1);
  }

  /** @return the count */
  @Benchmark
  public long incrExpireSpread(Limiters l, Cursor c) {
    return incrExpire(l.client, l.incrKeys[c.nextIndex()]);
  }

  /** @return the count */
  @Benchmark
  public long incrExpireHot(Limiters l) {
    return incrExpire(l.client, "bench:incr:hot");
  }

  /** The original: two round trips on a key's first hit, one afterwards (and no expiry if it dies between). */
  private static long incrExpire(RedisClient client, String key) {
    long count = client.incr(key);
    if (count == 1) {
      client.expire(key, 60);
    }
    return count;
  }
}
