package io.vtp.bench.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The capacity model on paper: from the CPU time per request of each tier and the Redis commands and database
 * transactions per request measured by the system level (at the largest instance count, at the fixed rate), how many
 * backend instances, Redis shards, PostgreSQL cores and connections a request rate needs, and which tier runs out
 * first. Prints a Markdown section to standard output.
 *
 * <p>Usage: {@code java -cp benchmarks.jar io.vtp.bench.report.CapacityModel system.json}.
 */
public final class CapacityModel {
  /** Planning utilization: size every tier to run at 70 % of its capacity. */
  static final double UTILIZATION = 0.7;
  /** Cores per backend instance in the sizing table (a typical pod or VM). */
  static final int CORES_PER_INSTANCE = 2;
  /** Request rates the sizing table is computed for. */
  static final List<Integer> RATES = List.of(1_000, 10_000, 50_000);

  private CapacityModel() {}

  /** Per-request costs of one profile, from the system level. */
  record Costs(String title, int instances, double measuredAt, double backendMs, double nginxMs, double redisMs,
      double postgresMs, double redisCommands, double postgresTransactions, double maxRate) {}

  /**
   * Prints the section.
   *
   * @param args the system level's {@code system.json}
   * @throws IOException when it cannot be read
   */
  public static void main(String[] args) throws IOException {
    JsonNode root = new ObjectMapper().readTree(Files.readString(Path.of(args[0])));
    System.out.print(markdown(costs(root, "course"), costs(root, "mixed")));
  }

  /** The costs of an endpoint at the largest instance count measured, or {@code null} when it was not measured. */
  static Costs costs(JsonNode root, String endpoint) {
    JsonNode best = null;
    for (JsonNode m : root.path("measurements")) {
      if ("app".equals(m.path("target").asText()) && endpoint.equals(m.path("endpoint").asText())
          && m.path("cpu").isObject()
          && (best == null || m.path("instances").asInt() > best.path("instances").asInt())) {
        best = m;
      }
    }
    if (best == null) {
      return null;
    }
    // Near capacity when measured (under load work batches; at a low rate every request wakes every process).
    JsonNode loaded = best.path("loaded");
    boolean near = loaded.isObject() && loaded.path("cpu").isObject();
    JsonNode cpu = near ? loaded.path("cpu") : best.path("cpu");
    JsonNode server = near && loaded.path("server").isObject() ? loaded.path("server") : best.path("server");
    return new Costs(best.path("title").asText(endpoint), best.path("instances").asInt(),
        near ? loaded.path("rate").asDouble() : root.path("fixedRate").asDouble(),
        cpu.path("backendsMsPerRequest").asDouble(Double.NaN), cpu.path("nginxMsPerRequest").asDouble(Double.NaN),
        cpu.path("redisMsPerRequest").asDouble(Double.NaN), cpu.path("postgresMsPerRequest").asDouble(Double.NaN),
        server.path("redisCommands").asDouble(Double.NaN),
        server.path("postgresTransactions").asDouble(Double.NaN),
        best.path("search").path("maxSustainable").asDouble(Double.NaN));
  }

