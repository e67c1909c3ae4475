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
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;

/**
 * Measures what swapping Spring Session Data Redis for {@code vtp-spring-boot-starter} buys: the same Spring Boot
 * service ({@code examples/spring-boot-service}) in two variants, each as two instances behind one nginx, on one
 * Redis. Driven by {@code bin/bench-swap}, which builds and starts everything; this class logs a user in on each
 * variant and measures.
 *
 * <p>Per variant and endpoint, with the logged-in user's session cookie:
 * <ol>
 *   <li>counts (deterministic): {@value #COUNTED} sequential requests under {@code MONITOR}, so the commands each
 *       request sent to Redis and those run inside scripts, by name ({@link CommandCounter});</li>
 *   <li>load (timed): {@code wrk} with fixed connections for a fixed time, rounds interleaved between the variants
 *       (the order alternates), and {@code INFO commandstats} before and after each run, so Redis commands per
 *       answered request under load. Requests per second, p50, p99 and non-200 answers come from {@code wrk}.</li>
 * </ol>
 *
 * <p>Usage: {@code java -cp vtp-bench/target/benchmarks.jar io.vtp.bench.swap.SwapBench [--quick] --redis HOST:PORT
 * --variant LABEL=URL --variant LABEL=URL --password PASSWORD --out DIR --command 'bin/bench-swap'}. Writes
 * {@code DIR/swap.md} (the markdown section bin/bench puts into docs/BENCHMARKS.md) and {@code DIR/wrk.log}.
 */
public final class SwapBench {
  static final int COUNTED = 20;
  private static final Pattern CSRF = Pattern.compile("name=\"_csrf\"[^>]*value=\"([^\"]+)\"");
  private static final String USER = "alice";

  /** A variant: a label and the nginx address in front of its instances. */
  record Variant(String label, URI base) {}

  /** A measured endpoint. */
  record Endpoint(String name, String path) {}

  /** What was measured for one variant on one endpoint. */
  static final class Cell {
    final List<Wrk.Result> rounds = new ArrayList<>();
    final Map<String, Long> loadCommands = new TreeMap<>();
    CommandCounter.Counts counted;

    long requests() {
      return rounds.stream().mapToLong(Wrk.Result::requests).sum();
    }

    double rate() {
      double seconds = rounds.stream().mapToDouble(Wrk.Result::seconds).sum();
      return rounds.stream().mapToLong(Wrk.Result::answered).sum() / seconds;
    }

    long notOk() {
      return rounds.stream().mapToLong(r -> r.non200() + r.socketErrors()).sum();
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
   * @throws Exception when a login, a request, wrk or Redis fails
   */
  public static void main(String[] args) throws Exception {
    boolean quick = false;
    String redis = null;
    String password = null;
    String command = "bin/bench-swap";
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
          String v = args[++i];
          int eq = v.lastIndexOf('=');
          variants.add(new Variant(v.substring(0, eq), URI.create(v.substring(eq + 1))));
        }
        default -> throw new IllegalArgumentException("unknown argument '" + args[i] + "' (see the class comment)");
      }
    }
    if (redis == null || password == null || variants.size() != 2) {
      throw new IllegalArgumentException("--redis, --password and two --variant are required");
    }
    int rounds = quick ? 1 : 3;
    int seconds = quick ? 5 : 10;
    int warmUp = quick ? 5 : 10;
    int connections = 32;
    List<Endpoint> endpoints = List.of(
        new Endpoint("session page `GET /account` (reads the session, writes its visit counter)", "/account"),
        new Endpoint("authenticated read `GET /public/products/1` (reads the session, changes nothing)",
            "/public/products/1"));

    Files.createDirectories(out);
    Path script = out.resolve("swap.lua");
    Files.writeString(script, Wrk.SCRIPT, StandardCharsets.UTF_8);
    Path log = out.resolve("wrk.log");
    Files.deleteIfExists(log);
    String host = redis.substring(0, redis.lastIndexOf(':'));
    int port = Integer.parseInt(redis.substring(redis.lastIndexOf(':') + 1));

