package io.vtp.bench.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.annotations.Benchmark;

class BenchReportTest {
  private static final String JSON = "["
      + "{\"benchmark\":\"io.vtp.bench.RawGetBenchmark.rawGet\",\"mode\":\"thrpt\",\"threads\":8,"
      + "\"primaryMetric\":{\"score\":100000.0,\"scoreError\":5000.0,\"scoreUnit\":\"ops/s\"}},"
      + "{\"benchmark\":\"io.vtp.bench.cache.CacheBenchmark.vtpHit\",\"mode\":\"thrpt\",\"threads\":8,"
      + "\"primaryMetric\":{\"score\":95000.0,\"scoreError\":4000.0,\"scoreUnit\":\"ops/s\"}},"
      + "{\"benchmark\":\"io.vtp.bench.ratelimit.RateLimitBenchmark.vtpHot\",\"mode\":\"thrpt\",\"threads\":8,"
      + "\"primaryMetric\":{\"score\":40000.0,\"scoreError\":1.0,\"scoreUnit\":\"ops/s\"}},"
      + "{\"benchmark\":\"io.vtp.bench.ratelimit.RateLimitBenchmark.bucket4jHot\",\"mode\":\"thrpt\",\"threads\":8,"
      + "\"primaryMetric\":{\"score\":10000.0,\"scoreError\":1.0,\"scoreUnit\":\"ops/s\"}}]";

  @Test
  void parse_keepsClassAndMethodAndThreads() throws Exception {
    List<BenchReport.Result> results = BenchReport.parse(JSON);
    assertThat(results).extracting(BenchReport.Result::benchmark)
        .containsExactly("RawGetBenchmark.rawGet", "CacheBenchmark.vtpHit", "RateLimitBenchmark.vtpHot",
            "RateLimitBenchmark.bucket4jHot");
    assertThat(results.get(0).threads()).isEqualTo(8);
  }

  @Test
  void markdown_reportsRatiosToRawGetAndToTheFloorAndJudgesTargets() throws Exception {
    String md = BenchReport.markdown("- Date: test", Map.of(8, BenchReport.parse(JSON)));
    assertThat(md).contains("| CacheBenchmark.vtpHit | 95,000 | 4,000 | 0.95 | rawGet | 0.95 |");
    assertThat(md).contains("| RawGetBenchmark.rawGet | 100,000 | 5,000 | 1.00 | (floor) | - |");
    // The limiter's floor is not in this run: named, not measured; its targets against Bucket4j still judged.
    assertThat(md).contains("| RateLimitBenchmark.vtpHot | 40,000 | 1 | 0.40 | rawTimeGetSet | not measured |");
    assertThat(md).contains("| cache hit >= 0.9x its floor (raw GET) | 8 | 0.95 | - | yes |");
    assertThat(md).contains("| rate limit >= 5x Bucket4j, one hot key, 8 threads | 8 | 4.00 | - | **no** |");
    assertThat(md).contains("| session find >= 0.9x its floor (raw GET) | 8 | not measured | - | - |");
    assertThat(md).contains("Met: 1 of 2 measured.");
  }

  @Test
  void markdown_fromJmhFixture_printsEachContendersRatioToItsFloor() throws Exception {
    Map<Integer, List<BenchReport.Result>> run = fixture();

    String md = BenchReport.markdown("- Date: test", run);

    assertThat(md).contains("| benchmark | ops/s | ratio to raw GET | its floor | ratio to its floor | p50 µs | p99 µs "
        + "| p99.9 µs |");
    // 1 thread: raw GET 10,000 ops/s, GET then compare-and-set 5,000, TIME+GET+SET 8,000.
    assertThat(md).contains("| SessionBenchmark.vtpFind | 9,524 | 0.95 | rawGet | 0.95 | 94.5 | 210 | 420 |");
    assertThat(md).contains("| SessionBenchmark.vtpFindThenUpdate | 4,000 | 0.40 | rawGetThenCompareAndSet | 0.80 "
        + "| 225 | 500 | 1,000 |");
    assertThat(md).contains("| SessionBenchmark.springFindThenSave | 2,000 | 0.20 | rawGetThenCompareAndSet | 0.40 |");
    assertThat(md).contains("| RateLimitBenchmark.vtpSpread | 7,692 | 0.77 | rawTimeGetSet | 0.96 |");
    assertThat(md).contains("| RateLimitBenchmark.bucket4jSpread | 4,000 | 0.40 | rawTimeGetSet | 0.50 |");
    assertThat(md).contains("| RawGetBenchmark.rawGetThenCompareAndSet | 5,000 | 0.50 | (floor) | - |");
    assertThat(md).contains("| RawGetBenchmark.rawTimeGetSet | 8,000 | 0.80 | (floor) | - |");
    // No round trip, no floor.
    assertThat(md).contains("| CacheBenchmark.vtpL1Hit | 10,000,000 | 1000.00 | - | - |");
    assertThat(md).contains("| RateLimitBenchmark.vtpLocallyDenied | 5,000,000 | 500.00 | - | - |");
    // 8 threads: raw GET 80,000, GET then compare-and-set 40,000, TIME+GET+SET 64,000.
    assertThat(md).contains("| SessionBenchmark.vtpFindThenUpdate | 38,095 | 0.48 | rawGetThenCompareAndSet | 0.95 |");
    assertThat(md).contains("| RateLimitBenchmark.vtpSpread | 53,333 | 0.67 | rawTimeGetSet | 0.83 |");
  }

