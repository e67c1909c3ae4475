package io.vtp.bench.system;

import io.vtp.bench.report.Charts;
import io.vtp.loadgen.OpenLoopLoad;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * What the system level measured ({@link Report}, written as {@code system.json}) and how it reads: the markdown
 * fragment {@code system.md} and the two PNG charts. The JSON shape is documented on {@link SystemBench}.
 */
final class SystemReport {
  /** Endpoints in report order. */
  static final List<String> ENDPOINTS = List.of("health", "course", "spring", "starter", "mixed", "floor");
  private static final Map<String, String> LABELS = Map.of(
      "health", "GET /health/live",
      "course", "cached GET /api/v1/courses/{id}",
      "spring", "Spring peer: cached course read",
      "starter", "Boot example + our starter",
      "mixed", "mixed 80/15/5",
      "floor", "floor: bare Javalin");

  private SystemReport() {}

  /**
   * One step of a rate search.
   *
   * @param rate the rate tried (req/s)
   * @param sustainable whether it met the bar
   * @param generatorBehind whether the generator's own lag p99 exceeded {@link OpenLoopLoad#LATE_LIMIT_MS}
   * @param load what the step measured
   */
  record Step(double rate, boolean sustainable, boolean generatorBehind, OpenLoopLoad.Result load) {}

  /**
   * A max-sustainable-rate search.
   *
   * @param maxSustainable the best rate that met the bar (0: none)
   * @param lowerBoundOnly no step failed: the true maximum is higher
   * @param firstUnsustainable the lowest rate that failed (0: none)
   * @param generatorBehindAtLimit the generator lagged in the step that failed (it may be the limit itself)
   * @param generatorCoresAtLimit the generator's CPU (cores) in that failing step
   * @param steps every step in order
   */
  record Search(double maxSustainable, boolean lowerBoundOnly, double firstUnsustainable,
      boolean generatorBehindAtLimit, double generatorCoresAtLimit, List<Step> steps) {}

  /**
   * CPU of one backend process over the fixed-rate run.
   *
   * @param instance its {@code X-Instance-Id}
   * @param pid its pid
   * @param cpuMs user + system CPU time
   * @param requests answers it served (by {@code X-Instance-Id})
   * @param msPerRequest {@code cpuMs / requests}
   */
  record InstanceCpu(String instance, long pid, double cpuMs, long requests, double msPerRequest) {}

  /**
   * CPU per answered request over the fixed-rate run, in ms; {@code null} where that process is not part of it.
   *
   * @param requests answered requests
   * @param backendsMsPerRequest every backend JVM's CPU together / requests
   * @param instances each backend
   * @param nginxMsPerRequest nginx master and workers
   * @param redisMsPerRequest redis-server
   * @param postgresMsPerRequest the postmaster and all its backends
   * @param generatorMsPerRequest the load generator's whole JVM
   */
  record Cpu(long requests, double backendsMsPerRequest, List<InstanceCpu> instances, Double nginxMsPerRequest,
      Double redisMsPerRequest, Double postgresMsPerRequest, double generatorMsPerRequest) {}

  /**
   * One endpoint at one instance count.
   *
   * @param target {@code app} (the deployment) or {@code floor}
   * @param instances backend processes behind nginx
   * @param endpoint {@code health}, {@code course}, {@code mixed} or {@code floor}
   * @param title what was requested
   * @param search the max sustainable rate
   * @param fixed the run at the fixed rate
   * @param cpu CPU per request in that run
   */
  record Measurement(String target, int instances, String endpoint, String title, Search search,
      OpenLoopLoad.Result fixed, Cpu cpu, ServerCounters.PerRequest server, Loaded loaded) {
    Measurement(String target, int instances, String endpoint, String title, Search search,
        OpenLoopLoad.Result fixed, Cpu cpu, ServerCounters.PerRequest server) {
      this(target, instances, endpoint, title, search, fixed, cpu, server, null);
    }

    Measurement withLoaded(Loaded l) {
      return new Measurement(target, instances, endpoint, title, search, fixed, cpu, server, l);
    }
  }

