package io.vtp.bench.swap;

import java.io.IOException;
import java.net.CookieManager;
import java.net.CookiePolicy;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import io.vtp.bench.system.ProcCpu;
import io.vtp.loadgen.OpenLoopLoad;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;

/**
 * Measures what swapping Spring Session Data Redis for {@code vtp-spring-boot-starter} buys: the same Spring Boot
 * service ({@code examples/spring-boot-service}) in two variants, each as two instances behind one nginx, on one
 * Redis. Driven by {@code bin/bench-swap}, which builds and starts everything; this class logs a user in on each
 * variant (four sessions per connection, taken in turn) and measures.
 *
 * <p>Per variant and endpoint, with those session cookies (or, in the contention case, one of them on every
 * connection):
 * <ol>
 *   <li>counts (deterministic): {@value #COUNTED} sequential requests under {@code MONITOR}, so the commands each
 *       request sent to Redis and those run inside scripts, by name ({@link CommandCounter});</li>
 *   <li>load (timed): the project's open-loop generator ({@link OpenLoopLoad}) offering {@value #OFFERED} req/s,
 *       far above what this machine serves, through at most {@value #CONNECTIONS} keep-alive connections for a
 *       fixed time; a request that finds no free connection within {@value #MAX_BEHIND_MS} ms of its due time is
 *       skipped, so the connections stay saturated as with a closed-loop tool and the rate served is the measure.
 *       Rounds are interleaved between the variants (the order alternates), with {@code INFO commandstats} before
 *       and after each run, so Redis commands per answered request under load. Requests per second, p50, p99
 *       (from the due time: the send waits at most {@value #MAX_BEHIND_MS} ms) and non-200 answers come from the
 *       generator.</li>
 * </ol>
 *
 * <p>Usage: {@code java -cp vtp-bench/target/benchmarks.jar io.vtp.bench.swap.SwapBench [--quick] --redis HOST:PORT
 * --variant LABEL=URL --variant LABEL=URL --password PASSWORD --out DIR --command 'bin/bench-swap'}. Writes
 * {@code DIR/swap.md} (the markdown section bin/bench puts into docs/BENCHMARKS.md) and {@code DIR/load.log}.
 */
public final class SwapBench {
  static final int COUNTED = 20;
  /** The rate offered, req/s: several times what the two instances of a variant serve on this kind of machine. */
  static final int OFFERED = 20_000;
  /** Connections, the requests in flight at most (as many as the closed-loop load this replaced held). */
  static final int CONNECTIONS = 32;
  /** How late a request may go out for want of a free connection before it is skipped. */
  static final int MAX_BEHIND_MS = 10;
  private static final int SESSIONS_PER_CONNECTION = 4;
  private static final Pattern CSRF = Pattern.compile("name=\"_csrf\"[^>]*value=\"([^\"]+)\"");
  private static final String USER = "alice";

  /**
   * A variant.
   *
   * @param label its name in the tables
   * @param base the nginx address in front of its instances
   * @param pids its instances' processes, for their CPU time
   */
  record Variant(String label, URI base, List<Long> pids) {}

  /**
   * A measured endpoint.
   *
   * @param name its name in the tables
   * @param path its path
   * @param sessions which session cookies its requests carry
   */
  record Endpoint(String name, String path, Sessions sessions) {}

  /** Which session cookies an endpoint's requests carry. */
  enum Sessions {
    /** The variant's sessions, taken in turn. */
    MANY,
    /** One session on every connection. */
    ONE,
    /** None: anonymous requests. */
    NONE
  }

  /** What was measured for one variant on one endpoint. */
  static final class Cell {
    final List<OpenLoopLoad.Result> rounds = new ArrayList<>();
    final Map<String, Long> loadCommands = new TreeMap<>();
    /** CPU time in ms over the rounds: the variant's instances, Redis, nginx. */
    final long[] cpuMs = new long[3];
    CommandCounter.Counts counted;

    long requests() {
      return rounds.stream().mapToLong(OpenLoopLoad.Result::sent).sum();
    }

    double rate() {
      double seconds = rounds.stream().mapToDouble(OpenLoopLoad.Result::wallSeconds).sum();
      return rounds.stream().mapToLong(SwapBench::answered).sum() / seconds;
    }

    long notOk() {
      return rounds.stream().mapToLong(r -> r.sent() - answered(r)).sum();
    }

    double cpuPerRequest(int which) {
      return cpuMs[which] / (double) Math.max(1, requests());
    }

    double loadPerRequest() {
      return loadCommands.values().stream().mapToLong(Long::longValue).sum() / (double) Math.max(1, requests());
    }
  }

