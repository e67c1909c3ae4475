package io.vtp.bench;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The physical floor every other benchmark is reported against: one raw Jedis {@code GET} of a 100-byte value,
 * one round trip through the same pooled client.
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
}
