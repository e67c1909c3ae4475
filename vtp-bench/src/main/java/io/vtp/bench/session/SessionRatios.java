package io.vtp.bench.session;

import io.vtp.bench.BenchRedis;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntFunction;

/**
 * The contenders of {@link SessionBenchmark}, interleaved: on a shared, noisy machine the speed of a single
 * connection drifts by 2-3x within minutes, which JMH's one-benchmark-after-another order turns into wrong ratios.
 * Here every round runs each contender for one slice (rotating the order), the ratio to raw {@code GET} is taken
 * within the round, and the median over rounds is reported. Same client, same sessions, same Redis as the JMH
 * benchmark.
 *
 * <p>Run (after warm-up rounds that are not counted):
 * <pre>
 * ./mvnw -q -pl vtp-bench -am package -DskipTests
 * java -cp vtp-bench/target/benchmarks.jar io.vtp.bench.session.SessionRatios 1 15   # 1 thread, 15 rounds
 * java -cp vtp-bench/target/benchmarks.jar io.vtp.bench.session.SessionRatios 8 15   # 8 threads
 * </pre>
 */
public final class SessionRatios {
  private static final long SLICE_MILLIS = 1000;
  private static final int WARMUP_ROUNDS = 8;
  private static volatile Object sink;

  private SessionRatios() {}

  /**
   * Runs the comparison.
   *
   * @param args threads (default 1), measured rounds (default 15)
   * @throws Exception when a contender fails
   */
  public static void main(String[] args) throws Exception {
    int threads = args.length > 0 ? Integer.parseInt(args[0]) : 1;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 15;
    BenchRedis redis = new BenchRedis();
    redis.start();
    SessionBenchmark.Stores stores = new SessionBenchmark.Stores();
    stores.start(redis);
    SessionBenchmark bench = new SessionBenchmark();
    SessionBenchmark.Sessions[] sessions = new SessionBenchmark.Sessions[threads];
    for (int t = 0; t < threads; t++) {
      sessions[t] = new SessionBenchmark.Sessions();
      sessions[t].create(stores);
    }
    Map<String, IntFunction<Object>> contenders = new LinkedHashMap<>();
    contenders.put("rawGet", t -> redis.client().get(BenchRedis.GET_KEY));
    contenders.put("vtpFind", t -> bench.vtpFind(stores, sessions[t]));
    contenders.put("springFindById", t -> bench.springFindById(stores, sessions[t]));
    contenders.put("vtpFindThenUpdate", t -> bench.vtpFindThenUpdate(stores, sessions[t]));
    contenders.put("springFindThenSave", t -> bench.springFindThenSave(stores, sessions[t]));
    List<String> names = new ArrayList<>(contenders.keySet());
    Map<String, double[]> opsPerSecond = new LinkedHashMap<>();
    names.forEach(n -> opsPerSecond.put(n, new double[rounds]));

    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      for (int round = -WARMUP_ROUNDS; round < rounds; round++) {
        for (int k = 0; k < names.size(); k++) {
          String name = names.get(Math.floorMod(k + round, names.size()));
          double rate = slice(pool, threads, contenders.get(name));
          if (round >= 0) {
            opsPerSecond.get(name)[round] = rate;
          }
        }
      }
    } finally {
      pool.shutdownNow();
      stores.stop();
      redis.stop();
    }

    System.out.printf("threads=%d rounds=%d slice=%d ms (median ops/s; ratio = per-round ratio to rawGet, median "
        + "[min..max])%n", threads, rounds, SLICE_MILLIS);
    double[] get = opsPerSecond.get("rawGet");
    for (String name : names) {
      double[] ops = opsPerSecond.get(name);
      double[] ratio = new double[rounds];
      for (int r = 0; r < rounds; r++) {
        ratio[r] = ops[r] / get[r];
      }
      System.out.printf("%-20s %10.0f ops/s   ratio %.2f [%.2f..%.2f]%n", name, median(ops), median(ratio),
          Arrays.stream(ratio).min().orElse(0), Arrays.stream(ratio).max().orElse(0));
    }
    double[] vf = opsPerSecond.get("vtpFind");
    double[] sf = opsPerSecond.get("springFindById");
    double[] vu = opsPerSecond.get("vtpFindThenUpdate");
    double[] su = opsPerSecond.get("springFindThenSave");
    double[] findVsSpring = new double[rounds];
    double[] updateVsSpring = new double[rounds];
    for (int r = 0; r < rounds; r++) {
      findVsSpring[r] = vf[r] / sf[r];
      updateVsSpring[r] = vu[r] / su[r];
    }
    System.out.printf("vtpFind / springFindById              %.2f%n", median(findVsSpring));
    System.out.printf("vtpFindThenUpdate / springFindThenSave %.2f%n", median(updateVsSpring));
  }

  private static double slice(ExecutorService pool, int threads, IntFunction<Object> op) throws Exception {
    CountDownLatch go = new CountDownLatch(1);
    long[] deadline = new long[1];
    List<Future<Long>> counts = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int thread = t;
      counts.add(pool.submit(() -> {
        go.await();
        long n = 0;
        Object last = null;
        while (System.nanoTime() < deadline[0]) {
          last = op.apply(thread);
          n++;
        }
        sink = last;
        return n;
      }));
    }
    long start = System.nanoTime();
    deadline[0] = start + SLICE_MILLIS * 1_000_000;
    go.countDown();
    long total = 0;
    for (Future<Long> f : counts) {
      total += f.get();
    }
    return total * 1e9 / (System.nanoTime() - start);
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }
}
