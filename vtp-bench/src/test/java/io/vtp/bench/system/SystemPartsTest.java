package io.vtp.bench.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.javalin.Javalin;
import io.vtp.loadgen.OpenLoopLoad;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The pieces of the system level that need no deployment: profiles, /proc parsing, CPU accounting, report. */
class SystemPartsTest {
  @Test
  void mixed_is80PercentReads15PercentLists5PercentWrites_withTheToken() {
    Profiles.Profile p = Profiles.mixed("http://h", "tok", new long[] {1, 2, 3}, 9, Duration.ofSeconds(1));
    Map<String, Integer> counts = new TreeMap<>();
    for (long i = 0; i < 1000; i++) {
      HttpRequest r = p.requests().apply(i);
      String path = r.uri().getPath();
      String kind = r.method().equals("PUT") ? "write " + path : path.equals("/api/v1/courses") ? "list" : "read";
      counts.merge(kind, 1, Integer::sum);
      assertThat(r.headers().firstValue("Authorization")).hasValue("Bearer tok");
    }
    assertThat(counts).containsExactlyEntriesOf(new TreeMap<>(Map.of("read", 800, "list", 150,
        "write /api/v1/courses/9", 50)));
  }

  @Test
  void loggingTable_givesTheMedianAndRange_andNoRatioForASettingThatQueued() {
    List<SystemBench.LoggingRow> rows = List.of(
        new SystemBench.LoggingRow("text", "all", List.of(0.30, 0.24, 0.26), 8.5, 0, 30_000, true),
        new SystemBench.LoggingRow("json", "all", List.of(0.44, 0.55, 0.41), 1020.9, 0, 16_928, false),
        new SystemBench.LoggingRow("json", "off", List.of(0.20, 0.22, 0.50), 4.0, 0, 30_000, true));
    String md = SystemBench.loggingTable(2000, Duration.ofSeconds(5), rows);
    assertThat(md).contains("at 2,000 req/s (half its 1-instance max").contains("within 10 % of the CPU per request")
        .contains("then 2 runs of 5 s").contains("then in reverse").contains("over the 4 runs")
        .contains("| text | all | 0.260 | 0.240-0.300 | 1.18x | 8.50 | 0 | 30,000 | yes |")
        .contains("| json | all | 0.440 | 0.410-0.550 | - | 1020.90 | 0 | 16,928 | **no** (not comparable) |")
        .contains("| json | off | 0.220 | 0.200-0.500 | 1.00x | 4.00 | 0 | 30,000 | yes |");
    assertThat(new SystemBench.LoggingRow("t", "a", List.of(0.4, 0.1, 0.3, 0.2), 1, 0, 1, true).median())
        .isCloseTo(0.25, within(1e-9));
    String noBaseline = SystemBench.loggingTable(2000, Duration.ofSeconds(5), List.of(rows.get(0),
        new SystemBench.LoggingRow("json", "off", List.of(0.2), 900, 0, 9_000, false)));
    assertThat(noBaseline).contains("| text | all | 0.260 | 0.240-0.300 | - |");
  }

  @Test
  void interleaved_takesEachProfileInTurn_soAWarmUpCoversEveryPath() {
    Profiles.Profile health = Profiles.health("http://h", Duration.ofSeconds(1));
    Profiles.Profile reads = Profiles.courseRead("http://h", "tok", new long[] {4, 5}, Duration.ofSeconds(1));
    Profiles.Profile both = Profiles.interleaved(health, reads);
    assertThat(both.key()).isEqualTo("health+course");
    assertThat(List.of(0L, 1L, 2L, 3L).stream().map(i -> both.requests().apply(i).uri().getPath()))
        .containsExactly("/health/live", "/api/v1/courses/4", "/health/live", "/api/v1/courses/5");
    assertThatThrownBy(Profiles::interleaved).hasMessageContaining("at least one profile");
  }