  static String markdown(Costs course, Costs mixed) {
    StringBuilder sb = new StringBuilder("\n## Capacity model\n\n");
    if (course == null) {
      return sb.append("Not computed: the system level did not measure the cached course read.\n").toString();
    }
    sb.append("Computed by `io.vtp.bench.report.CapacityModel` from this run's system level: CPU time per request")
        .append(" of every process (from `/proc`, with ").append(course.instances())
        .append(" instances, near capacity: ").append(String.format(Locale.ROOT, "%,.0f", course.measuredAt()))
        .append(" req/s for the course read), Redis commands and PostgreSQL transactions per request (server")
        .append(" counters over the same runs). Every tier is sized to run at ").append(pct(UTILIZATION))
        .append(" of its capacity; a backend instance has ").append(CORES_PER_INSTANCE).append(" cores.\n\n");
    sb.append("| per request | ").append(course.title());
    if (mixed != null) {
      sb.append(" | ").append(mixed.title());
    }
    sb.append(" |\n|---|---:").append(mixed != null ? "|---:" : "").append("|\n");
    row(sb, "backend CPU, ms", course.backendMs(), mixed == null ? null : mixed.backendMs());
    row(sb, "nginx CPU, ms", course.nginxMs(), mixed == null ? null : mixed.nginxMs());
    row(sb, "Redis CPU, ms", course.redisMs(), mixed == null ? null : mixed.redisMs());
    row(sb, "PostgreSQL CPU, ms", course.postgresMs(), mixed == null ? null : mixed.postgresMs());
    row(sb, "Redis commands (incl. inside scripts)", course.redisCommands(),
        mixed == null ? null : mixed.redisCommands());
    row(sb, "PostgreSQL transactions", course.postgresTransactions(),
        mixed == null ? null : mixed.postgresTransactions());
    sb.append('\n');
    for (Costs c : mixed == null ? List.of(course) : List.of(course, mixed)) {
      sb.append("**").append(c.title()).append("**: what a rate needs\n\n");
      sb.append("| requests/s | backend instances | nginx cores | Redis shards | PostgreSQL cores |"
          + " PostgreSQL connections busy | first to run out on one Redis shard |\n"
          + "|---:|---:|---:|---:|---:|---:|---|\n");
      for (int rate : RATES) {
        double backendCores = rate * c.backendMs() / 1000;
        double redisCore = rate * c.redisMs() / 1000; // Redis runs commands on one thread per shard
        double pgCores = rate * c.postgresMs() / 1000;
        sb.append(String.format(Locale.ROOT, "| %,d | %s | %s | %s | %s | %s | %s |%n", rate,
            ceil(backendCores / (CORES_PER_INSTANCE * UTILIZATION)), one(rate * c.nginxMs() / 1000 / UTILIZATION),
            ceil(redisCore / UTILIZATION), one(pgCores / UTILIZATION), one(pgCores),
            redisCore > UTILIZATION ? "Redis (shard it: keys are hash-tagged per user and per limit key)"
                : "nothing: add instances"));
      }
      double redisLimit = UTILIZATION * 1000 / c.redisMs();
      double perInstance = CORES_PER_INSTANCE * UTILIZATION * 1000 / c.backendMs();
      sb.append(String.format(Locale.ROOT, "%nOne %d-core instance serves about %,.0f requests/s of this profile"
          + " at %s; one Redis shard about %,.0f (so up to %.0f instances per shard); ", CORES_PER_INSTANCE,
          perInstance, pct(UTILIZATION), redisLimit, Math.floor(redisLimit / perInstance)));
      sb.append(Double.isNaN(c.postgresMs()) || c.postgresMs() <= 0 ? "PostgreSQL is not on this path.\n\n"
          : String.format(Locale.ROOT, "PostgreSQL spends %.3f ms of CPU per request, so one core carries %,.0f"
              + " requests/s.%n%n", c.postgresMs(), UTILIZATION * 1000 / c.postgresMs()));
    }
    sb.append("Reading it: the backends are stateless and scale out linearly as long as their CPU per request stays")
        .append(" flat with the instance count (the table above the model checks that); the first shared tier to")
        .append(" saturate is the one with the largest CPU per request relative to its capacity, here Redis, a")
        .append(" single thread per shard. Redis Cluster spreads users (sessions are hash-tagged per user) and")
        .append(" limit keys over shards; PostgreSQL sees only cache misses and writes, and its connection count")
        .append(" follows Little's law (busy connections = rate x time per transaction, at least the CPU-bound")
        .append(" figure above): the deployment's pools (DB_MAX_OPEN_CONNS per instance) must sum below")
        .append(" `max_connections`. On this 2-core machine every tier shares the same cores, so absolute rates")
        .append(" here are far below what the per-request costs predict for dedicated hardware.\n");
    return sb.toString();
  }

  private static void row(StringBuilder sb, String label, double a, Double b) {
    sb.append("| ").append(label).append(" | ").append(three(a));
    if (b != null) {
      sb.append(" | ").append(three(b));
    }
    sb.append(" |\n");
  }

  private static String three(double v) {
    return Double.isNaN(v) ? "not measured" : String.format(Locale.ROOT, "%.3f", v);
  }

  private static String one(double v) {
    return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.1f", v);
  }

  private static String ceil(double v) {
    return Double.isNaN(v) ? "-" : Long.toString((long) Math.max(1, Math.ceil(v)));
  }

  private static String pct(double v) {
    return Math.round(v * 100) + " %";
  }
}