  /**
   * The near-capacity run: at a share of the max sustainable rate, CPU and server counters per request.
   *
   * @param rate the rate, req/s
   * @param load what the run measured
   * @param cpu CPU per request
   * @param server Redis commands and PostgreSQL transactions per request ({@code null} for the floor)
   */
  record Loaded(double rate, OpenLoopLoad.Result load, Cpu cpu, ServerCounters.PerRequest server) {}

  /**
   * One line judging, from the near-capacity runs at 3 instances (the most measured if not 3), whether the generator
   * cost at most what nginx cost per request in the same run (issue #19: a load generator cheaper than the proxy it
   * loads); {@code null} without such runs.
   */
  static String generatorCheck(List<Measurement> measurements) {
    int n = measurements.stream().filter(m -> m.loaded() != null && m.loaded().cpu().nginxMsPerRequest() != null)
        .mapToInt(Measurement::instances).filter(i -> i <= 3).max().orElse(0);
    List<Measurement> at = ordered(measurements).stream().filter(m -> m.instances() == n && m.loaded() != null
        && m.loaded().cpu().nginxMsPerRequest() != null).toList();
    if (at.isEmpty()) {
      return null;
    }
    boolean cheaper = at.stream().allMatch(m -> m.loaded().cpu().generatorMsPerRequest()
        <= m.loaded().cpu().nginxMsPerRequest());
    return String.format(Locale.ROOT, "Generator CPU per request <= nginx's, near capacity at %d instance(s), same "
        + "runs: **%s** (%s).", n, cheaper ? "yes" : "NO", at.stream().map(m -> String.format(Locale.ROOT,
        "%s %.3f vs %.3f ms", m.endpoint(), m.loaded().cpu().generatorMsPerRequest(),
        m.loaded().cpu().nginxMsPerRequest())).collect(Collectors.joining(", ")));
  }

  /** Issue 19's targets for backend CPU per request, as ratios to the floor's in the same run. */
  static final Map<String, Double> CPU_TARGETS = Map.of("course", 1.5, "health", 1.2);

  /**
   * Lines judging the backend CPU per request of the cached course read and {@code /health/live} against the
   * floor's at the same instance count, near capacity (the batched figure) and, for information, at the fixed rate;
   * one line per instance count both were measured at. Empty when the floor or the endpoints are missing.
   */
  static List<String> cpuChecks(List<Measurement> measurements) {
    List<String> lines = new ArrayList<>();
    for (int n = 1; n <= 9; n++) {
      Optional<Measurement> floor = find(measurements, "floor", n);
      if (floor.isEmpty() || floor.get().loaded() == null || floor.get().loaded().cpu().backendsMsPerRequest() <= 0) {
        continue;
      }
      List<String> parts = new ArrayList<>();
      for (String e : List.of("course", "health")) {
        Optional<Measurement> m = find(measurements, e, n);
        if (m.isEmpty() || m.get().loaded() == null) {
          continue;
        }
        double floorMs = floor.get().loaded().cpu().backendsMsPerRequest();
        double ratio = m.get().loaded().cpu().backendsMsPerRequest() / floorMs;
        double fixed = floor.get().cpu().backendsMsPerRequest() > 0
            ? m.get().cpu().backendsMsPerRequest() / floor.get().cpu().backendsMsPerRequest() : 0;
        double target = CPU_TARGETS.get(e);
        parts.add(String.format(Locale.ROOT, "%s **%.2f** (%.3f vs %.3f ms; target <= %.1f: **%s**; at the fixed "
            + "rate %.2f)", LABELS.get(e), ratio, m.get().loaded().cpu().backendsMsPerRequest(), floorMs, target, ratio <= target ? "met" : "not met", fixed));
      }
      if (!parts.isEmpty()) {
        lines.add(String.format(Locale.ROOT, "Backend CPU per request near capacity / the floor's, %d instance%s: %s.",
            n, n == 1 ? "" : "s", String.join("; ", parts)));
      }
    }
    return lines;
  }

