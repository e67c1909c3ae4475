package io.vtp.bench.system;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.vtp.loadgen.OpenLoopLoad;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * The system level of the benchmark suite: the real local deployment ({@code deployment/local/vtp}: nginx,
 * N backends, Redis, PostgreSQL) at 1, 2 and 3 instances, and the floor (the same nginx configuration in front of
 * N {@link FloorApp} processes), loaded by an open-loop generator ({@link OpenLoopLoad}) on the same machine.
 * Run by {@code bin/bench-system [--quick]}, which builds, exports the deployment's ports and limits, and
 * cleans up after it; directly:
 * {@code java -cp vtp-bench/target/benchmarks.jar io.vtp.bench.system.SystemBench [--quick] [--out DIR]
 * [--docs DIR]} with {@code VTP_STATE_DIR}, {@code VTP_HTTP_PORT} and {@code VTP_BACKEND_BASE_PORT} set (and
 * every other {@code VTP_*} knob of the deployment, which it inherits).
 *
 * <p>For each instance count N: {@code vtp up --instances N}, log in as the demo teacher, warm up, then for each
 * endpoint (a) {@code GET /health/live}, (b) the cached {@code GET /api/v1/courses/{id}} with the session token,
 * (c) the mixed profile ({@link Profiles#mixed}): the max sustainable rate ({@link StepSearch}: p99 <= 50 ms and
 * no error, each step a few seconds), then a run at one fixed rate (half the slowest endpoint's max at the first
 * N, the same for every N, every endpoint and the floor; {@code VTP_BENCH_FIXED_RATE} overrides it) for the
 * percentiles and for the CPU time per request of every backend JVM, nginx, Redis, PostgreSQL and the generator
 * ({@code utime + stime} from {@code /proc/<pid>/stat} before and after). Then {@code vtp down}, and the floor
 * the same way on the same ports. Everything it starts is stopped when it ends, also on failure or Ctrl-C.
 *
 * <p>Output, in {@code --out} (default {@code target/bench-system}):
 * <ul>
 *   <li>{@code system.json}: {@code date}, {@code mode} ({@code full|quick}), {@code machine} (strings),
 *       {@code settings} (senders, stepSeconds, fixedSeconds, maxSteps, precision, rampFactor, timeoutMs,
 *       ports, limits), {@code fixedRate}, {@code p99LimitMs}, {@code measurements[]}, {@code ratio}, {@code notes[]}.
 *       A measurement: {@code target} ({@code app|floor|spring-peer|starter-example}),
 *       {@code instances}, {@code endpoint} ({@code health|course|mixed|floor|spring|starter}), {@code title}, {@code search} ({@code maxSustainable},
 *       {@code lowerBoundOnly}, {@code firstUnsustainable}, {@code generatorBehindAtLimit},
 *       {@code generatorCoresAtLimit}, {@code steps[]} of {@code rate, sustainable, generatorBehind, load}),
 *       {@code fixed} (a load result), {@code cpu} ({@code requests}, {@code backendsMsPerRequest},
 *       {@code instances[]} of {@code instance, pid, cpuMs, requests, msPerRequest}, {@code nginxMsPerRequest},
 *       {@code redisMsPerRequest}, {@code postgresMsPerRequest} (null for the floor),
 *       {@code generatorMsPerRequest}), {@code server} (Redis commands per request in total and by command,
 *       PostgreSQL transactions per request; null for the floor), {@code loaded} (the same CPU and server figures
 *       from a run at 80 % of the endpoint's max sustainable rate: {@code rate, load, cpu, server}). A load
 *       result ({@code io.vtp.loadgen.OpenLoopLoad.Result}): {@code rate, seconds, scheduled, sent, ok, errors,
 *       unanswered, timeouts, retried, skipped, unsent, abandoned, wallSeconds, statuses{}, instances{}, rateLimited, cacheHits, cacheMisses},
 *       latencies in ms from the intended send time {@code p50, p90, p99, p999, max}, {@code serviceP99} (from the
 *       actual send), the generator's own lag {@code lateP99, lateMax}, {@code busyDue}, {@code generatorCpuMs},
 *       {@code failures[]}. {@code ratio}: {@code value} (cached course read at 3 instances / floor at 3, max
 *       sustainable rates), {@code target} (0.5), {@code met}, {@code lowerBound}. {@code peers[]}
 *       ({@link SystemReport.PeerComparison}): our app ({@code course}) and the Boot example ({@code starter})
 *       against the Spring peer at each instance count both ran: {@code rate, springRate, perBackendCore,
 *       springPerBackendCore, perStackCore, springPerStackCore, rateRatio, perCoreRatio, met, lowerBound}.</li>
 *   <li>{@code system.md}: a markdown fragment (level-2 heading) with the tables, the ratio and the notes, linking
 *       the charts by file name.</li>
 *   <li>in {@code --docs} (default {@code docs}): {@code bench-system-rate.png} (max sustainable rate per endpoint
 *       per N, floor included) and {@code bench-system-latency.png} (percentiles at the fixed rate).</li>
 *   <li>{@code logs/}: the deployment script's output; the floor's processes and nginx under {@code floor/}.</li>
 * </ul>
 */
public final class SystemBench {
  static final double P99_LIMIT_MS = 50;
  static final double RATIO_TARGET = 0.5;
  static final int SENDERS = 64;
  static final Duration TIMEOUT = Duration.ofSeconds(2);
  static final Duration MAX_BEHIND = Duration.ofSeconds(1);
  static final double MIN_RATE = 25;
  static final double MAX_RATE = 20_000;
  /** The share of each max sustainable rate the near-capacity CPU run uses. */
  static final double LOADED_SHARE = 0.8;
  /** Measured runs per logging setting and instance lifetime (two lifetimes per setting). */
  static final int LOGGING_RUNS = 2;
  private static final int MAX_STEADY_ROUNDS = 8;
  private static final double STEADY_SPREAD = 0.1;
  private static final String TEACHER = "teacher@vtp.local";
  private static final String DEMO_PASSWORD = "demo-password-123";
  private static final long STARTED = System.nanoTime();
  private static final String DEFAULT_JAVA_OPTS = "-Xms64m -Xmx256m -XX:+UseSerialGC -XX:+ExitOnOutOfMemoryError";

  /**
   * How long and how finely to measure.
   *
   * @param mode {@code full} or {@code quick}
   * @param instances app instance counts, in order
   * @param floorInstances floor process counts, in order
   * @param step one search step
   * @param pause between steps (let queues drain)
   * @param warmup per instance count, before the searches
   * @param fixed the fixed-rate run
   * @param maxSteps per search
   * @param precision bisect until failing / passing <= 1 + precision
   */
  record Plan(String mode, List<Integer> instances, List<Integer> floorInstances, List<Integer> peerInstances,
      Duration step, Duration pause, Duration warmup, Duration fixed, int maxSteps, double precision) {
    static Plan full() {
      return new Plan("full", List.of(1, 2, 3), List.of(1, 2, 3), List.of(1, 3), Duration.ofMillis(2500),
          Duration.ofMillis(700), Duration.ofSeconds(8), Duration.ofSeconds(5), 5, 0.1);
    }

    static Plan quick() {
      return new Plan("quick", List.of(1, 3), List.of(3), List.of(1), Duration.ofMillis(1200),
          Duration.ofMillis(400), Duration.ofSeconds(4), Duration.ofSeconds(2), 3, 0.25);
    }

    /**
     * This plan with the peers at other instance counts.
     *
     * @param csv e.g. {@code "1,3"}, {@code "0"} (no peers); {@code null} or blank: unchanged
     * @throws IllegalArgumentException when a count is not a number from 0 to 9
     */
    Plan withPeerInstances(String csv) {
      if (csv == null || csv.isBlank()) {
        return this;
      }
      List<Integer> counts = new ArrayList<>();
      for (String part : csv.split(",")) {
        String t = part.trim();
        if (!t.matches("[0-9]")) {
          throw new IllegalArgumentException("VTP_BENCH_PEER_INSTANCES must be counts from 0 to 9 separated by "
              + "commas (e.g. 1,3; 0 for no peers) but was '" + csv + "'");
        }
        if (Integer.parseInt(t) > 0) {
          counts.add(Integer.parseInt(t));
        }
      }
      return new Plan(mode, instances, floorInstances, List.copyOf(counts), step, pause, warmup, fixed, maxSteps,
          precision);
    }
  }

  /*
   * The peers' ports: in bin/bench-system's own block and below Linux's ephemeral range (32768-60999). A listening
   * port inside that range can be taken by any outgoing connection's local port: a run on 33280 failed with
   * "bind() ... Address already in use" while nothing listened there.
   */
  /** The Spring peer's nginx and instances ({@code spring-1..}: base + i). */
  static final int SPRING_HTTP_PORT = 32280;
  static final int SPRING_BASE_PORT = 32300;
  /** The Boot example on our starter ({@code starter-1..}: base + i). */
  static final int STARTER_HTTP_PORT = 32281;
  static final int STARTER_BASE_PORT = 32310;
  private static final String EXAMPLE_USER = "alice";

  /** The logged-in teacher, the courses read, the course written. */
  private record Session(String token, long[] readIds, long writeId) {}

  /** Processes whose CPU a fixed-rate run reads. Absent ones are {@code 0}. */
  private record Pids(Map<String, Long> backends, long nginx, long redis, long postgres) {}

  private final Path root;
  private final Path out;
  private final Path docs;
  private final Plan plan;
  private final Path state;
  private final int httpPort;
  private final int basePort;
  private final Path log;
  private final ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  private final List<SystemReport.Measurement> measurements = new ArrayList<>();
  private final List<String> notes = new ArrayList<>();
  private volatile boolean deploymentUp;
  private FloorStack floor;
  private final List<FloorStack> peers = new ArrayList<>();
  private double fixedRate;
  private double courseAtOne;
  private Session session;
  private volatile boolean cleanedUp;

  private SystemBench(Path root, Path out, Path docs, Plan plan) {
    this.root = root;
    this.out = out;
    this.docs = docs;
    this.plan = plan.withPeerInstances(System.getenv("VTP_BENCH_PEER_INSTANCES"));
    this.state = Path.of(requireEnv("VTP_STATE_DIR")).toAbsolutePath();
    this.httpPort = Integer.parseInt(requireEnv("VTP_HTTP_PORT"));
    this.basePort = Integer.parseInt(requireEnv("VTP_BACKEND_BASE_PORT"));
    this.log = out.resolve("logs/vtp.log");
    String fixed = System.getenv("VTP_BENCH_FIXED_RATE");
    this.fixedRate = fixed == null || fixed.isBlank() ? 0 : Double.parseDouble(fixed);
  }

  /**
   * Runs the system level and writes its report.
   *
   * @param args {@code [--quick] [--logging-only] [--out DIR] [--docs DIR]}
   * @throws Exception when the deployment cannot be started or a run fails (everything started is stopped)
   */
  public static void main(String[] args) throws Exception {
    Plan plan = Plan.full();
    Path out = Path.of("target/bench-system");
    Path docs = Path.of("docs");
    boolean loggingOnly = false;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--quick" -> plan = Plan.quick();
        case "--logging-only" -> loggingOnly = true;
        case "--out" -> out = Path.of(args[++i]);
        case "--docs" -> docs = Path.of(args[++i]);
        default -> throw new IllegalArgumentException("unknown argument " + args[i]
            + " (usage: SystemBench [--quick] [--logging-only] [--out DIR] [--docs DIR])");
      }
    }
    Path root = repoRoot();
    SystemBench bench = new SystemBench(root, root.resolve(out).normalize(), root.resolve(docs).normalize(), plan);
    Runtime.getRuntime().addShutdownHook(new Thread(bench::cleanup, "bench-cleanup"));
    if (loggingOnly) {
      bench.runLoggingOnly();
    } else {
      bench.run();
    }
  }

  private void runLoggingOnly() throws Exception {
    long started = System.nanoTime();
    Files.createDirectories(log.getParent());
    try {
      measureLoggingOnly();
    } finally {
      cleanup();
    }
    progress(String.format(Locale.ROOT, "wrote %s (%d s of measuring)", root.relativize(out.resolve("logging.md")),
        TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started)));
  }

  private void run() throws Exception {
    long started = System.nanoTime();
    Files.createDirectories(log.getParent());
    Files.createDirectories(docs);
    Map<String, String> machine = machine();
    Exception failure = null;
    try {
      measureApp();
      measureFloor();
    } catch (Exception e) {
      failure = e;
      notes.add("INCOMPLETE: the run failed: " + e.getMessage());
    } finally {
      cleanup();
    }
    SystemReport.Report report = new SystemReport.Report(Instant.now().truncatedTo(ChronoUnit.SECONDS).toString(),
        plan.mode(), machine, settings(), fixedRate, P99_LIMIT_MS, List.copyOf(measurements),
        SystemReport.ratio(measurements, RATIO_TARGET), notes());
    json.writeValue(out.resolve("system.json").toFile(), report);
    Files.writeString(out.resolve("system.md"), SystemReport.markdown(report));
    if (!measurements.isEmpty()) {
      SystemReport.rateChart(report, docs.resolve("bench-system-rate.png"));
      SystemReport.latencyChart(report, docs.resolve("bench-system-latency.png"));
    }
    progress(String.format(Locale.ROOT, "wrote %s, %s and %s/bench-system-{rate,latency}.png (%d s of measuring)",
        root.relativize(out.resolve("system.json")), root.relativize(out.resolve("system.md")), root.relativize(docs),
        TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started)));
    if (failure != null) {
      throw failure;
    }
  }

  // ---------------------------------------------------------------- the deployment

  private void measureApp() throws Exception {
    Map<String, Double> best = new LinkedHashMap<>();
    String base = "http://127.0.0.1:" + httpPort;
    for (int n : plan.instances()) {
      progress("deployment: " + n + (n == 1 ? " instance" : " instances") + " (deployment/local/vtp up)");
      deploymentUp = true;
      vtp("up", "--instances", Integer.toString(n));
      HttpClient client = newClient();
      if (session == null) {
        session = login(client, base);
      }
      OpenLoopLoad load = new OpenLoopLoad(ProcCpu::selfMs);
      List<Profiles.Profile> profiles = List.of(Profiles.health(base, TIMEOUT),
          Profiles.courseRead(base, session.token(), session.readIds(), TIMEOUT),
          Profiles.mixed(base, session.token(), session.readIds(), session.writeId(), TIMEOUT));
      // New JVMs are cold (JIT): warm up every endpoint's path near the last measured capacity; the first time
      // longer, the generator's own JIT is cold too.
      boolean first = best.isEmpty();
      warmup(load, Profiles.interleaved(profiles.toArray(new Profiles.Profile[0])),
          best.getOrDefault("mixed", 600.0), first ? plan.warmup().multipliedBy(3).dividedBy(2) : plan.warmup());
      Map<String, SystemReport.Search> searches = new LinkedHashMap<>();
      for (Profiles.Profile p : profiles) {
        double hint = best.getOrDefault(p.key(), 0.0);
        double start = hint > 0 ? hint : Map.of("health", 800.0, "course", 600.0, "mixed", 400.0).get(p.key());
        SystemReport.Search s = search(load, p, n, start, hint > 0 ? 1.4 : 2.0);
        searches.put(p.key(), s);
        if (n == 1 && p.key().equals("course")) {
          courseAtOne = s.maxSustainable();
        }
        if (s.maxSustainable() > 0) {
          best.put(p.key(), s.maxSustainable());
        }
      }
      if (fixedRate == 0) {
        double slowest = searches.values().stream().mapToDouble(SystemReport.Search::maxSustainable).min().orElse(0);
        fixedRate = Math.max(MIN_RATE, StepSearch.nice(slowest / 2));
        progress(String.format(Locale.ROOT, "fixed rate for every latency and CPU run: %,.0f req/s (half the "
            + "slowest endpoint's max at %d instance%s)", fixedRate, n, n == 1 ? "" : "s"));
      }
      Pids pids = appPids(n);
      for (Profiles.Profile p : profiles) {
        SystemReport.Measurement m = fixedRun(load, p, "app", n, searches.get(p.key()), pids, counters());
        measurements.add(m.withLoaded(loadedRun(load, p, n, m.search(), pids, counters())));
      }
      if (n == plan.instances().get(0) && !plan.peerInstances().isEmpty()) {
        // The peers use this deployment's Redis and PostgreSQL (its data, its server counters); its own backends
        // stay up but idle, the smallest the deployment gets.
        measurePeer(springPeer(), best.getOrDefault("course", 600.0));
        measurePeer(bootExample(), best.getOrDefault("course", 600.0));
      }
    }
    progress("deployment: down");
    vtp("down");
    deploymentUp = false;
    if (courseAtOne > 0) {
      measureLogging(StepSearch.nice(courseAtOne / 2));
    }
  }

  /**
   * The access log's cost (issue 22): one instance restarted per logging setting, the cached course read at half its
   * 1-instance max (a rate a cold instance in every setting sustains: at 80 % a new JVM fell behind while it compiled
   * and never caught up), warmed up until steady, then measured. The settings run in order, then in reverse order
   * (each setting in two instance lifetimes, {@value #LOGGING_RUNS} runs in each), so a drift of the machine over the
   * minutes does not land on one setting; the table gives the median backend CPU per request over all its runs and
   * marks a setting that did not get steady or whose runs were not all sustainable.
   */
  private void measureLogging(double rate) throws Exception {
    String base = "http://127.0.0.1:" + httpPort;
    List<String[]> modes = List.of(new String[] {"text", "all"}, new String[] {"json", "all"},
        new String[] {"json", "sample:0.01"}, new String[] {"json", "off"});
    List<String[]> order = new ArrayList<>(modes);
    for (int i = modes.size() - 1; i >= 0; i--) {
      order.add(modes.get(i));
    }
    Map<String, List<SystemReport.Loaded>> runs = new LinkedHashMap<>();
    Map<String, Boolean> steady = new LinkedHashMap<>();
    for (String[] mode : order) {
      String key = mode[0] + "/" + mode[1];
      progress("logging cost: LOG_FORMAT=" + mode[0] + " ACCESS_LOG=" + mode[1]);
      deploymentUp = true;
      vtp(Map.of("VTP_LOG_FORMAT", mode[0], "VTP_ACCESS_LOG", mode[1]), "up", "--instances", "1");
      OpenLoopLoad load = new OpenLoopLoad(ProcCpu::selfMs);
      Profiles.Profile course = Profiles.courseRead(base, session.token(), session.readIds(), TIMEOUT);
      steady.merge(key, warmUntilSteady(load, course, rate), Boolean::logicalAnd);
      for (int i = 0; i < LOGGING_RUNS; i++) {
        runs.computeIfAbsent(key, k -> new ArrayList<>()).add(measuredRun(load, course, 1, rate,
            "logging " + key, appPids(1), null));
      }
      vtp("down");
      deploymentUp = false;
    }
    List<LoggingRow> rows = new ArrayList<>();
    for (String[] mode : modes) {
      String key = mode[0] + "/" + mode[1];
      rows.add(LoggingRow.of(mode[0], mode[1], steady.get(key), runs.get(key)));
    }
    Files.writeString(out.resolve("logging.md"), loggingTable(rate, plan.fixed(), rows));
  }

  /**
   * {@code --logging-only}: the 1-instance course read's max (one search after a warm-up), then only
   * {@link #measureLogging} at half of it; writes {@code logging.md} and nothing else.
   */
  private void measureLoggingOnly() throws Exception {
    String base = "http://127.0.0.1:" + httpPort;
    progress("deployment: 1 instance, to find the course read's max");
    deploymentUp = true;
    vtp("up", "--instances", "1");
    session = login(newClient(), base);
    OpenLoopLoad load = new OpenLoopLoad(ProcCpu::selfMs);
    Profiles.Profile course = Profiles.courseRead(base, session.token(), session.readIds(), TIMEOUT);
    warmup(load, course, 600, plan.warmup().multipliedBy(3).dividedBy(2));
    courseAtOne = search(load, course, 1, 600, 2.0).maxSustainable();
    vtp("down");
    deploymentUp = false;
    if (courseAtOne <= 0) {
      throw new IllegalStateException("the course read sustained no rate at 1 instance; see " + log);
    }
    measureLogging(StepSearch.nice(courseAtOne / 2));
  }

  /**
   * Warms a new JVM up until it is steady: a quarter and half of the rate, then rounds at the rate until one is
   * sustainable and its backend CPU per request is within {@value #STEADY_SPREAD} of the round before (the JIT
   * compiler's work has stopped counting), at most {@value #MAX_STEADY_ROUNDS} rounds. Short fixed warm-ups left
   * the three measured runs falling (0.75, 0.62, 0.38 ms per request): the compiler was still at work.
   *
   * @return whether it ended steady
   */
  private boolean warmUntilSteady(OpenLoopLoad load, Profiles.Profile p, double rate) throws Exception {
    for (double r : new double[] {rate / 4, rate / 2}) {
      detail("warm-up " + p.key() + ": " + load.run(settings(Math.max(MIN_RATE, r), plan.warmup().dividedBy(2)),
          p.requests()).summary());
      Thread.sleep(plan.pause().toMillis());
    }
    double previous = -1;
    for (int i = 0; i < MAX_STEADY_ROUNDS; i++) {
      Pids pids = appPids(1);
      Map<String, Long> before = cpu(pids);
      OpenLoopLoad.Result r = load.run(settings(rate, plan.warmup()), p.requests());
      double ms = cpuPerRequest(pids.backends(), before, cpu(pids), r).backendsMsPerRequest();
      detail(String.format(Locale.ROOT, "warm-up %s: %s; CPU/request: backends %.3f ms", p.key(), r.summary(), ms));
      Thread.sleep(plan.pause().toMillis());
      if (r.sustainable(P99_LIMIT_MS) && previous > 0 && Math.abs(ms - previous) <= STEADY_SPREAD * previous) {
        return true;
      }
      previous = r.sustainable(P99_LIMIT_MS) ? ms : -1;
    }
    return false;
  }

  /**
   * One logging setting's runs.
   *
   * @param format LOG_FORMAT
   * @param access ACCESS_LOG
   * @param cpu backend CPU ms per request of each run
   * @param p99 the worst run's p99 (ms)
   * @param errors errors over all runs
   * @param requests answered requests over all runs
   * @param sustained the warm-up ended steady and every measured run was sustainable
   */
  record LoggingRow(String format, String access, List<Double> cpu, double p99, long errors, long requests,
      boolean sustained) {
    static LoggingRow of(String format, String access, boolean warm, List<SystemReport.Loaded> runs) {
      boolean all = warm;
      double p99 = 0;
      long errors = 0;
      long requests = 0;
      List<Double> cpu = new ArrayList<>();
      for (SystemReport.Loaded r : runs) {
        all &= r.load().sustainable(P99_LIMIT_MS);
        p99 = Math.max(p99, r.load().p99());
        errors += r.load().errors();
        requests += r.load().statuses().values().stream().mapToLong(Long::longValue).sum();
        cpu.add(r.cpu().backendsMsPerRequest());
      }
      return new LoggingRow(format, access, cpu, p99, errors, requests, all);
    }

    double median() {
      List<Double> sorted = cpu.stream().sorted().collect(Collectors.toList());
      int n = sorted.size();
      return n == 0 ? 0 : n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }
  }

  /**
   * The access log cost table; the last row ({@code off}) is the baseline. A setting that did not get steady or
   * whose runs were not all sustainable gets no ratio: its CPU per request is not comparable.
   */
  static String loggingTable(double rate, Duration run, List<LoggingRow> rows) {
    StringBuilder md = new StringBuilder();
    md.append("### Access log cost: CPU per request by logging setting (1 instance)\n\n");
    md.append(String.format(Locale.ROOT, "The cached course read at %,.0f req/s (half its 1-instance max, a rate every "
        + "setting sustains), one instance restarted per setting (`VTP_LOG_FORMAT`, `VTP_ACCESS_LOG`), warmed up "
        + "until steady (a round at the rate that met the bar, p99 <= %.0f ms with nothing failed or unsent, and "
        + "used within %.0f %% of the CPU per request of the round before: the JIT compiler done), then %d runs of "
        + "%d s. The settings ran in the order below and then in reverse (two instance lifetimes each, so a drift of "
        + "the machine does not favour one): the median backend CPU per request over the %d runs, and the range. "
        + "`text`/`all` is `deployment/local/vtp`'s default; the image, compose and Kubernetes log `json`/`all`.%n%n",
        rate, P99_LIMIT_MS, STEADY_SPREAD * 100, LOGGING_RUNS, run.toSeconds(), 2 * LOGGING_RUNS));
    md.append("| LOG_FORMAT | ACCESS_LOG | backend CPU ms/request (median) | range | vs off | worst p99 ms | errors "
        + "| requests | sustained |\n");
    md.append("|---|---|---:|---:|---:|---:|---:|---:|---|\n");
    LoggingRow base = rows.isEmpty() ? null : rows.get(rows.size() - 1);
    double off = base != null && base.sustained() ? base.median() : 0;
    for (LoggingRow r : rows) {
      double lo = r.cpu().stream().mapToDouble(Double::doubleValue).min().orElse(0);
      double hi = r.cpu().stream().mapToDouble(Double::doubleValue).max().orElse(0);
      String vs = off > 0 && r.sustained() ? String.format(Locale.ROOT, "%.2fx", r.median() / off) : "-";
      md.append(String.format(Locale.ROOT, "| %s | %s | %.3f | %.3f-%.3f | %s | %.2f | %,d | %,d | %s |%n",
          r.format(), r.access(), r.median(), lo, hi, vs, r.p99(), r.errors(), r.requests(),
          r.sustained() ? "yes" : "**no** (not comparable)"));
    }
    md.append("\nThe clock tick is 10 ms, so a difference under a few hundredths of a ms per request is noise; the "
        + "JSON line is built and written on the log writer's thread, off the request's.\n");
    return md.toString();
  }

  private Session login(HttpClient client, String base) throws IOException, InterruptedException {
    HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/auth/login"))
        .timeout(Duration.ofSeconds(10)).header("Content-Type", "application/json").header("X-Token-Type", "bearer")
        .POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(Map.of("email", TEACHER,
            "password", DEMO_PASSWORD)))).build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IllegalStateException("login as " + TEACHER + " answered " + r.statusCode() + ": " + r.body()
          + " (the deployment seeds the demo accounts with SEED_DEMO_DATA=true)");
    }
    String token = json.readTree(r.body()).path("token").asText();
    String bearer = "Bearer " + token;
    HttpResponse<String> list = client.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/courses?pageSize=100"))
        .timeout(Duration.ofSeconds(10)).header("Authorization", bearer).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    List<Long> ids = new ArrayList<>();
    for (JsonNode c : json.readTree(list.body()).path("items")) {
      ids.add(c.path("id").asLong());
    }
    if (ids.isEmpty()) {
      throw new IllegalStateException("no courses to read: GET /api/v1/courses answered " + list.statusCode() + ": "
          + list.body());
    }
    HttpResponse<String> created = client.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/courses"))
        .timeout(Duration.ofSeconds(10)).header("Authorization", bearer).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"title\":\"Benchmark write target\",\"description\":\"\"}"))
        .build(), HttpResponse.BodyHandlers.ofString());
    if (created.statusCode() != 201) {
      throw new IllegalStateException("creating the write target answered " + created.statusCode() + ": "
          + created.body());
    }
    long writeId = json.readTree(created.body()).path("id").asLong();
    progress("logged in as " + TEACHER + "; reads over courses " + ids + ", writes to course " + writeId);
    return new Session(token, ids.stream().mapToLong(Long::longValue).toArray(), writeId);
  }

  private Pids appPids(int n) throws IOException {
    Map<String, Long> backends = new LinkedHashMap<>();
    for (int i = 1; i <= n; i++) {
      backends.put("backend-" + i, readPid(state.resolve("pids/backend-" + i + ".pid")));
    }
    return new Pids(backends, readPid(state.resolve("nginx/nginx.pid")), readPid(state.resolve("pids/redis.pid")),
        readPid(state.resolve("pids/postgres.pid")));
  }

  private void vtp(String... args) throws IOException, InterruptedException {
    vtp(Map.of(), args);
  }

  private void vtp(Map<String, String> env, String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(root.resolve("deployment/local/vtp").toString());
    cmd.addAll(Arrays.asList(args));
    Files.writeString(log, "\n$ deployment/local/vtp " + String.join(" ", args) + "\n", StandardCharsets.UTF_8,
        java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(root.toFile()).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    pb.environment().putAll(env);
    Process p = pb.start();
    if (!p.waitFor(5, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new IllegalStateException("deployment/local/vtp " + String.join(" ", args) + " took over 5 minutes; see "
          + log);
    }
    if (p.exitValue() != 0) {
      throw new IllegalStateException("deployment/local/vtp " + String.join(" ", args) + " exited " + p.exitValue()
          + "; see " + log);
    }
  }

  // ---------------------------------------------------------------- the peers

  /** A contender behind its own nginx (same configuration), on the deployment's Redis and PostgreSQL. */
  private record Peer(String key, String target, int httpPort, int basePort, FloorStack.Spec spec,
      Login login) {}

  @FunctionalInterface
  private interface Login {
    Profiles.Profile profile(String base) throws IOException, InterruptedException;
  }

  private String redisUrl() throws IOException {
    return "redis://vtp:" + Files.readString(state.resolve("redis-password")).trim() + "@127.0.0.1:"
        + env("VTP_REDIS_PORT", "16379");
  }

  private List<String> peerJava(Path dir) {
    List<String> cmd = new ArrayList<>();
    cmd.add(ProcessHandle.current().info().command().orElse("java"));
    cmd.addAll(javaOpts());
    cmd.add("-Dvtp.bench.peer=" + dir);
    return cmd;
  }

  /** vtp-bench/spring-peer: Spring Boot 4, Spring Security, Spring Session Data Redis, Bucket4j, Spring Cache. */
  private Peer springPeer() throws IOException {
    Path dir = out.resolve("peers/spring");
    Path jar = root.resolve("vtp-bench/spring-peer/target/spring-peer.jar");
    if (!Files.exists(jar)) {
      throw new IllegalStateException(jar + " is missing: bin/bench-system builds it (mvn package in "
          + "vtp-bench/spring-peer)");
    }
    Map<String, String> env = Map.of("REDIS_URL", redisUrl(),
        "DATABASE_URL", "jdbc:postgresql://127.0.0.1:" + env("VTP_PG_PORT", "15432") + "/vtp?sslmode=disable",
        "DATABASE_USER", "vtp", "DATABASE_PASSWORD", Files.readString(state.resolve("db-password")).trim(),
        "PEER_RATE_PER_MINUTE", env("VTP_API_LIMIT", "100"));
    FloorStack.Spec spec = new FloorStack.Spec("spring", (i, port) -> {
      List<String> cmd = peerJava(dir);
      cmd.addAll(List.of("-jar", jar.toString(), "--server.port=" + port, "--peer.instance-id=spring-" + i));
      return cmd;
    }, env, "/health/live", "/health/live");
    return new Peer("spring", "spring-peer", SPRING_HTTP_PORT, SPRING_BASE_PORT, spec, base -> {
      String sessionId = PeerLogins.springPeer(base, TEACHER, DEMO_PASSWORD);
      progress("logged in to the Spring peer as " + TEACHER + " (Spring Session id in X-Auth-Token)");
      return Profiles.springCourse(base, sessionId, session.readIds(), TIMEOUT);
    });
  }

  /** examples/spring-boot-service as built by bin/bench-system (target/classes + target/classpath.txt). */
  private Peer bootExample() throws IOException {
    Path dir = out.resolve("peers/starter");
    Path example = root.resolve("examples/spring-boot-service/target");
    if (!Files.exists(example.resolve("classpath.txt"))) {
      throw new IllegalStateException(example.resolve("classpath.txt") + " is missing: bin/bench-system builds "
          + "examples/spring-boot-service");
    }
    String classPath = example.resolve("classes") + File.pathSeparator
        + Files.readString(example.resolve("classpath.txt")).trim();
    Map<String, String> env = Map.of("REDIS_URL", redisUrl(), "DEMO_PASSWORD", DEMO_PASSWORD,
        "PRODUCTS_PER_MINUTE", env("VTP_API_LIMIT", "100"));
    FloorStack.Spec spec = new FloorStack.Spec("starter", (i, port) -> {
      List<String> cmd = peerJava(dir);
      cmd.addAll(List.of("-cp", classPath, "com.example.boot.ServiceApplication", "--server.port=" + port,
          "--server.address=127.0.0.1", "--spring.main.banner-mode=off"));
      return cmd;
    }, env, "/", "/");
    return new Peer("starter", "starter-example", STARTER_HTTP_PORT, STARTER_BASE_PORT, spec, base -> {
      String cookie = PeerLogins.bootExample(base, EXAMPLE_USER, DEMO_PASSWORD);
      progress("logged in to the Boot example as " + EXAMPLE_USER + " (SESSION cookie)");
      return Profiles.starterProduct(base, cookie, TIMEOUT);
    });
  }

  /** The contender at each of the plan's peer instance counts: search, fixed rate, near capacity. */
  private void measurePeer(Peer peer, double courseBest) throws Exception {
    FloorStack stack = new FloorStack(root, out.resolve("peers/" + peer.key()), peer.httpPort(), peer.basePort(),
        peer.spec());
    peers.add(stack);
    String base = "http://127.0.0.1:" + peer.httpPort();
    double hint = 0;
    Profiles.Profile p = null;
    Pids deployment = appPids(0);
    try {
      for (int n : plan.peerInstances()) {
        progress(peer.key() + ": " + n + " instance" + (n == 1 ? "" : "s") + " behind the same nginx configuration "
            + "on " + peer.httpPort());
        stack.scaleTo(n);
        if (p == null) {
          p = peer.login().profile(base);
        }
        OpenLoopLoad load = new OpenLoopLoad(ProcCpu::selfMs);
        double start = hint > 0 ? hint : Math.max(200, courseBest / 2);
        // Every scale-up starts new, cold Spring Boot JVMs, with far more to compile than the app's: warm up twice
        // as long as the app each time (a 1.5 s warm-up left the 3-instance searches failing at any rate).
        warmup(load, p, start, plan.warmup().multipliedBy(2));
        SystemReport.Search s = search(load, p, n, start, hint > 0 ? 1.4 : 2.0);
        if (s.maxSustainable() > 0) {
          hint = s.maxSustainable();
        }
        Pids pids = new Pids(stack.pids(n), stack.nginxPid(), deployment.redis(), deployment.postgres());
        SystemReport.Measurement m = fixedRun(load, p, peer.target(), n, s, pids, counters());
        measurements.add(m.withLoaded(loadedRun(load, p, n, s, pids, counters())));
      }
    } finally {
      stack.close();
    }
  }

  // ---------------------------------------------------------------- the floor

  private void measureFloor() throws Exception {
    floor = new FloorStack(root, out.resolve("floor"), httpPort, basePort, javaOpts());
    double hint = 0;
    String base = "http://127.0.0.1:" + httpPort;
    for (int n : plan.floorInstances()) {
      progress("floor: " + n + " bare Javalin process" + (n == 1 ? "" : "es") + " behind the same nginx");
      floor.scaleTo(n);
      OpenLoopLoad load = new OpenLoopLoad(ProcCpu::selfMs);
      Profiles.Profile p = Profiles.floor(base, session == null ? null : session.token(), TIMEOUT);
      double courseBest = SystemReport.find(measurements, "course", n).or(() -> SystemReport.find(measurements,
          "course", plan.instances().get(0))).map(m -> m.search().maxSustainable()).orElse(0.0);
      double start = hint > 0 ? hint : Math.max(400, courseBest);
      warmup(load, p, start, plan.warmup());
      SystemReport.Search s = search(load, p, n, start, hint > 0 ? 1.4 : 2.0);
      if (s.maxSustainable() > 0) {
        hint = s.maxSustainable();
      }
      Pids pids = new Pids(floor.pids(), floor.nginxPid(), 0, 0);
      SystemReport.Measurement m = fixedRun(load, p, "floor", n, s, pids, null);
      measurements.add(m.withLoaded(loadedRun(load, p, n, s, pids, null)));
    }
    floor.close();
  }

  private List<String> javaOpts() {
    String opts = System.getenv("VTP_JAVA_OPTS");
    return Arrays.asList((opts == null || opts.isBlank() ? DEFAULT_JAVA_OPTS : opts).trim().split("\\s+"));
  }

  // ---------------------------------------------------------------- measuring

  private static HttpClient newClient() {
    // A new client after every topology change (for the login): no pooled connection to an nginx that reloaded.
    return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2))
        .build();
  }

  private OpenLoopLoad.Settings settings(double rate, Duration d) {
    return new OpenLoopLoad.Settings(rate, d, SENDERS, TIMEOUT, MAX_BEHIND);
  }

  /** Half the time at half the rate, then at the rate; results are only logged. */
  private void warmup(OpenLoopLoad load, Profiles.Profile p, double rate, Duration d) throws InterruptedException {
    for (double r : new double[] {rate / 2, rate}) {
      OpenLoopLoad.Result res = load.run(settings(Math.max(MIN_RATE, r), d.dividedBy(2)), p.requests());
      detail("warm-up " + p.key() + ": " + res.summary());
      Thread.sleep(plan.pause().toMillis());
    }
  }

  private SystemReport.Search search(OpenLoopLoad load, Profiles.Profile p, int n, double start, double factor)
      throws InterruptedException {
    StepSearch ss = new StepSearch(start, factor, plan.precision(), plan.maxSteps(), MIN_RATE, MAX_RATE);
    StepSearch.Outcome<OpenLoopLoad.Result> o = ss.run(rate -> {
      OpenLoopLoad.Result r = load.run(settings(rate, plan.step()), p.requests());
      boolean ok = r.sustainable(P99_LIMIT_MS);
      detail(p.key() + " x" + n + " " + r.summary() + (ok ? "  -> sustainable" : "  -> NOT sustainable")
          + (r.generatorBehind() ? "  (generator behind its schedule)" : "")
          + (r.failures().isEmpty() ? "" : "  [" + r.failures().get(0) + "]"));
      Thread.sleep(plan.pause().toMillis());
      return r;
    }, r -> r.sustainable(P99_LIMIT_MS));
    List<SystemReport.Step> steps = o.steps().stream().map(s -> new SystemReport.Step(s.rate(), s.passed(),
        s.result().generatorBehind(), s.result())).collect(Collectors.toList());
    StepSearch.Step<OpenLoopLoad.Result> failed = o.failedStep();
    SystemReport.Search s = new SystemReport.Search(o.best(), o.lowerBoundOnly(), o.lowestFailed(),
        failed != null && failed.result().generatorBehind(), failed == null ? 0 : failed.result().generatorCores(),
        steps);
    progress(String.format(Locale.ROOT, "%s, %d instance%s: max sustainable %s req/s", p.title(), n,
        n == 1 ? "" : "s", SystemReport.rateCell(s)));
    return s;
  }

  private ServerCounters counters() {
    return new ServerCounters(Integer.parseInt(env("VTP_REDIS_PORT", "16379")),
        Integer.parseInt(env("VTP_PG_PORT", "15432")), state.resolve("db-password"));
  }

  private SystemReport.Measurement fixedRun(OpenLoopLoad load, Profiles.Profile p, String target, int n,
      SystemReport.Search search, Pids pids, ServerCounters counters) throws InterruptedException {
    SystemReport.Loaded r = measuredRun(load, p, n, fixedRate, "at the fixed rate", pids, counters);
    return new SystemReport.Measurement(target, n, p.key(), p.title(), search, r.load(), r.cpu(), r.server());
  }

  /**
   * CPU per request near capacity, at {@value #LOADED_SHARE} of the endpoint's max sustainable rate: at a low rate
   * every request wakes every process on its own, under load they batch, so this is the figure for capacity.
   *
   * @return the run, or {@code null} when the search found no sustainable rate
   */
  private SystemReport.Loaded loadedRun(OpenLoopLoad load, Profiles.Profile p, int n, SystemReport.Search search,
      Pids pids, ServerCounters counters) throws InterruptedException {
    if (search.maxSustainable() <= 0) {
      return null;
    }
    return measuredRun(load, p, n, StepSearch.nice(search.maxSustainable() * LOADED_SHARE), "near capacity", pids,
        counters);
  }

  /** One run at a rate with the CPU of every process and the server counters ({@code null}: none) read around it. */
  private SystemReport.Loaded measuredRun(OpenLoopLoad load, Profiles.Profile p, int n, double rate, String label,
      Pids pids, ServerCounters counters) throws InterruptedException {
    ServerCounters.Reading countersBefore = counters == null ? null : counters.read();
    Map<String, Long> before = cpu(pids);
    OpenLoopLoad.Result r = load.run(settings(rate, plan.fixed()), p.requests());
    Map<String, Long> after = cpu(pids);
    // PostgreSQL publishes a backend's statistics at most once a second: wait before the second reading.
    Thread.sleep(Math.max(plan.pause().toMillis(), counters == null ? 0 : 1500));
    ServerCounters.PerRequest server = counters == null ? null : ServerCounters.perRequest(countersBefore,
        counters.read(), r.statuses().values().stream().mapToLong(Long::longValue).sum());
    SystemReport.Cpu cpu = cpuPerRequest(pids.backends(), before, after, r);
    detail(String.format(Locale.ROOT, "%s x%d %s: %s; CPU/request: backends %.3f ms, generator %.3f ms", p.key(), n,
        label, r.summary(), cpu.backendsMsPerRequest(), cpu.generatorMsPerRequest()));
    return new SystemReport.Loaded(rate, r, cpu, server);
  }

  private static Map<String, Long> cpu(Pids pids) {
    Map<String, Long> m = new LinkedHashMap<>();
    pids.backends().forEach((name, pid) -> m.put(name, ProcCpu.ms(pid).orElse(-1)));
    m.put("nginx", pids.nginx() == 0 ? -1 : ProcCpu.treeMs(pids.nginx()).orElse(-1));
    m.put("redis", pids.redis() == 0 ? -1 : ProcCpu.ms(pids.redis()).orElse(-1));
    m.put("postgres", pids.postgres() == 0 ? -1 : ProcCpu.treeMs(pids.postgres()).orElse(-1));
    m.put("generator", Math.round(ProcCpu.selfMs()));
    return m;
  }

  static SystemReport.Cpu cpuPerRequest(Map<String, Long> backendPids, Map<String, Long> before,
      Map<String, Long> after, OpenLoopLoad.Result r) {
    long answered = r.statuses().values().stream().mapToLong(Long::longValue).sum();
    double per = Math.max(1, answered);
    List<SystemReport.InstanceCpu> instances = new ArrayList<>();
    double total = 0;
    for (Map.Entry<String, Long> b : backendPids.entrySet()) {
      double ms = delta(before, after, b.getKey());
      long served = r.instances().getOrDefault(b.getKey(), 0L);
      total += ms;
      instances.add(new SystemReport.InstanceCpu(b.getKey(), b.getValue(), ms, served,
          served == 0 ? 0 : ms / served));
    }
    return new SystemReport.Cpu(answered, total / per, instances, perRequest(before, after, "nginx", per),
        perRequest(before, after, "redis", per), perRequest(before, after, "postgres", per),
        delta(before, after, "generator") / per);
  }

  private static Double perRequest(Map<String, Long> before, Map<String, Long> after, String name, double per) {
    if (before.getOrDefault(name, -1L) < 0 || after.getOrDefault(name, -1L) < 0) {
      return null;
    }
    return delta(before, after, name) / per;
  }

  private static double delta(Map<String, Long> before, Map<String, Long> after, String name) {
    long b = before.getOrDefault(name, -1L);
    long a = after.getOrDefault(name, -1L);
    return b < 0 || a < 0 ? 0 : Math.max(0, a - b);
  }

  // ---------------------------------------------------------------- report and housekeeping

  private Map<String, Object> settings() {
    return SystemReport.settings("senders", SENDERS, "stepSeconds", plan.step().toMillis() / 1000.0,
        "pauseSeconds", plan.pause().toMillis() / 1000.0, "warmupSeconds", plan.warmup().toSeconds(),
        "fixedSeconds", plan.fixed().toSeconds(), "maxSteps", plan.maxSteps(), "precision", plan.precision(),
        "rampFactor", "2 (1.4 from the previous instance count's result)", "timeoutMs", TIMEOUT.toMillis(),
        "maxBehindMs", MAX_BEHIND.toMillis(), "instances", plan.instances(), "floorInstances",
        plan.floorInstances(), "peerInstances", plan.peerInstances(), "springPeerPorts", SPRING_HTTP_PORT + " (nginx), "
        + (SPRING_BASE_PORT + 1) + ".. (instances)", "starterExamplePorts", STARTER_HTTP_PORT + " (nginx), "
        + (STARTER_BASE_PORT + 1) + ".. (instances)", "httpPort", httpPort, "backendBasePort", basePort,
        "appApiLimitPerMinute", env("VTP_API_LIMIT", "100"), "appLoginLimitPerMinute", env("VTP_LOGIN_LIMIT", "5"),
        "edgeApiRate", env("VTP_EDGE_API_RATE", "100r/m") + " burst " + env("VTP_EDGE_API_BURST", "50"),
        "edgeLoginRate", env("VTP_EDGE_LOGIN_RATE", "5r/m"), "javaOpts", String.join(" ", javaOpts()),
        "appLogLevel", env("VTP_LOG_LEVEL", "info"));
  }

  private List<String> notes() {
    List<String> all = new ArrayList<>();
    for (SystemReport.Measurement m : measurements) {
      SystemReport.Search s = m.search();
      if (s.generatorBehindAtLimit()) {
        all.add(String.format(Locale.ROOT, "%s at %d instance(s): the generator lagged behind its schedule in the "
            + "failing step (%,.0f req/s, generator using %.2f cores): this maximum may be the generator's, not the "
            + "server's.", m.title(), m.instances(), s.firstUnsustainable(), s.generatorCoresAtLimit()));
      }
    }
    double worstLag = measurements.stream().mapToDouble(m -> m.fixed().lateP99()).max().orElse(0);
    double cores = measurements.stream().flatMap(m -> m.search().steps().stream())
        .filter(SystemReport.Step::sustainable).mapToDouble(st -> st.load().generatorCores()).max().orElse(0);
    all.add(String.format(Locale.ROOT, "Generator check: in the fixed-rate runs its own lag (how late the "
        + "scheduler woke up for a due request) was at most %.2f ms at p99 (limit %.0f ms)%s; in sustainable steps it "
        + "used up to %.2f of the machine's %d cores, which the servers did not have.", worstLag,
        OpenLoopLoad.LATE_LIMIT_MS, worstLag > OpenLoopLoad.LATE_LIMIT_MS ? ", ABOVE the limit" : "", cores,
        Runtime.getRuntime().availableProcessors()));
    measurements.stream().filter(m -> m.endpoint().equals("floor")).reduce((a, b) -> b).ifPresent(m -> all.add(
        String.format(Locale.ROOT, "CPU per request at the floor (%d processes): generator %.3f ms, nginx %.3f ms, "
        + "floor JVMs %.3f ms. The generator (OpenLoopLoad's own NIO HTTP/1.1 client) is not free: it takes its share of the same cores, so "
        + "the floor's maximum is bounded by it as much as by nginx and Javalin, and the course-read / floor ratio "
        + "reads higher than it would with the load coming from another machine.", m.instances(),
        m.cpu().generatorMsPerRequest(), m.cpu().nginxMsPerRequest() == null ? 0 : m.cpu().nginxMsPerRequest(),
        m.cpu().backendsMsPerRequest())));
    long apiAnswers = 0;
    long limited = 0;
    for (SystemReport.Measurement m : measurements) {
      if (m.endpoint().equals("course") || m.endpoint().equals("mixed")) {
        List<OpenLoopLoad.Result> runs = new ArrayList<>();
        m.search().steps().forEach(st -> runs.add(st.load()));
        runs.add(m.fixed());
        for (OpenLoopLoad.Result r : runs) {
          apiAnswers += r.statuses().values().stream().mapToLong(Long::longValue).sum();
          limited += r.rateLimited();
        }
      }
    }
    if (apiAnswers > 0) {
      all.add(String.format(Locale.ROOT, "Rate limiting was on: %.2f %% of the %,d API answers (course reads and "
          + "mixed, every step) carried the app's `RateLimit` header, i.e. the distributed limiter decided in Redis; "
          + "the other %,d were answered fail-open (the limiter's Redis call took over its 100 ms timeout).",
          100.0 * limited / apiAnswers, apiAnswers, apiAnswers - limited));
    }
    SystemReport.find(measurements, "course", plan.instances().get(plan.instances().size() - 1)).ifPresent(m ->
        all.add(String.format(Locale.ROOT, "%.1f %% of the cached course reads at the fixed rate were cache hits "
            + "(`X-Cache: HIT`). Each read carries the teacher's session, which the app looks up (one HMGET) "
            + "before the per-user rate limit decision (one EVALSHA) and the cache read (one GET).",
            m.fixed().ok() == 0 ? 0
            : 100.0 * m.fixed().cacheHits() / m.fixed().ok())));
    if (measurements.stream().anyMatch(m -> m.endpoint().equals("spring") || m.endpoint().equals("starter"))) {
      all.add(String.format(Locale.ROOT, "The peers ran while the deployment was up at %d instance(s), idle, on its "
          + "Redis and PostgreSQL (their commands and transactions are counted on those servers, as the app's). The "
          + "Spring peer (`vtp-bench/spring-peer`): Spring Boot 4.0.7 on Tomcat, Spring Security (the security context "
          + "in the session), Spring Session Data Redis (`RedisSessionRepository`, Lettuce; the session id in "
          + "`X-Auth-Token`), Bucket4j 8.17.0 on Lettuce (compare-and-swap, one bucket per user, %s/min: lifted but "
          + "on), Spring Cache on Redis (`RedisCacheManager`, Boot's defaults, TTL 10 min) over `JdbcTemplate` and "
          + "HikariCP. The Boot example (`examples/spring-boot-service`, default build): Spring Security form login, "
          + "Spring Session on our starter's `VtpSessionRepository`, the starter's rate limit per user and cache; "
          + "`GET /public/products/1` with the `SESSION` cookie (its product is built in memory on a miss, so after "
          + "the first read it is the same cache-hit path). Same JVM options as the app's instances.",
          plan.instances().get(0), env("VTP_API_LIMIT", "100")));
    }
    all.add("Everything shares the same cores: the generator, nginx (2 workers), every backend JVM, Redis and "
        + "PostgreSQL. More instances add processes, not cores, so on this machine they cannot add much throughput; "
        + "read the CPU per request to see what an instance costs.");
    all.addAll(notes);
    return all;
  }

  private Map<String, String> machine() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("Machine", Runtime.getRuntime().availableProcessors() + " cores, " + firstLine(
        "sh", "-c", "grep -m1 'model name' /proc/cpuinfo | cut -d: -f2") + ", " + System.getProperty("os.name")
        + " " + System.getProperty("os.version"));
    m.put("Load average before the run", firstLine("cut", "-d", " ", "-f", "1-3", "/proc/loadavg")
        + " (other work on the machine skews every number)");
    m.put("JDK", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
    m.put("nginx", firstLine("sh", "-c", "nginx -v 2>&1 | cut -d/ -f2"));
    m.put("Redis", firstLine("sh", "-c", "redis-server --version | cut -d' ' -f3 | tr -d 'v='"));
    m.put("PostgreSQL", firstLine("sh", "-c", "\"$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)/postgres\" "
        + "--version"));
    m.put("Git revision", firstLine("sh", "-c", "git rev-parse --short HEAD; true"));
    return m;
  }

  private String firstLine(String... cmd) {
    try {
      Process p = new ProcessBuilder(cmd).directory(root.toFile()).redirectErrorStream(true).start();
      String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
      p.waitFor(10, TimeUnit.SECONDS);
      return text.isEmpty() ? "?" : text.lines().findFirst().orElse("?").strip();
    } catch (IOException e) {
      return "?";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "?";
    }
  }

  /** Stops what this run started: the floor's processes and nginx, and the deployment (by its own pids). */
  private synchronized void cleanup() {
    if (cleanedUp) {
      return;
    }
    cleanedUp = true;
    peers.forEach(FloorStack::close);
    if (floor != null) {
      floor.close();
    }
    if (deploymentUp) {
      try {
        progress("deployment: down (cleaning up)");
        vtp("down");
      } catch (IOException | RuntimeException e) {
        System.err.println("cleanup: deployment/local/vtp down failed: " + e.getMessage());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  static long readPid(Path file) throws IOException {
    if (!Files.exists(file)) {
      return 0;
    }
    String text = Files.readString(file).trim();
    return text.matches("[0-9]+") ? Long.parseLong(text) : 0;
  }

  private static String requireEnv(String name) {
    String v = System.getenv(name);
    if (v == null || v.isBlank()) {
      throw new IllegalStateException(name + " is not set: run bin/bench-system, which sets the deployment's "
          + "ports and state directory");
    }
    return v;
  }

  private static String env(String name, String def) {
    String v = System.getenv(name);
    return v == null || v.isBlank() ? def : v;
  }

  static Path repoRoot() {
    Path p = Path.of("").toAbsolutePath();
    while (p != null && !Files.exists(p.resolve("deployment/local/vtp"))) {
      p = p.getParent();
    }
    if (p == null) {
      throw new IllegalStateException("cannot find deployment/local/vtp above " + Path.of("").toAbsolutePath()
          + ": run from the repository");
    }
    return p;
  }

  static void progress(String line) {
    System.err.printf("\033[1m==> [%3ds] %s\033[0m%n", TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - STARTED),
        line);
  }

  static void detail(String line) {
    System.err.println("    " + line);
  }

  static String classPath() {
    return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
        .map(s -> Path.of(s).toAbsolutePath().toString()).collect(Collectors.joining(File.pathSeparator));
  }
}
