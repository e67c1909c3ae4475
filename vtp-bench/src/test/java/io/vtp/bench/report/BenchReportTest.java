package io.vtp.bench.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

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
  void markdown_reportsRatiosToRawGetAndJudgesTargets() throws Exception {
    String md = BenchReport.markdown("- Date: test", Map.of(8, BenchReport.parse(JSON)));
    assertThat(md).contains("| CacheBenchmark.vtpHit | 95,000 | 4,000 | 0.95 |");
    assertThat(md).contains("| cache hit >= 0.9x raw GET | 8 | 0.95 | - | yes |");
    assertThat(md).contains("| rate limit >= 5x Bucket4j, one hot key, 8 threads | 8 | 4.00 | - | **no** |");
    assertThat(md).contains("| session find >= 0.9x raw GET | 8 | not measured | - | - |");
  }

  @Test
  void markdown_showsWhatTheFloorsAloneWouldReach() throws Exception {
    String json = "["
        + result("RawGetBenchmark.rawGet", 120_000) + "," + result("RawGetBenchmark.rawCompareAndSet", 60_000) + ","
        + result("session.SessionBenchmark.vtpFind", 100_000) + ","
        + result("session.SessionBenchmark.springFindById", 50_000) + ","
        + result("session.SessionBenchmark.vtpFindThenUpdate", 30_000) + ","
        + result("session.SessionBenchmark.springFindThenSave", 10_000) + "]";

    String md = BenchReport.markdown("- Date: test", Map.of(8, BenchReport.parse(json)));

    // find: a GET alone, 120k / 50k; find+update: a GET then a compare-and-set, 1 / (1/120k + 1/60k) = 40k, / 10k
    assertThat(md).contains("| session find >= 2x Spring Session findById | 8 | 2.00 | 2.40 | yes |");
    assertThat(md).contains("| session find+update >= 3x Spring findById+save | 8 | 3.00 | 4.00 | yes |");
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
    assertThat(md).contains("| RawGetBenchmark.rawGet | 100,000 | 1.00 | 70.0 | 300 | 1,200 |");
  }
}