  /**
   * The cached course read's max rate at 3 instances over the floor's at 3.
   *
   * @param value the ratio (0 when either is missing)
   * @param target the target
   * @param met whether it is met
   * @param lowerBound whether either side was only a lower bound, so the ratio is approximate
   */
  record Ratio(double value, double target, boolean met, boolean lowerBound) {}

  /**
   * Everything, as written to {@code system.json}.
   *
   * @param date ISO-8601 UTC
   * @param mode {@code full} or {@code quick}
   * @param machine cores, CPU, OS, JDK, nginx, Redis, PostgreSQL
   * @param settings how the runs were made
   * @param fixedRate the rate of every fixed-rate run (req/s)
   * @param p99LimitMs the bar for "sustainable"
   * @param measurements every endpoint at every instance count
   * @param ratio course-read-3 / floor-3
   * @param notes what a reader must know (generator lag, lower bounds, ...)
   */
  record Report(String date, String mode, Map<String, String> machine, Map<String, Object> settings,
      double fixedRate, double p99LimitMs, List<Measurement> measurements, Ratio ratio, List<String> notes,
      List<PeerComparison> peers) {
    Report(String date, String mode, Map<String, String> machine, Map<String, Object> settings, double fixedRate,
        double p99LimitMs, List<Measurement> measurements, Ratio ratio, List<String> notes) {
      this(date, mode, machine, settings, fixedRate, p99LimitMs, measurements, ratio, notes,
          peerComparisons(measurements));
    }
  }

  /** Our app over the Spring peer per backend core: the target. */
  static final double PEER_TARGET = 2.0;

  /**
   * One contender against the Spring peer at one instance count. Per core: the max sustainable rate over the CPU
   * cores the backend JVMs used at that rate, i.e. {@code rate / (rate * backend CPU ms per request / 1000)} =
   * {@code 1000 / backend CPU ms per request}, with the CPU per request of the near-capacity run (80 % of the max);
   * "stack" adds nginx, Redis and PostgreSQL to the backends (the generator is left out).
   *
   * @param endpoint the contender ({@code course}: our app, {@code starter}: the Boot example on our starter)
   * @param instances backend processes behind nginx
   * @param rate the contender's max sustainable rate (req/s)
   * @param springRate the Spring peer's
   * @param perBackendCore the contender's requests per backend CPU second
   * @param springPerBackendCore the Spring peer's
   * @param perStackCore the contender's requests per CPU second of backends, nginx, Redis and PostgreSQL
   * @param springPerStackCore the Spring peer's
   * @param rateRatio {@code rate / springRate}
   * @param perCoreRatio {@code perBackendCore / springPerBackendCore}
   * @param met for our app: {@code perCoreRatio >= }{@value #PEER_TARGET}
   * @param lowerBound either maximum was only a lower bound (the rate ratio is approximate)
   */
  record PeerComparison(String endpoint, int instances, double rate, double springRate, double perBackendCore,
      double springPerBackendCore, double perStackCore, double springPerStackCore, double rateRatio,
      double perCoreRatio, boolean met, boolean lowerBound) {}