    Map<Variant, String> cookies = new LinkedHashMap<>();
    for (Variant v : variants) {
      cookies.put(v, login(v, password));
      progress("logged in as " + USER + " on " + v.label());
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
        for (Variant v : variants) {
          HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
          for (int i = 0; i < 3; i++) {
            get(http, v, e, cookies.get(v));
          }
          counter.begin();
          for (int i = 0; i < COUNTED; i++) {
            get(http, v, e, cookies.get(v));
          }
          cells.get(key(v, e)).counted = counter.end();
          progress("counted " + COUNTED + " requests: " + v.label() + ", " + e.path() + ": "
              + cells.get(key(v, e)).counted);
        }
      }
    }

    try (Jedis jedis = new Jedis(host, port)) {
      for (Endpoint e : endpoints) {
        for (Variant v : variants) {
          progress("warm-up " + warmUp + " s: " + v.label() + ", " + e.path());
          Wrk.run(script, v.base() + e.path(), cookies.get(v), 2, connections, warmUp, log);
        }
      }
      for (int r = 0; r < rounds; r++) {
        for (Endpoint e : endpoints) {
          List<Variant> order = r % 2 == 0 ? variants : List.of(variants.get(1), variants.get(0));
          for (Variant v : order) {
            Map<String, Long> before = CommandCounter.commandStats(jedis);
            Wrk.Result result = Wrk.run(script, v.base() + e.path(), cookies.get(v), 2, connections, seconds, log);
            Thread.sleep(200); // the last answers' commands
            Map<String, Long> after = CommandCounter.commandStats(jedis);
            Cell cell = cells.get(key(v, e));
            cell.rounds.add(result);
            CommandCounter.delta(before, after).forEach((k, n) -> cell.loadCommands.merge(k, n, Long::sum));
            progress(String.format(Locale.ROOT, "round %d/%d %s, %s: %.0f req/s, p50 %.2f ms, p99 %.2f ms, %d not 200",
                r + 1, rounds, v.label(), e.path(), result.answered() / result.seconds(), result.p50Ms(),
                result.p99Ms(), result.non200() + result.socketErrors()));
          }
        }
      }
    }
    String md = markdown(variants, endpoints, cells, new Load(rounds, seconds, warmUp, connections), command);
    Files.writeString(out.resolve("swap.md"), md, StandardCharsets.UTF_8);
    System.out.print(md);
  }

  /** The load's shape, for the text. */
  record Load(int rounds, int seconds, int warmUp, int connections) {}

  static String key(Variant v, Endpoint e) {
    return v.label() + " " + e.path();
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
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(v.base().resolve(e.path())).header("Cookie", cookie)
        .GET().build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IOException("GET " + v.base() + e.path() + " with the session answered " + r.statusCode());
    }
  }

  static String markdown(List<Variant> variants, List<Endpoint> endpoints, Map<String, Cell> cells, Load load,
      String command) {
    StringBuilder md = new StringBuilder();
    md.append("## Spring Session Data Redis vs vtp-spring-boot-starter\n\n");
    md.append("The same Spring Boot service (`examples/spring-boot-service`: Spring Security form login, Spring Session)"
        + " in two variants, each as two instances behind one nginx, on one Redis, measured in the same run:\n\n");
    for (Variant v : variants) {
      md.append("- ").append(v.label()).append('\n');
    }
    md.append(String.format(Locale.ROOT, "%nEach request carries the session cookie of a user logged in through the"
        + " login form. Load: `wrk -t2 -c%d`, %d s warm-up per variant and endpoint, then %d round(s) of %d s,"
        + " interleaved between the variants (order alternating). Redis commands per request under load are the"
        + " server's `INFO commandstats` deltas over the answered requests (commands run inside scripts included);"
        + " the breakdown below counts %d sequential requests under `MONITOR`, which tells the commands a client sent"
        + " (round trips) from those a script ran.%n%n", load.connections(), load.warmUp(), load.rounds(),
        load.seconds(), COUNTED));
    md.append("| endpoint | variant | req/s | p50 ms | p99 ms | not 200 | Redis commands / request (under load) |"
        + " sent / request | in scripts / request |\n");
    md.append("|---|---|---:|---:|---:|---:|---:|---:|---:|\n");
    for (Endpoint e : endpoints) {
      for (Variant v : variants) {
        Cell c = cells.get(key(v, e));
        md.append(String.format(Locale.ROOT, "| %s | %s | %.0f | %.2f | %.2f | %d | %.2f | %s | %s |%n",
            e.name(), v.label(), c.rate(), median(c.rounds, Wrk.Result::p50Ms), median(c.rounds, Wrk.Result::p99Ms),
            c.notOk(), c.loadPerRequest(), perRequest(c.counted.sentTotal()), perRequest(c.counted.inScriptsTotal())));
      }
      Cell a = cells.get(key(variants.get(0), e));
      Cell b = cells.get(key(variants.get(1), e));
      md.append(String.format(Locale.ROOT, "| | ratio first / second | %.2f | | | | %.2f | | |%n",
          a.rate() / b.rate(), a.loadPerRequest() / b.loadPerRequest()));
    }
    md.append("\nRedis commands per request by name (")
        .append(COUNTED).append(" sequential requests under `MONITOR`; a script's own commands in brackets):\n\n");
    md.append("| endpoint | variant | sent by the service | run inside scripts |\n|---|---|---|---|\n");
    for (Endpoint e : endpoints) {
      for (Variant v : variants) {
        CommandCounter.Counts c = cells.get(key(v, e)).counted;
        md.append("| ").append(e.name()).append(" | ").append(v.label()).append(" | ").append(byName(c.sent()))
            .append(" | ").append(c.inScripts().isEmpty() ? "none" : "(" + byName(c.inScripts()) + ")")
            .append(" |\n");
      }
    }
    md.append("\nUnder load, by name (`INFO commandstats`, per answered request; includes script-internal commands):\n\n");
    md.append("| endpoint | variant | commands / request |\n|---|---|---|\n");
    for (Endpoint e : endpoints) {
      for (Variant v : variants) {
        Cell c = cells.get(key(v, e));
        Map<String, Double> per = new TreeMap<>();
        c.loadCommands.forEach((k, n) -> per.put(k, n / (double) Math.max(1, c.requests())));
        StringBuilder s = new StringBuilder();
        per.forEach((k, x) -> s.append(s.isEmpty() ? "" : ", ").append(String.format(Locale.ROOT, "%s %.2f", k, x)));
        md.append("| ").append(e.name()).append(" | ").append(v.label()).append(" | ").append(s).append(" |\n");
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

  private static double median(List<Wrk.Result> rounds, java.util.function.ToDoubleFunction<Wrk.Result> f) {
    double[] v = rounds.stream().mapToDouble(f).sorted().toArray();
    return v.length == 0 ? Double.NaN : v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }

  private static void progress(String line) {
    System.err.println("    " + line);
  }
}