  @Test
  void markdown_fromJmhFixture_judgesEachOfOurContendersAgainstNinetyPercentOfItsFloor() throws Exception {
    String md = BenchReport.markdown("- Date: test", fixture());

    assertThat(md).contains("| session find >= 0.9x its floor (raw GET) | 1 | 0.95 | - | yes |");
    assertThat(md).contains("| session find >= 0.9x its floor (raw GET) | 8 | 0.91 | - | yes |");
    assertThat(md).contains("| session find+update >= 0.9x its floor (GET + compare-and-set) | 1 | 0.80 | - | **no** |");
    assertThat(md).contains("| session find+update >= 0.9x its floor (GET + compare-and-set) | 8 | 0.95 | - | yes |");
    assertThat(md).contains("| rate limit decision >= 0.9x its floor (TIME+GET+SET script) | 1 | 0.96 | - | yes |");
    assertThat(md).contains("| rate limit decision >= 0.9x its floor (TIME+GET+SET script) | 8 | 0.83 | - | **no** |");
    assertThat(md).contains("| cache hit >= 0.9x its floor (raw GET) | 1 | 1.05 | - | yes |");
    assertThat(md).contains("Met: 14 of 16 measured.");
  }

  @Test
  void markdown_fromJmhFixture_judgesFindThenUpdateAgainstSpringAtEightThreadsOnly() throws Exception {
    String md = BenchReport.markdown("- Date: test", fixture());

    // 38,095 / 11,429 measured; the floor alone, 40,000 / 11,429, is what any store with those round trips can reach.
    assertThat(md).contains("| session find+update >= 3x Spring findById+save, 8 threads | 8 | 3.33 | 3.50 | yes |");
    assertThat(md).doesNotContain("| session find+update >= 3x Spring findById+save, 8 threads | 1 |");
    assertThat(md).contains("| rate limit >= 1.6x Bucket4j, spread keys | 1 | 1.92 | 2.00 | yes |");
    assertThat(md).contains("| rate limit >= 5x Bucket4j, one hot key, 8 threads | 8 | 6.67 | 8.00 | yes |");
  }

  @Test
  void markdown_replacesTheTargetsAboveThePhysicalFloor() throws Exception {
    String md = BenchReport.markdown("- Date: test", fixture());

    assertThat(md).doesNotContain("| session find >= 2x Spring Session findById |");
    assertThat(md).doesNotContain("rate limit decision >= 0.7x raw GET |");
    assertThat(md).contains("asked for more than the physical floor allows");
  }

  @Test
  void targetsAndFloors_nameBenchmarksThatExist() throws Exception {
    Map<String, Class<?>> classes = Map.of("RawGetBenchmark", io.vtp.bench.RawGetBenchmark.class,
        "SessionBenchmark", io.vtp.bench.session.SessionBenchmark.class,
        "RateLimitBenchmark", io.vtp.bench.ratelimit.RateLimitBenchmark.class,
        "CacheBenchmark", io.vtp.bench.cache.CacheBenchmark.class);
    List<String> named = new ArrayList<>();
    BenchReport.FLOORS.forEach((contender, floor) -> {
      named.add(contender);
      named.add(floor);
    });
    for (BenchReport.Target t : BenchReport.TARGETS) {
      named.add(t.numerator());
      named.add(t.denominator());
      named.addAll(t.floors());
    }
    for (String name : named) {
      String[] parts = name.split("\\.");
      Class<?> type = classes.get(parts[0]);
      assertThat(type).as(name).isNotNull();
      assertThat(Arrays.stream(type.getMethods())
          .filter(m -> m.getName().equals(parts[1]) && m.isAnnotationPresent(Benchmark.class))).as(name).hasSize(1);
    }
  }

  @Test
  void binBenchDefaultFilter_runsEveryFloorAndContenderTheTargetsName() throws Exception {
    String script = Files.readString(Path.of("..", "bin", "bench"));
    Matcher m = Pattern.compile("filter=\\$\\{1:-'([^']+)'}").matcher(script);
    assertThat(m.find()).as("bin/bench's default filter").isTrue();
    Pattern filter = Pattern.compile(m.group(1));
    Map<String, String> packages = Map.of("RawGetBenchmark", "io.vtp.bench.", "SessionBenchmark",
        "io.vtp.bench.session.", "RateLimitBenchmark", "io.vtp.bench.ratelimit.", "CacheBenchmark",
        "io.vtp.bench.cache.");
    List<String> named = new ArrayList<>(BenchReport.FLOORS.values());
    BenchReport.TARGETS.forEach(t -> {
      named.add(t.numerator());
      named.add(t.denominator());
    });
    for (String name : named) {
      String full = packages.get(name.substring(0, name.indexOf('.'))) + name;
      assertThat(filter.matcher(full).find()).as(full + " matches " + filter).isTrue();
    }
  }