  /** Our app and the starter example each against the Spring peer, at every instance count both ran. */
  static List<PeerComparison> peerComparisons(List<Measurement> ms) {
    List<PeerComparison> out = new ArrayList<>();
    for (String e : List.of("course", "starter")) {
      for (Measurement spring : ms.stream().filter(m -> m.endpoint().equals("spring"))
          .sorted((a, b) -> Integer.compare(a.instances(), b.instances())).collect(Collectors.toList())) {
        Optional<Measurement> other = find(ms, e, spring.instances());
        if (other.isEmpty() || other.get().loaded() == null || spring.loaded() == null) {
          continue;
        }
        Measurement o = other.get();
        double perCore = perCore(o.loaded().cpu(), false);
        double springPerCore = perCore(spring.loaded().cpu(), false);
        double ratio = springPerCore == 0 ? 0 : perCore / springPerCore;
        double springRate = spring.search().maxSustainable();
        out.add(new PeerComparison(e, o.instances(), o.search().maxSustainable(), springRate, perCore,
            springPerCore, perCore(o.loaded().cpu(), true), perCore(spring.loaded().cpu(), true),
            springRate == 0 ? 0 : o.search().maxSustainable() / springRate, ratio,
            e.equals("course") && ratio >= PEER_TARGET,
            o.search().lowerBoundOnly() || spring.search().lowerBoundOnly()));
      }
    }
    return out;
  }

  /** Requests per CPU second of the backends (and, with {@code stack}, nginx, Redis and PostgreSQL); 0 if none. */
  static double perCore(Cpu c, boolean stack) {
    double ms = c.backendsMsPerRequest();
    if (stack) {
      for (Double d : new Double[] {c.nginxMsPerRequest(), c.redisMsPerRequest(), c.postgresMsPerRequest()}) {
        ms += d == null ? 0 : d;
      }
    }
    return ms <= 0 ? 0 : 1000 / ms;
  }

  /** The course read at 3 instances over the floor at 3 (the largest common count when 3 was not run). */
  static Ratio ratio(List<Measurement> ms, double target) {
    Optional<Measurement> course = find(ms, "course", 3);
    Optional<Measurement> floor = find(ms, "floor", 3);
    if (course.isEmpty() || floor.isEmpty() || floor.get().search().maxSustainable() == 0) {
      return new Ratio(0, target, false, false);
    }
    double v = course.get().search().maxSustainable() / floor.get().search().maxSustainable();
    return new Ratio(v, target, v >= target,
        course.get().search().lowerBoundOnly() || floor.get().search().lowerBoundOnly());
  }

  static Optional<Measurement> find(List<Measurement> ms, String endpoint, int instances) {
    return ms.stream().filter(m -> m.endpoint().equals(endpoint) && m.instances() == instances).findFirst();
  }