  @Test
  void courseRead_cyclesOverTheIds() {
    Profiles.Profile p = Profiles.courseRead("http://h", "tok", new long[] {4, 5}, Duration.ofSeconds(1));
    assertThat(List.of(0L, 1L, 2L).stream().map(i -> p.requests().apply(i).uri().getPath()))
        .containsExactly("/api/v1/courses/4", "/api/v1/courses/5", "/api/v1/courses/4");
    assertThatThrownBy(() -> Profiles.courseRead("http://h", "t", new long[0], Duration.ofSeconds(1)))
        .hasMessageContaining("at least one course id");
  }

  @Test
  void parse_readsUtimeStimeAfterTheCommandName_evenWithSpacesAndParentheses() {
    String stat = "4242 (java (x) y) S 1 4242 4242 0 -1 4194560 100 0 0 0 150 50 7 3 20 0 30 0 100 0 0";
    ProcCpu.Ticks t = ProcCpu.parse(stat);
    assertThat(t.self()).isEqualTo(200);
    assertThat(t.reapedChildren()).isEqualTo(10);
    assertThatThrownBy(() -> ProcCpu.parse("garbage")).hasMessageContaining("not a /proc/<pid>/stat line");
  }

  @Test
  void ms_readsThisProcessAndNothingForAMissingOne() {
    long pid = ProcessHandle.current().pid();
    // Read this process alone first: CPU time only grows, so the tree (this process and more), read after it,
    // can only be at least as large. The other order raced with this test's own CPU use.
    long self = ProcCpu.ms(pid).orElseThrow();
    assertThat(ProcCpu.treeMs(pid).getAsLong()).isGreaterThanOrEqualTo(self);
    assertThat(ProcCpu.ms(Integer.MAX_VALUE)).isEmpty();
  }

  @Test
  void cpuPerRequest_dividesEachBackendByWhatItServed_andTheTotalByEveryAnswer() {
    OpenLoopLoad.Result r = result(Map.of(200, 900L, 503, 100L), Map.of("backend-1", 600L, "backend-2", 400L));
    Map<String, Long> before = new HashMap<>(Map.of("backend-1", 1000L, "backend-2", 500L, "nginx", 0L,
        "redis", -1L, "postgres", 100L, "generator", 0L));
    Map<String, Long> after = Map.of("backend-1", 1300L, "backend-2", 700L, "nginx", 100L, "redis", -1L,
        "postgres", 150L, "generator", 250L);
    SystemReport.Cpu c = SystemBench.cpuPerRequest(Map.of("backend-1", 11L, "backend-2", 12L), before, after, r);

    assertThat(c.requests()).isEqualTo(1000);
    assertThat(c.backendsMsPerRequest()).isEqualTo(0.5);
    assertThat(c.instances()).extracting(SystemReport.InstanceCpu::msPerRequest).containsExactlyInAnyOrder(0.5, 0.5);
    assertThat(c.nginxMsPerRequest()).isEqualTo(0.1);
    assertThat(c.redisMsPerRequest()).isNull();
    assertThat(c.postgresMsPerRequest()).isEqualTo(0.05);
    assertThat(c.generatorMsPerRequest()).isEqualTo(0.25);
  }

