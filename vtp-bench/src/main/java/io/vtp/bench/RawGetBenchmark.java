package io.vtp.bench;

import io.vtp.redis.RedisScript;
import java.util.List;
import java.util.UUID;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * The physical floor every other benchmark is reported against: one raw Jedis {@code GET} of a 100-byte value,
 * one round trip through the same pooled client; and the floor of a write that Redis must check in a script,
 * {@link #rawCompareAndSet}.
 *
 * <p>Run (1 and 8 threads):
 * <pre>
 * ./mvnw -q -pl vtp-bench -am package -DskipTests
 * java -jar vtp-bench/target/benchmarks.jar RawGetBenchmark -t 1
 * java -jar vtp-bench/target/benchmarks.jar RawGetBenchmark -t 8
 * </pre>
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 3)
public class RawGetBenchmark {
  private static final RedisScript COMPARE_AND_SET = RedisScript.of("compare-and-set",
      "if redis.call('HGET', KEYS[1], 'v') == ARGV[1] then return redis.call('HSET', KEYS[1], 'v', ARGV[2]) end "
          + "return -1");
  private static final List<String> FROM_B = List.of("b", "a");
  private static final List<String> FROM_A = List.of("a", "b");

  /**
   * One GET.
   *
   * @param redis the shared Redis and client
   * @return the value, so JMH keeps the call
   */
  @Benchmark
  public String rawGet(BenchRedis redis) {
    return redis.client().get(BenchRedis.GET_KEY);
  }

  /**
   * The write floor for a script-checked write (the session store's update): one {@code EVALSHA} of the least such
   * a script can do, read one field of a small hash, compare, write it. Each thread flips its own hash between two
   * values, so the compare always matches.
   *
   * @param redis the shared Redis and client
   * @param key this thread's hash
   * @return the script's reply, so JMH keeps the call
   */
  @Benchmark
  public Object rawCompareAndSet(BenchRedis redis, CasKey key) {
    key.flip = !key.flip;
    return COMPARE_AND_SET.eval(redis.client(), List.of(key.key), key.flip ? FROM_B : FROM_A);
  }

  /** One hash per benchmark thread, for {@link #rawCompareAndSet}. */
  @State(Scope.Thread)
  public static class CasKey {
    final String key = "bench:raw:cas:" + UUID.randomUUID();
    boolean flip;

    /**
     * Writes the value the first compare expects.
     *
     * @param redis the shared Redis and client
     */
    @Setup(Level.Trial)
    public void seed(BenchRedis redis) {
      redis.client().hset(key, "v", "b");
    }
  }
}