  /** The markdown fragment: max rates, latency and CPU tables, the ratio, notes; charts referenced by name. */
  static String markdown(Report r) {
    List<Integer> counts = new ArrayList<>(new TreeSet<>(r.measurements().stream().map(Measurement::instances)
        .collect(Collectors.toList())));
    StringBuilder sb = new StringBuilder();
    sb.append("## System level: through nginx, 1 to ").append(counts.isEmpty() ? 0 : counts.get(counts.size() - 1))
        .append(" instances\n\n");
    sb.append(String.format(Locale.ROOT, "- Date: %s (`bin/bench-system%s`)%n", r.date(),
        r.mode().equals("quick") ? " --quick" : ""));
    r.machine().forEach((k, v) -> sb.append("- ").append(k).append(": ").append(v).append('\n'));
    sb.append(String.format(Locale.ROOT, "- Open-loop load (`OpenLoopLoad`): constant arrival rate, latency from the "
        + "intended send time (no coordinated omission), one scheduler and one selector thread, %s keep-alive "
        + "connections at most, HTTP/1.1, on the same cores as nginx, the backends, Redis and PostgreSQL.%n",
        r.settings().get("senders")));
    sb.append(String.format(Locale.ROOT, "- Sustainable: every request of a %s s step answered 2xx and p99 <= %.0f ms. "
        + "Search: ramp x%s from a start rate, then bisect to within %s %%, at most %s steps.%n",
        r.settings().get("stepSeconds"), r.p99LimitMs(), r.settings().get("rampFactor"),
        pct(r.settings().get("precision")), r.settings().get("maxSteps")));
    sb.append(String.format(Locale.ROOT, "- Limits lifted but on: app API limit %s/min per client, nginx `limit_req` "
        + "%s; the floor runs behind the same nginx configuration (`deployment/nginx/render.sh`).%n%n",
        r.settings().get("appApiLimitPerMinute"), r.settings().get("edgeApiRate")));

    sb.append("### Max sustainable rate (req/s)\n\n| endpoint |");
    counts.forEach(n -> sb.append(' ').append(n).append(n == 1 ? " instance |" : " instances |"));
    sb.append("\n|---|");
    counts.forEach(n -> sb.append("---:|"));
    sb.append('\n');
    for (String e : ENDPOINTS) {
      if (r.measurements().stream().noneMatch(m -> m.endpoint().equals(e))) {
        continue;
      }
      sb.append("| ").append(LABELS.get(e)).append(" |");
      for (int n : counts) {
        sb.append(' ').append(find(r.measurements(), e, n).map(m -> rateCell(m.search())).orElse("-")).append(" |");
      }
      sb.append('\n');
    }
    sb.append("\n`>=`: no step failed, the real maximum is higher. `*`: the generator lagged behind its schedule in "
        + "the step that failed, so the limit may be the generator's.\n\n");
    Ratio q = r.ratio();
    sb.append(String.format(Locale.ROOT, "**Cached course read with 3 instances / floor with 3 instances: %s** "
        + "(target >= %.1f: %s)%n%n", q.value() == 0 ? "not measured" : String.format(Locale.ROOT, "%s%.2f",
        q.lowerBound() ? "~" : "", q.value()), q.target(), q.value() == 0 ? "-" : q.met() ? "met" : "**not met**"));
    sb.append("![max sustainable rate per endpoint and instance count](bench-system-rate.png)\n\n");
    if (!r.peers().isEmpty()) {
      sb.append(peerSection(r.peers()));
    }

    sb.append(String.format(Locale.ROOT, "### Latency at %,.0f req/s (ms, from the intended send time)%n%n",
        r.fixedRate()));
    sb.append("| endpoint | instances | p50 | p90 | p99 | p99.9 | max | errors | requests |\n"
        + "|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (Measurement m : ordered(r.measurements())) {
      OpenLoopLoad.Result f = m.fixed();
      sb.append(String.format(Locale.ROOT, "| %s | %d | %.2f | %.2f | %.2f | %.2f | %.1f | %d%s | %,d |%n",
          LABELS.get(m.endpoint()), m.instances(), f.p50(), f.p90(), f.p99(), f.p999(), f.max(), f.errors(),
          f.unsent() > 0 ? " (+" + f.unsent() + " unsent)" : "", f.sent()));
    }
    sb.append("\n![latency percentiles at the fixed rate](bench-system-latency.png)\n\n");

    sb.append(String.format(Locale.ROOT, "### CPU per request at %,.0f req/s (ms of CPU time per answered request, "
        + "from /proc/<pid>/stat)%n%n", r.fixedRate()));
    sb.append("| endpoint | instances | backends | each backend | nginx | Redis | PostgreSQL | generator |\n"
        + "|---|---:|---:|---|---:|---:|---:|---:|\n");
    for (Measurement m : ordered(r.measurements())) {
      Cpu c = m.cpu();
      String each = c.instances().stream().map(i -> String.format(Locale.ROOT, "%.3f (%,d)", i.msPerRequest(),
          i.requests())).collect(Collectors.joining(" / "));
      sb.append(String.format(Locale.ROOT, "| %s | %d | %.3f | %s | %s | %s | %s | %.3f |%n", LABELS.get(m.endpoint()),
          m.instances(), c.backendsMsPerRequest(), each, opt(c.nginxMsPerRequest()), opt(c.redisMsPerRequest()),
          opt(c.postgresMsPerRequest()), c.generatorMsPerRequest()));
    }
    sb.append("\nEach backend: ms per request (requests it served, by `X-Instance-Id`). The clock tick is 10 ms, so "
        + "small per-instance numbers are coarse.\n");
    sb.append("\n### CPU per request near capacity (ms, at 80 % of each endpoint's max sustainable rate)\n\n"
        + "At a low rate every request wakes every process on its own; under load they batch work, so these are the "
        + "figures the capacity model uses.\n\n"
        + "| endpoint | instances | rate | backends | nginx | Redis | PostgreSQL | generator | errors |\n"
        + "|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (Measurement m : ordered(r.measurements())) {
      Loaded l = m.loaded();
      if (l == null) {
        continue;
      }
      sb.append(String.format(Locale.ROOT, "| %s | %d | %,.0f | %.3f | %s | %s | %s | %.3f | %d |%n",
          LABELS.get(m.endpoint()), m.instances(), l.rate(), l.cpu().backendsMsPerRequest(),
          opt(l.cpu().nginxMsPerRequest()), opt(l.cpu().redisMsPerRequest()), opt(l.cpu().postgresMsPerRequest()),
          l.cpu().generatorMsPerRequest(), l.load().errors()));
    }
    String generator = generatorCheck(r.measurements());
    if (generator != null) {
      sb.append('\n').append(generator).append('\n');
    }
    for (String line : cpuChecks(r.measurements())) {
      sb.append('\n').append(line).append('\n');
    }
    sb.append("\n### Redis commands and PostgreSQL transactions per request (server counters, same runs)\n\n"
        + "| endpoint | instances | Redis commands (incl. inside scripts) | by command | PostgreSQL transactions |\n"
        + "|---|---:|---:|---|---:|\n");
    for (Measurement m : ordered(r.measurements())) {
      if (m.server() == null) {
        continue;
      }
      String by = m.server().redisByCommand().entrySet().stream().filter(e -> e.getValue() >= 0.005)
          .map(e -> String.format(Locale.ROOT, "%s %.2f", e.getKey(), e.getValue())).collect(Collectors.joining(", "));
      sb.append(String.format(Locale.ROOT, "| %s | %d | %.2f | %s | %s |%n", LABELS.get(m.endpoint()), m.instances(),
          m.server().redisCommands(), by, opt(m.server().postgresTransactions())));
    }
    if (!r.notes().isEmpty()) {
      sb.append("\n### Notes\n\n");
      r.notes().forEach(n -> sb.append("- ").append(n).append('\n'));
    }
    return sb.toString();
  }