  @Test
  void report_judgesTheRatioAndWritesTablesAndCharts(@TempDir Path dir) throws Exception {
    List<SystemReport.Measurement> ms = List.of(
        measurement("course", 1, 1000, false), measurement("course", 3, 1100, false),
        measurement("floor", 3, 2000, true), measurement("mixed", 3, 500, false));
    SystemReport.Ratio ratio = SystemReport.ratio(ms, 0.5);
    assertThat(ratio.value()).isEqualTo(0.55);
    assertThat(ratio.met()).isTrue();
    assertThat(ratio.lowerBound()).isTrue();

    SystemReport.Report report = new SystemReport.Report("2025-01-01T00:00:00Z", "quick", Map.of("Machine", "test"),
        SystemReport.settings("senders", 64, "stepSeconds", 1.2, "precision", 0.25, "maxSteps", 3,
            "rampFactor", 2), 250, 50, ms, ratio, List.of("a note"));
    String md = SystemReport.markdown(report);
    assertThat(md).contains("| endpoint | 1 instance | 3 instances |");
    assertThat(md).contains("| cached GET /api/v1/courses/{id} | 1,000 | 1,100 |");
    assertThat(md).contains("| floor: bare Javalin | - | >= 2,000 |");
    assertThat(md).contains("floor with 3 instances: ~0.55** (target >= 0.5: met)");
    assertThat(md).contains("### Latency at 250 req/s");
    assertThat(md).contains("| mixed 80/15/5 | 3 | 1.00 | 2.00 | 3.00 | 4.00 | 5.0 | 0 | 500 |");
    assertThat(md).contains("- a note");

    SystemReport.rateChart(report, dir.resolve("rate.png"));
    SystemReport.latencyChart(report, dir.resolve("latency.png"));
    assertThat(Files.size(dir.resolve("rate.png"))).isGreaterThan(1000);
    assertThat(Files.size(dir.resolve("latency.png"))).isGreaterThan(1000);
  }

