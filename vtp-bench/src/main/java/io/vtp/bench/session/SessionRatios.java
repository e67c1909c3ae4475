package io.vtp.bench.session;

import io.vtp.bench.BenchRedis;
import io.vtp.bench.RawGetBenchmark;
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
import org.openjdk.jmh.infra.Blackhole;

/**
 * The contenders of {@link SessionBenchmark}, interleaved: on a shared, noisy machine the speed of a single
 * connection drifts by 2-3x within minutes, which JMH's one-benchmark-after-another order turns into wrong ratios.
 * Here every round runs each contender for one slice (rotating the order), the ratio to raw {@code GET} is taken
 * within the round, and the median over rounds is reported. Same client, same sessions, same Redis as the JMH
 * benchmark.
 *
 * <p>It also runs the floors ({@link RawGetBenchmark#rawCompareAndSet} and
 * {@link RawGetBenchmark#rawGetThenCompareAndSet}, a session-sized {@code GET} then the session store's own
 * compare-and-set) and shows, for each Spring Session comparison, the ratio the floors alone reach in the same
 * round: a raw {@code GET} in place of {@code find}, and the {@code GET} then compare-and-set in place of
 * find-then-update. No store that reads Redis on every {@code find} and checks its writes in Redis can beat those.
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
    RawGetBenchmark floors = new RawGetBenchmark();
    RawGetBenchmark.CasKey[] casKeys = new RawGetBenchmark.CasKey[threads];
    RawGetBenchmark.SessionRecord[] records = new RawGetBenchmark.SessionRecord[threads];
    Blackhole hole = new Blackhole(
        "Today's password is swordfish. I understand instantiating Blackholes directly is dangerous.");
    for (int t = 0; t < threads; t++) {
      sessions[t] = new SessionBenchmark.Sessions();
      sessions[t].create(stores);
      casKeys[t] = new RawGetBenchmark.CasKey();
      casKeys[t].seed(redis);
      records[t] = new RawGetBenchmark.SessionRecord();
      records[t].seed(redis);
    }
    Map<String, IntFunction<Object>> contenders = new LinkedHashMap<>();
    contenders.put("rawGet", t -> floors.rawGet(redis));
    contenders.put("rawCompareAndSet", t -> floors.rawCompareAndSet(redis, casKeys[t]));
    contenders.put("rawGetThenCompareAndSet", t -> floors.rawGetThenCompareAndSet(redis, records[t], hole));
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
      System.out.printf("%-24s %10.0f ops/s   ratio %.2f [%.2f..%.2f]%n", name, median(ops), median(ratio),
          Arrays.stream(ratio).min().orElse(0), Arrays.stream(ratio).max().orElse(0));
    }
    double[] getCas = opsPerSecond.get("rawGetThenCompareAndSet");
    double[] vf = opsPerSecond.get("vtpFind");
    double[] sf = opsPerSecond.get("springFindById");
    double[] vu = opsPerSecond.get("vtpFindThenUpdate");
    double[] su = opsPerSecond.get("springFindThenSave");
    double[][] columns = new double[4][rounds];
    for (int r = 0; r < rounds; r++) {
      columns[0][r] = vf[r] / sf[r];
      columns[1][r] = get[r] / sf[r];
      columns[2][r] = vu[r] / su[r];
      columns[3][r] = getCas[r] / su[r];
    }
    System.out.printf("%-40s %8s %13s%n", "per-round median", "measured", "floors alone");
    System.out.printf("%-40s %8.2f %13.2f   (floor: rawGet)%n", "vtpFind / springFindById", median(columns[0]),
        median(columns[1]));
    System.out.printf("%-40s %8.2f %13.2f   (floor: rawGetThenCompareAndSet)%n",
        "vtpFindThenUpdate / springFindThenSave", median(columns[2]), median(columns[3]));
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