  /** The peer table: our app and the starter example against the Spring peer, per backend core. */
  static String peerSection(List<PeerComparison> peers) {
    StringBuilder sb = new StringBuilder("### Against the Spring peer, per core\n\n"
        + "Per core = the max sustainable rate / the CPU cores the backend JVMs used at it, i.e. 1000 / (backend CPU "
        + "ms per request), from the near-capacity run (80 % of each max). Stack: backends + nginx + Redis + "
        + "PostgreSQL. All of them share the machine's cores with the generator, so per core is the fair figure; the "
        + "plain rates compare what the same machine gave each.\n\n"
        + "| contender | instances | max req/s | Spring peer max req/s | rate ratio | req/s per backend core | Spring "
        + "peer's | per-core ratio | req/s per stack core | Spring peer's |\n"
        + "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (PeerComparison p : peers) {
      sb.append(String.format(Locale.ROOT, "| %s | %d | %,.0f | %,.0f | %s%.2f | %,.0f | %,.0f | **%.2f** | %,.0f | "
          + "%,.0f |%n", LABELS.get(p.endpoint()), p.instances(), p.rate(), p.springRate(),
          p.lowerBound() ? "~" : "", p.rateRatio(), p.perBackendCore(), p.springPerBackendCore(), p.perCoreRatio(),
          p.perStackCore(), p.springPerStackCore()));
    }
    peers.stream().filter(p -> p.endpoint().equals("course")).forEach(p -> sb.append(String.format(Locale.ROOT,
        "%n**Our app / Spring peer per backend core, %d instance%s: %.2f** (target >= %.1f: %s)%n", p.instances(),
        p.instances() == 1 ? "" : "s", p.perCoreRatio(), PEER_TARGET, p.met() ? "met" : "**not met**")));
    peers.stream().filter(p -> p.endpoint().equals("starter")).forEach(p -> sb.append(String.format(Locale.ROOT,
        "%n**Boot example on our starter / Spring peer (Spring Session Data Redis, Bucket4j, RedisCacheManager), "
        + "%d instance%s: %.2f per backend core, %s%.2f in max rate**%n", p.instances(), p.instances() == 1 ? "" : "s",
        p.perCoreRatio(), p.lowerBound() ? "~" : "", p.rateRatio())));
    return sb.append('\n').toString();
  }