  @Test
  void floorRatio_withOneMeasuredFloor_isItsRatioToTheDenominator() throws Exception {
    List<BenchReport.Result> results = BenchReport.parse("[" + result("RawGetBenchmark.rawGetThenCompareAndSet",
        40_000) + "," + result("session.SessionBenchmark.springFindThenSave", 10_000) + "]");
    assertThat(BenchReport.floorRatio(results, List.of(BenchReport.GET_CAS), "SessionBenchmark.springFindThenSave"))
        .isCloseTo(4.0, within(1e-9));
  }

  @Test
  void floorRatio_isNullWhenAFloorIsMissing() throws Exception {
    List<BenchReport.Result> results = BenchReport.parse("[" + result("RawGetBenchmark.rawGet", 100_000) + ","
        + result("session.SessionBenchmark.springFindThenSave", 10_000) + "]");
    assertThat(BenchReport.floorRatio(results, List.of("RawGetBenchmark.rawGet"),
        "SessionBenchmark.springFindThenSave")).isCloseTo(10.0, within(1e-9));
    assertThat(BenchReport.floorRatio(results, List.of("RawGetBenchmark.rawGet", BenchReport.RAW_CAS),
        "SessionBenchmark.springFindThenSave")).isNull();
    assertThat(BenchReport.floorRatio(results, List.of(), "SessionBenchmark.springFindThenSave")).isNull();
  }

  @Test
  void inSequence_addsTheTimesPerOperation() {
    assertThat(BenchReport.inSequence(100_000)).isCloseTo(100_000, within(1e-6));
    // 10 us + 40 us = 50 us per operation
    assertThat(BenchReport.inSequence(100_000, 25_000)).isCloseTo(20_000, within(1e-6));
    assertThatThrownBy(BenchReport::inSequence).hasMessageContaining("at least one");
    assertThatThrownBy(() -> BenchReport.inSequence(100, 0)).hasMessageContaining("above zero but was 0.0");
    assertThatThrownBy(() -> BenchReport.inSequence(Double.NaN)).hasMessageContaining("above zero");
  }

  private static Map<Integer, List<BenchReport.Result>> fixture() throws IOException {
    Map<Integer, List<BenchReport.Result>> run = new TreeMap<>();
    for (int threads : new int[] {1, 8}) {
      try (InputStream in = BenchReportTest.class.getResourceAsStream("jmh-t" + threads + ".json")) {
        run.put(threads, BenchReport.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8)));
      }
    }
    return run;
  }

  private static String result(String benchmark, double opsPerSecond) {
    return "{\"benchmark\":\"io.vtp.bench." + benchmark + "\",\"mode\":\"thrpt\",\"threads\":8,"
        + "\"primaryMetric\":{\"score\":" + opsPerSecond + ",\"scoreError\":1.0,\"scoreUnit\":\"ops/s\"}}";
  }

  @Test
  void ratios_needTheRawGetFloor() throws Exception {
    String noFloor = "[{\"benchmark\":\"a.B.c\",\"threads\":1,\"primaryMetric\":{\"score\":1.0,\"scoreUnit\":\"ops/s\"}}]";
    assertThatThrownBy(() -> BenchReport.ratios(BenchReport.parse(noFloor))).hasMessageContaining("rawGet");
    String wrongUnit = "[{\"benchmark\":\"a.B.c\",\"threads\":1,\"primaryMetric\":{\"score\":1.0,\"scoreUnit\":\"us/op\"}}]";
    assertThatThrownBy(() -> BenchReport.parse(wrongUnit)).hasMessageContaining("ops/s");
  }

  @Test
  void parse_sampleMode_derivesThroughputFromTheMeanAndKeepsPercentiles() throws Exception {
    String json = "[{\"benchmark\":\"io.vtp.bench.RawGetBenchmark.rawGet\",\"mode\":\"sample\",\"threads\":8,"
        + "\"primaryMetric\":{\"score\":80.0,\"scoreUnit\":\"us/op\",\"scorePercentiles\":"
        + "{\"50.0\":70.0,\"99.0\":300.0,\"99.9\":1200.0}}}]";

    BenchReport.Result r = BenchReport.parse(json).get(0);

    assertThat(r.score()).isEqualTo(100_000.0); // 8 threads / 80 µs
    assertThat(List.of(r.p50(), r.p99(), r.p999())).containsExactly(70.0, 300.0, 1200.0);
    String md = BenchReport.markdown("- Date: test", Map.of(8, List.of(r)));
    assertThat(md).contains("| RawGetBenchmark.rawGet | 100,000 | 1.00 | (floor) | - | 70.0 | 300 | 1,200 |");
  }
}