  private SwapBench() {}

  /**
   * Runs the measurement.
   *
   * @param args see the class comment
   * @throws Exception when a login, a request or Redis fails
   */
  public static void main(String[] args) throws Exception {
    boolean quick = false;
    String redis = null;
    String password = null;
    String command = "bin/bench-swap";
    long redisPid = 0;
    long nginxPid = 0;
    Path out = Path.of("target/bench-swap");
    List<Variant> variants = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--quick" -> quick = true;
        case "--redis" -> redis = args[++i];
        case "--password" -> password = args[++i];
        case "--out" -> out = Path.of(args[++i]);
        case "--command" -> command = args[++i];
        case "--variant" -> {
          String[] v = args[++i].split("=");
          variants.add(new Variant(v[0], URI.create(v[1]),
              java.util.Arrays.stream(v[2].split(",")).map(Long::valueOf).toList()));
        }
        case "--redis-pid" -> redisPid = Long.parseLong(args[++i]);
        case "--nginx-pid" -> nginxPid = Long.parseLong(args[++i]);
        default -> throw new IllegalArgumentException("unknown argument '" + args[i] + "' (see the class comment)");
      }
    }
    if (redis == null || password == null || variants.size() != 2 || redisPid == 0 || nginxPid == 0) {
      throw new IllegalArgumentException("--redis, --redis-pid, --nginx-pid, --password and two --variant are"
          + " required");
    }
    int rounds = quick ? 1 : 5;
    int seconds = quick ? 5 : 6;
    int warmUp = quick ? 5 : 10;
    int warmUpPasses = quick ? 1 : 2;
    int connections = CONNECTIONS;
    List<Endpoint> endpoints = List.of(
        new Endpoint("session page `GET /account` (reads the session, writes its visit counter)", "/account",
            Sessions.MANY),
        new Endpoint("authenticated read `GET /public/products/1` (reads the session, changes nothing)",
            "/public/products/1", Sessions.MANY),
        new Endpoint("anonymous read `GET /public/products/1` (no session: the same work but the session's)",
            "/public/products/1", Sessions.NONE),
        new Endpoint("session page `GET /account`, all " + connections + " connections on one session (contention)",
            "/account", Sessions.ONE));

    Files.createDirectories(out);
    Path log = out.resolve("load.log");
    Files.deleteIfExists(log);
    OpenLoopLoad load = new OpenLoopLoad(OpenLoopLoad.CpuClock.thisProcess());
    String host = redis.substring(0, redis.lastIndexOf(':'));
    int port = Integer.parseInt(redis.substring(redis.lastIndexOf(':') + 1));

    // Four sessions per connection, taken in turn: a session rarely has two requests in flight, as with real users
    // (with exactly one per connection, a slow answer lets the next turn of its session overlap it).
    int sessions = SESSIONS_PER_CONNECTION * connections;
    Map<Variant, List<String>> cookies = new LinkedHashMap<>();
    for (Variant v : variants) {
      List<String> list = new ArrayList<>();
      for (int i = 0; i < sessions; i++) {
        list.add(login(v, password));
      }
      cookies.put(v, list);
      progress("logged in " + sessions + " sessions of " + USER + " on " + v.label());
    }
    Map<String, Cell> cells = new LinkedHashMap<>();
    for (Endpoint e : endpoints) {
      for (Variant v : variants) {
        cells.put(key(v, e), new Cell());
      }
    }

    // Counts first: deterministic, sequential, after a few requests so one-off script loads are not counted.
    try (CommandCounter counter = new CommandCounter(new HostAndPort(host, port),
        DefaultJedisClientConfig.builder().build())) {
      for (Endpoint e : endpoints) {
        if (e.sessions() == Sessions.ONE) {
          continue; // sequentially the same as with many sessions
        }
        for (Variant v : variants) {
          HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
          for (int i = 0; i < 3; i++) {
            get(http, v, e, e.sessions() == Sessions.NONE ? null : cookies.get(v).get(0));
          }
          counter.begin();
          for (int i = 0; i < COUNTED; i++) {
            get(http, v, e, e.sessions() == Sessions.NONE ? null : cookies.get(v).get(0));
          }
          cells.get(key(v, e)).counted = counter.end();
          progress("counted " + COUNTED + " requests: " + v.label() + ", " + e.path() + ": "
              + cells.get(key(v, e)).counted);
        }
      }
    }

    try (Jedis jedis = new Jedis(host, port)) {
      // The JVMs keep getting faster for minutes (JIT): warm every variant and endpoint up in passes, the order
      // alternating like the rounds, so neither side is measured colder.
      for (int pass = 0; pass < warmUpPasses; pass++) {
        for (Endpoint e : endpoints) {
          List<Variant> order = pass % 2 == 0 ? variants : List.of(variants.get(1), variants.get(0));
          for (Variant v : order) {
            progress("warm-up " + (pass + 1) + "/" + warmUpPasses + ", " + warmUp + " s: " + v.label() + ", "
                + e.name());
            run(load, v, e, cookies.get(v), warmUp, log);
          }
        }
      }
      for (int r = 0; r < rounds; r++) {
        for (Endpoint e : endpoints) {
          List<Variant> order = r % 2 == 0 ? variants : List.of(variants.get(1), variants.get(0));
          for (Variant v : order) {
            Map<String, Long> before = CommandCounter.commandStats(jedis);
            long[] cpuBefore = cpu(v, redisPid, nginxPid);
            OpenLoopLoad.Result result = run(load, v, e, cookies.get(v), seconds, log);
            Thread.sleep(200); // the last answers' commands
            Map<String, Long> after = CommandCounter.commandStats(jedis);
            long[] cpuAfter = cpu(v, redisPid, nginxPid);
            Cell cell = cells.get(key(v, e));
            for (int k = 0; k < cell.cpuMs.length; k++) {
              cell.cpuMs[k] += cpuAfter[k] - cpuBefore[k];
            }
            cell.rounds.add(result);
            CommandCounter.delta(before, after).forEach((k, n) -> cell.loadCommands.merge(k, n, Long::sum));
            progress(String.format(Locale.ROOT, "round %d/%d %s, %s: %.0f req/s, p50 %.2f ms, p99 %.2f ms, %d not 200,"
                + " generator %.3f ms CPU / request", r + 1, rounds, v.label(), e.name(),
                answered(result) / result.wallSeconds(), result.p50(), result.p99(), result.sent() - answered(result),
                result.generatorCpuMs() / Math.max(1, result.sent())));
          }
        }
      }
    }
    String md = markdown(variants, endpoints, cells, new Load(rounds, seconds, warmUpPasses * warmUp, connections),
        command);
    Files.writeString(out.resolve("swap.md"), md, StandardCharsets.UTF_8);
    System.out.print(md);
  }

  /** CPU time in ms now: the variant's instances, Redis (its threads), nginx (master and workers). */
  private static long[] cpu(Variant v, long redisPid, long nginxPid) {
    long jvms = 0;
    for (long pid : v.pids()) {
      jvms += ProcCpu.ms(pid).orElseThrow(() -> new IllegalStateException("instance " + pid + " of " + v.label()
          + " is not running"));
    }
    return new long[] {jvms, ProcCpu.ms(redisPid).orElse(0), ProcCpu.treeMs(nginxPid).orElse(0)};
  }

  /** The load's shape, for the text. */
  record Load(int rounds, int seconds, int warmUp, int connections) {}

  /**
   * One bounded load on {@code e} of {@code v}: {@value #OFFERED} req/s offered for {@code seconds} through at most
   * {@value #CONNECTIONS} connections, the requests taking the sessions in turn ({@link Sessions}); appends its
   * result to {@code log}.
   */
  static OpenLoopLoad.Result run(OpenLoopLoad load, Variant v, Endpoint e, List<String> cookies, int seconds,
      Path log) throws IOException, InterruptedException {
    List<String> used = switch (e.sessions()) {
      case MANY -> cookies;
      case ONE -> List.of(cookies.get(0));
      case NONE -> java.util.Collections.singletonList(null);
    };
    HttpRequest[] requests = new HttpRequest[used.size()];
    for (int i = 0; i < requests.length; i++) {
      HttpRequest.Builder b = HttpRequest.newBuilder(v.base().resolve(e.path())).timeout(Duration.ofSeconds(5)).GET();
      if (used.get(i) != null) {
        b.header("Cookie", used.get(i));
      }
      requests[i] = b.build();
    }
    OpenLoopLoad.Settings settings = new OpenLoopLoad.Settings(OFFERED, Duration.ofSeconds(seconds), CONNECTIONS,
        Duration.ofSeconds(5), Duration.ofMillis(MAX_BEHIND_MS)).skippingWhenBehind();
    OpenLoopLoad.Result r = load.run(settings, i -> requests[(int) (i % requests.length)]);
    Files.writeString(log, v.label() + " GET " + e.path() + " (" + e.sessions() + "): " + r + "\n",
        StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
    if (r.sent() == 0 || r.unanswered() > r.sent() / 10) {
      throw new IOException("the load on " + v.base() + e.path() + " mostly failed: " + r);
    }
    return r;
  }

  /** Answers {@code 200}: a redirect to the login page is not one. */
  static long answered(OpenLoopLoad.Result r) {
    return r.status(200);
  }

  static String key(Variant v, Endpoint e) {
    return v.label() + " " + e.name();
  }

  /** Logs the user in (the login form, its CSRF token, the form post) and returns the session cookie. */
  static String login(Variant v, String password) throws IOException, InterruptedException {
    CookieManager cookies = new CookieManager(null, CookiePolicy.ACCEPT_ALL);
    HttpClient http = HttpClient.newBuilder().cookieHandler(cookies).connectTimeout(Duration.ofSeconds(5))
        .followRedirects(HttpClient.Redirect.NEVER).build();
    HttpResponse<String> form = http.send(HttpRequest.newBuilder(v.base().resolve("/login")).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    Matcher csrf = CSRF.matcher(form.body());
    if (form.statusCode() != 200 || !csrf.find()) {
      throw new IOException("GET " + v.base() + "/login answered " + form.statusCode() + " without a CSRF token");
    }
    String body = "username=" + USER + "&password=" + URLEncoder.encode(password, StandardCharsets.UTF_8)
        + "&_csrf=" + URLEncoder.encode(csrf.group(1), StandardCharsets.UTF_8);
    HttpResponse<String> posted = http.send(HttpRequest.newBuilder(v.base().resolve("/login"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    String location = posted.headers().firstValue("Location").orElse("");
    if (posted.statusCode() != 302 || location.contains("error")) {
      throw new IOException("POST " + v.base() + "/login answered " + posted.statusCode() + " to " + location);
    }
    String cookie = cookies.getCookieStore().get(v.base()).stream().filter(c -> c.getName().equals("SESSION"))
        .map(c -> "SESSION=" + c.getValue()).findFirst()
        .orElseThrow(() -> new IOException("no SESSION cookie after logging in on " + v.base()));
    HttpResponse<String> account = http.send(HttpRequest.newBuilder(v.base().resolve("/account")).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    if (account.statusCode() != 200 || !account.body().startsWith(USER + " visits=")) {
      throw new IOException("GET " + v.base() + "/account after logging in answered " + account.statusCode());
    }
    return cookie;
  }

  private static void get(HttpClient http, Variant v, Endpoint e, String cookie)
      throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(v.base().resolve(e.path())).GET();
    if (cookie != null) {
      b.header("Cookie", cookie);
    }
    HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IOException("GET " + v.base() + e.path() + " answered " + r.statusCode());
    }
  }

  static String markdown(List<Variant> variants, List<Endpoint> endpoints, Map<String, Cell> cells, Load load,
      String command) {
    StringBuilder md = new StringBuilder();
    md.append("## Spring Session Data Redis vs vtp-spring-boot-starter\n\n");
    md.append("The same Spring Boot service (`examples/spring-boot-service`: Spring Security form login, Spring"
        + " Session) in two variants, each as two instances behind one nginx, on one Redis, measured in the same"
        + " run:\n\n");
    for (Variant v : variants) {
      md.append("- ").append(v.label()).append('\n');
    }
    md.append(String.format(Locale.ROOT, "%nEvery request carries a session cookie of a user logged in through the"
        + " login form: %d sessions per variant, taken in turn (so a session rarely has two requests in flight, as"
        + " with real users), except in the anonymous rows (none) and the contention rows (every connection sends the"
        + " same session). Load: the open-loop generator (`OpenLoopLoad`) offering %,d req/s through at most %d"
        + " keep-alive connections (a request finding none free within %d ms is skipped, so they stay saturated),"
        + " %d s warm-up per variant and endpoint (in interleaved passes), then %d round(s) of %d s,"
        + " interleaved between the variants (order alternating); req/s counts only `200` answers over all rounds,"
        + " p50/p99 (from each request's due time) are the median over the rounds, the a / b ratio of req/s is the median of the rounds' ratios"
        + " (each round's in brackets: the machine is shared, so read the ratios and the CPU per request rather than"
        + " the absolute rates)."
        + " CPU per request: user + system time of the variant's two instances, of Redis and of nginx (from"
        + " `/proc`) over the requests (the generator's own CPU is not counted)."
        + " Redis commands per request under load are the server's `INFO commandstats` deltas over the requests"
        + " (commands run inside scripts included); the sent / in-scripts split counts %d sequential requests under"
        + " `MONITOR`.%n%n", SESSIONS_PER_CONNECTION * load.connections(), OFFERED, load.connections(),
        MAX_BEHIND_MS, load.warmUp(), load.rounds(), load.seconds(), COUNTED));
    md.append("| endpoint | variant | req/s | p50 ms | p99 ms | not 200 | CPU ms / request: instances | Redis |"
        + " nginx | Redis commands / request (under load) | sent / request (round trips) |\n");
    md.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (Endpoint e : endpoints) {
      for (Variant v : variants) {
        Cell c = cells.get(key(v, e));
        md.append(String.format(Locale.ROOT, "| %s | %s | %.0f | %.2f | %.2f | %d | %.3f | %.3f | %.3f | %.2f | %s |%n",
            e.name(), v.label(), c.rate(), median(c.rounds, OpenLoopLoad.Result::p50),
            median(c.rounds, OpenLoopLoad.Result::p99),
            c.notOk(), c.cpuPerRequest(0), c.cpuPerRequest(1), c.cpuPerRequest(2), c.loadPerRequest(),
            c.counted == null ? "" : perRequest(c.counted.sentTotal())));
      }
      Cell a = cells.get(key(variants.get(0), e));
      Cell b = cells.get(key(variants.get(1), e));
      double[] perRound = new double[a.rounds.size()];
      for (int r = 0; r < perRound.length; r++) {
        perRound[r] = (answered(a.rounds.get(r)) / a.rounds.get(r).wallSeconds())
            / (answered(b.rounds.get(r)) / b.rounds.get(r).wallSeconds());
      }
      StringBuilder rounds = new StringBuilder();
      for (double x : perRound) {
        rounds.append(rounds.isEmpty() ? "" : ", ").append(String.format(Locale.ROOT, "%.2f", x));
      }
      md.append(String.format(Locale.ROOT, "| | a / b | %.2f%s | | | | %.2f | %.2f | | %.2f | %s |%n",
          median(perRound), perRound.length > 1 ? " (" + rounds + ")" : "", a.cpuPerRequest(0) / b.cpuPerRequest(0),
          a.cpuPerRequest(1) / b.cpuPerRequest(1),
          a.loadPerRequest() / b.loadPerRequest(), a.counted == null ? ""
              : String.format(Locale.ROOT, "%.2f", a.counted.sentTotal() / (double) b.counted.sentTotal())));
    }
    md.append("\nBy command, per request: ").append(COUNTED).append(" sequential requests under `MONITOR` (what the"
        + " service sent, and what scripts ran), and under load (`INFO commandstats`, scripts' commands included):"
        + "\n\n");
    md.append("| endpoint | variant | sent by the service | run inside scripts | under load |\n");
    md.append("|---|---|---|---|---|\n");
    for (Endpoint e : endpoints) {
      for (Variant v : variants) {
        Cell c = cells.get(key(v, e));
        Map<String, Double> per = new TreeMap<>();
        c.loadCommands.forEach((k, n) -> per.put(k, n / (double) Math.max(1, c.requests())));
        StringBuilder underLoad = new StringBuilder();
        per.forEach((k, x) -> {
          if (x >= 0.005) {
            underLoad.append(underLoad.isEmpty() ? "" : ", ").append(String.format(Locale.ROOT, "%s %.2f", k, x));
          }
        });
        md.append("| ").append(e.name()).append(" | ").append(v.label()).append(" | ")
            .append(c.counted == null ? "" : byName(c.counted.sent())).append(" | ")
            .append(c.counted == null ? "" : byName(c.counted.inScripts())).append(" | ")
            .append(underLoad).append(" |\n");
      }
    }
    md.append("\nCommand: `").append(command).append("`.\n");
    return md.toString();
  }

  private static String perRequest(long total) {
    return String.format(Locale.ROOT, "%.2f", total / (double) COUNTED);
  }

  /** {@code hmget 1, evalsha 1} per request, from counts over {@value #COUNTED} requests. */
  static String byName(Map<String, Long> counts) {
    if (counts.isEmpty()) {
      return "none";
    }
    StringBuilder s = new StringBuilder();
    counts.forEach((k, n) -> s.append(s.isEmpty() ? "" : ", ").append(k).append(' ')
        .append(n % COUNTED == 0 ? Long.toString(n / COUNTED)
            : String.format(Locale.ROOT, "%.2f", n / (double) COUNTED)));
    return s.toString();
  }

  private static double median(List<OpenLoopLoad.Result> rounds,
      java.util.function.ToDoubleFunction<OpenLoopLoad.Result> f) {
    return median(rounds.stream().mapToDouble(f).toArray());
  }

  static double median(double[] values) {
    double[] v = values.clone();
    java.util.Arrays.sort(v);
    if (v.length == 0) {
      return Double.NaN;
    }
    return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }

  private static void progress(String line) {
    System.err.println("    " + line);
  }
}