  private static String pct(Object precision) {
    return precision instanceof Number n ? String.format(Locale.ROOT, "%.0f", n.doubleValue() * 100) : "?";
  }

  private static String opt(Double v) {
    return v == null ? "-" : String.format(Locale.ROOT, "%.3f", v);
  }

  static String rateCell(Search s) {
    if (s.maxSustainable() == 0) {
      return "none <= " + String.format(Locale.ROOT, "%,.0f", s.firstUnsustainable());
    }
    return (s.lowerBoundOnly() ? ">= " : "") + String.format(Locale.ROOT, "%,.0f", s.maxSustainable())
        + (s.generatorBehindAtLimit() ? " *" : "");
  }

  private static List<Measurement> ordered(List<Measurement> ms) {
    List<Measurement> out = new ArrayList<>();
    for (String e : ENDPOINTS) {
      ms.stream().filter(m -> m.endpoint().equals(e)).sorted((a, b) -> Integer.compare(a.instances(), b.instances()))
          .forEach(out::add);
    }
    return out;
  }

  /** Horizontal bars: the max sustainable rate of every endpoint at every instance count, floor in grey. */
  static void rateChart(Report r, Path png) throws IOException {
    List<Measurement> rows = ordered(r.measurements());
    int rowHeight = 24;
    int left = 300;
    int width = 980;
    int height = 70 + rowHeight * rows.size() + 8 * ENDPOINTS.size();
    double top = rows.stream().mapToDouble(m -> m.search().maxSustainable()).max().orElse(0);
    double scale = niceCeiling(Math.max(1, top));
    Charts.Canvas canvas = Charts.canvas(width, height,
        "Max sustainable rate through nginx (req/s, p99 <= " + (int) r.p99LimitMs() + " ms, no errors)");
    Graphics2D g = canvas.g();
    int plotWidth = width - left - 110;
    for (int k = 0; k <= 4; k++) {
      int x = left + plotWidth * k / 4;
      g.setColor(k == 0 ? Color.DARK_GRAY : Charts.GRID);
      g.drawLine(x, 36, x, height - 20);
      g.setColor(Color.GRAY);
      g.drawString(String.format(Locale.ROOT, "%,.0f", scale * k / 4), x - 10, height - 5);
    }
    int y = 44;
    String last = null;
    for (Measurement m : rows) {
      if (last != null && !last.equals(m.endpoint())) {
        y += 8;
      }
      last = m.endpoint();
      Search s = m.search();
      int w = (int) (s.maxSustainable() / scale * plotWidth);
      g.setColor(m.endpoint().equals("floor") ? Charts.FLOOR : m.endpoint().equals("spring") ? Charts.CONTENDER
          : Charts.VTP);
      g.fillRect(left, y, Math.max(2, w), rowHeight - 8);
      g.setColor(Color.BLACK);
      g.drawString(LABELS.get(m.endpoint()) + ", " + m.instances() + (m.instances() == 1 ? " instance" : " instances"),
          12, y + 12);
      g.drawString(rateCell(s), left + Math.max(2, w) + 6, y + 12);
      y += rowHeight;
    }
    canvas.write(png);
  }