  @Test
  void floorApp_answersTheCourseAndLiveness() throws Exception {
    Javalin app = FloorApp.start(0, "floor-t");
    try {
      HttpClient client = HttpClient.newHttpClient();
      HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port()
          + "/api/v1/courses/7")).GET().build(), HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.headers().firstValue("X-Instance-Id")).hasValue("floor-t");
      assertThat(r.body()).contains("\"title\"");
      assertThat(client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + "/health/live"))
          .GET().build(), HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(200);
    } finally {
      app.stop();
    }
  }

  @Test
  void generatorCheck_comparesTheGeneratorWithNginx_nearCapacityAt3Instances() {
    SystemReport.Measurement course1 = loaded(measurement("course", 1, 1000, false), 0.9);
    SystemReport.Measurement course3 = loaded(measurement("course", 3, 1100, false), 0.05);
    SystemReport.Measurement health3 = loaded(measurement("health", 3, 2000, false), 0.08);

    assertThat(SystemReport.generatorCheck(List.of(course1, course3, health3)))
        .startsWith("Generator CPU per request <= nginx's, near capacity at 3 instance(s), same runs: **yes**")
        .contains("course 0.050 vs 0.100 ms");
    assertThat(SystemReport.generatorCheck(List.of(course1, loaded(measurement("course", 3, 1100, false), 0.2))))
        .contains("**NO**");
    assertThat(SystemReport.generatorCheck(List.of(measurement("course", 3, 1100, false)))).isNull();
  }

  /** {@code m} with a near-capacity run in which nginx cost 0.1 ms per request and the generator {@code gen}. */
  private static SystemReport.Measurement loaded(SystemReport.Measurement m, double gen) {
    SystemReport.Cpu cpu = new SystemReport.Cpu(500, 0.3, List.of(), 0.1, null, null, gen);
    return m.withLoaded(new SystemReport.Loaded(800, m.fixed(), cpu, null));
  }

  @Test
  void peerComparisons_divideEachRateByTheBackendCoresItUsed_andJudgeOnlyOurApp() {
    List<SystemReport.Measurement> ms = List.of(
        loaded(measurement("course", 1, 3000, false), 0.5, 0.2),
        loaded(measurement("spring", 1, 1000, false), 2.0, 0.3),
        loaded(measurement("starter", 1, 1500, true), 1.0, 0.25),
        loaded(measurement("spring", 3, 900, false), 2.5, 0.3)); // no course at 3: no row

    List<SystemReport.PeerComparison> rows = SystemReport.peerComparisons(ms);

    assertThat(rows).hasSize(2);
    SystemReport.PeerComparison app = rows.get(0);
    assertThat(app.endpoint()).isEqualTo("course");
    assertThat(app.perBackendCore()).isEqualTo(2000); // 1000 / 0.5 ms
    assertThat(app.springPerBackendCore()).isEqualTo(500); // 1000 / 2.0 ms
    assertThat(app.perCoreRatio()).isEqualTo(4.0);
    assertThat(app.rateRatio()).isEqualTo(3.0);
    assertThat(app.perStackCore()).isCloseTo(1000 / 0.8, within(1e-9)); // backends 0.5 + nginx 0.1 + Redis 0.2
    assertThat(app.met()).isTrue();
    assertThat(app.lowerBound()).isFalse();
    SystemReport.PeerComparison starter = rows.get(1);
    assertThat(starter.endpoint()).isEqualTo("starter");
    assertThat(starter.perCoreRatio()).isEqualTo(2.0);
    assertThat(starter.met()).isFalse(); // the target is for our app only
    assertThat(starter.lowerBound()).isTrue();

    String md = SystemReport.peerSection(rows);
    assertThat(md).contains("| cached GET /api/v1/courses/{id} | 1 | 3,000 | 1,000 | 3.00 | 2,000 | 500 | **4.00** |");
    assertThat(md).contains("**Our app / Spring peer per backend core, 1 instance: 4.00** (target >= 2.0: met)");
    assertThat(md).contains("1 instance: 2.00 per backend core, ~1.50 in max rate**");
  }

  @Test
  void cpuChecks_judgeCourseAndHealthAgainstTheFloorAtTheSameInstanceCount() {
    List<SystemReport.Measurement> ms = List.of(
        loaded(measurement("course", 3, 1000, false), 0.25, 0.1),
        loaded(measurement("health", 3, 2000, false), 0.3, 0.0),
        loaded(measurement("floor", 3, 4000, false), 0.2, 0.0),
        loaded(measurement("course", 1, 1000, false), 0.25, 0.1)); // no floor at 1: no line

    List<String> lines = SystemReport.cpuChecks(ms);

    assertThat(lines).hasSize(1);
    assertThat(lines.get(0))
        .startsWith("Backend CPU per request near capacity / the floor's, 3 instances:")
        .contains("cached GET /api/v1/courses/{id} **1.25** (0.250 vs 0.200 ms; target <= 1.5: **met**")
        .contains("GET /health/live **1.50** (0.300 vs 0.200 ms; target <= 1.2: **not met**");
    assertThat(SystemReport.cpuChecks(List.of(loaded(measurement("course", 3, 1000, false), 0.25, 0.1)))).isEmpty();
  }

  @Test
  void withPeerInstances_overridesTheCounts_zeroMeansNone_andRejectsGarbage() {
    assertThat(SystemBench.Plan.quick().withPeerInstances("1,3").peerInstances()).containsExactly(1, 3);
    assertThat(SystemBench.Plan.full().withPeerInstances("0").peerInstances()).isEmpty();
    assertThat(SystemBench.Plan.quick().withPeerInstances(null).peerInstances()).containsExactly(1);
    assertThatThrownBy(() -> SystemBench.Plan.quick().withPeerInstances("1;3"))
        .hasMessageContaining("VTP_BENCH_PEER_INSTANCES must be counts");
  }

  @Test
  void perCore_isZeroWithoutCpu() {
    SystemReport.Cpu none = new SystemReport.Cpu(0, 0, List.of(), null, null, null, 0);
    assertThat(SystemReport.perCore(none, false)).isZero();
    assertThat(SystemReport.perCore(none, true)).isZero();
  }

  @Test
  void springCourse_sendsTheSessionIdInXAuthToken_overTheIds() {
    Profiles.Profile p = Profiles.springCourse("http://h", "sid", new long[] {4, 5}, Duration.ofSeconds(1));
    assertThat(p.key()).isEqualTo("spring");
    assertThat(List.of(0L, 1L, 2L).stream().map(i -> p.requests().apply(i).uri().getPath()))
        .containsExactly("/api/v1/courses/4", "/api/v1/courses/5", "/api/v1/courses/4");
    assertThat(p.requests().apply(0).headers().firstValue("X-Auth-Token")).hasValue("sid");
    assertThat(p.requests().apply(0).headers().firstValue("Authorization")).isEmpty();
    Profiles.Profile s = Profiles.starterProduct("http://h", "SESSION=abc", Duration.ofSeconds(1));
    assertThat(s.requests().apply(7).uri().getPath()).isEqualTo("/public/products/1");
    assertThat(s.requests().apply(7).headers().firstValue("Cookie")).hasValue("SESSION=abc");
  }

  @Test
  void peerLogins_readTheCsrfFieldAndTheToken() throws Exception {
    String form = "<form><input name=\"username\"/><input name=\"_csrf\" type=\"hidden\" value=\"t-1_x\" />";
    assertThat(PeerLogins.csrf(form)).isEqualTo("t-1_x");
    assertThat(PeerLogins.csrf("<form></form>")).isNull();
    assertThat(PeerLogins.token("{\"token\":\"abc-123\"}")).isEqualTo("abc-123");
    assertThat(PeerLogins.token("{\"error\":\"no\"}")).isNull();
  }

  private static SystemReport.Measurement loaded(SystemReport.Measurement m, double backendMs, double redisMs) {
    SystemReport.Cpu cpu = new SystemReport.Cpu(500, backendMs, List.of(), 0.1, redisMs, null, 0.2);
    return m.withLoaded(new SystemReport.Loaded(m.search().maxSustainable() * 0.8, m.fixed(), cpu, m.server()));
  }

  private static SystemReport.Measurement measurement(String endpoint, int n, double max, boolean lowerBound) {
    SystemReport.Search s = new SystemReport.Search(max, lowerBound, lowerBound ? 0 : max * 1.1, false, 0, List.of());
    SystemReport.Cpu cpu = new SystemReport.Cpu(500, 0.3, List.of(new SystemReport.InstanceCpu("backend-1", 1, 150,
        500, 0.3)), 0.1, null, null, 0.2);
    return new SystemReport.Measurement(endpoint.equals("floor") ? "floor" : "app", n, endpoint, endpoint, s,
        result(Map.of(200, 500L), Map.of("backend-1", 500L)), cpu, endpoint.equals("floor") ? null
            : new ServerCounters.PerRequest(3.0, Map.of("evalsha", 1.0, "get", 1.0, "hmget", 1.0), 0.0));
  }

  private static OpenLoopLoad.Result result(Map<Integer, Long> statuses, Map<String, Long> instances) {
    long ok = statuses.getOrDefault(200, 0L);
    long all = statuses.values().stream().mapToLong(Long::longValue).sum();
    return new OpenLoopLoad.Result(250, 2, all, all, ok, all - ok, 0, 0, 0, 0, 0, false, 2, statuses, instances, ok, 0, 0,
        1, 2, 3, 4, 5, 1, 0.1, 0.2, 0, 100, List.of());
  }

  @Test
  void serverCounters_perRequest_leaveOutTheCountingAndHealthChecks() {
    ServerCounters.Reading before = new ServerCounters.Reading(Map.of("get", 10L, "evalsha", 5L, "info", 3L),
        OptionalLong.of(100));
    ServerCounters.Reading after = new ServerCounters.Reading(Map.of("get", 210L, "evalsha", 205L, "info", 9L,
        "ping", 40L, "hmget", 200L), OptionalLong.of(151));

    ServerCounters.PerRequest p = ServerCounters.perRequest(before, after, 200);

    assertThat(p.redisCommands()).isEqualTo(3.0);
    assertThat(p.redisByCommand()).containsOnlyKeys("get", "evalsha", "hmget");
    assertThat(p.postgresTransactions()).isEqualTo(0.25); // 51 - the reading's own
  }
}