  /** Latency percentiles at the fixed rate, layered bars on a log scale (p50 darkest ... max lightest). */
  static void latencyChart(Report r, Path png) throws IOException {
    List<Measurement> rows = ordered(r.measurements());
    int rowHeight = 24;
    int left = 300;
    int width = 980;
    int height = 96 + rowHeight * rows.size() + 8 * ENDPOINTS.size();
    double worst = rows.stream().mapToDouble(m -> m.fixed().max()).max().orElse(1);
    double minLog = -1;
    double maxLog = Math.max(2, Math.ceil(Math.log10(Math.max(worst, 1))));
    Charts.Canvas canvas = Charts.canvas(width, height, String.format(Locale.ROOT,
        "Latency at %,.0f req/s through nginx (ms from the intended send time, log scale)", r.fixedRate()));
    Graphics2D g = canvas.g();
    int plotWidth = width - left - 250;
    String[] names = {"max", "p99.9", "p99", "p90", "p50"};
    Color[] shades = {new Color(222, 235, 247), new Color(158, 202, 225), new Color(107, 174, 214),
        new Color(49, 130, 189), new Color(8, 69, 148)};
    int lx = left;
    for (int k = names.length - 1; k >= 0; k--) {
      g.setColor(shades[k]);
      g.fillRect(lx, 32, 14, 12);
      g.setColor(Color.BLACK);
      g.drawString(names[k], lx + 18, 43);
      lx += 80;
    }
    for (int p = (int) minLog; p <= maxLog; p++) {
      int x = left + (int) ((p - minLog) / (maxLog - minLog) * plotWidth);
      g.setColor(Charts.GRID);
      g.setStroke(new BasicStroke(1f));
      g.drawLine(x, 52, x, height - 20);
      g.setColor(Color.GRAY);
      g.drawString(p < 0 ? "0.1" : Integer.toString((int) Math.pow(10, p)), x - 8, height - 5);
    }
    int y = 60;
    String last = null;
    for (Measurement m : rows) {
      if (last != null && !last.equals(m.endpoint())) {
        y += 8;
      }
      last = m.endpoint();
      OpenLoopLoad.Result f = m.fixed();
      double[] values = {f.max(), f.p999(), f.p99(), f.p90(), f.p50()};
      for (int k = 0; k < values.length; k++) {
        double log = Math.max(minLog, Math.min(maxLog, Math.log10(Math.max(values[k], 0.1))));
        int w = (int) ((log - minLog) / (maxLog - minLog) * plotWidth);
        g.setColor(shades[k]);
        g.fillRect(left, y, Math.max(2, w), rowHeight - 8);
      }
      g.setColor(Color.BLACK);
      g.drawString(LABELS.get(m.endpoint()) + ", " + m.instances() + (m.instances() == 1 ? " instance" : " instances"),
          12, y + 12);
      g.drawString(String.format(Locale.ROOT, "p50 %.2f  p99 %.2f  max %.1f", f.p50(), f.p99(), f.max()),
          left + plotWidth + 12, y + 12);
      y += rowHeight;
    }
    canvas.write(png);
  }

  /** 1, 2 or 5 times a power of ten, at least {@code v}. */
  static double niceCeiling(double v) {
    double p = Math.pow(10, Math.floor(Math.log10(v)));
    for (double m : new double[] {1, 2, 2.5, 5, 10}) {
      if (m * p >= v) {
        return m * p;
      }
    }
    return 10 * p;
  }

  /** Settings as an ordered map (for the JSON). */
  static Map<String, Object> settings(Object... kv) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i + 1 < kv.length; i += 2) {
      m.put((String) kv[i], kv[i + 1]);
    }
    return m;
  }
}
