package io.vtp.bench.system;

import io.vtp.bench.swap.CommandCounter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import redis.clients.jedis.Jedis;

/**
 * The deployment's server-side counters around a fixed-rate run: Redis commands by name ({@code INFO
 * commandstats}, commands run inside scripts included) and PostgreSQL transactions of the app's database
 * ({@code pg_stat_database}, read with {@code psql}). Deterministic costs per request, next to the timed ones.
 */
final class ServerCounters {
  /** Commands the counting itself and the instances' health checks send, not caused by requests. */
  private static final Set<String> IGNORED = Set.of("info", "ping", "cluster|info", "client|list",
      "config|resetstat", "hello", "client|setinfo");

  private final int redisPort;
  private final int pgPort;
  private final Path passwordFile;

  /**
   * Counters of the deployment on these ports.
   *
   * @param redisPort the deployment's Redis
   * @param pgPort the deployment's PostgreSQL
   * @param passwordFile the app role's password (the deployment's state directory)
   */
  ServerCounters(int redisPort, int pgPort, Path passwordFile) {
    this.redisPort = redisPort;
    this.pgPort = pgPort;
    this.passwordFile = passwordFile;
  }

  /** A reading. */
  record Reading(Map<String, Long> redisCalls, OptionalLong postgresTransactions) {}

  /** Redis commands and PostgreSQL transactions per answered request between two readings. */
  record PerRequest(double redisCommands, Map<String, Double> redisByCommand, Double postgresTransactions) {}

  Reading read() {
    Map<String, Long> calls = new TreeMap<>();
    try (Jedis jedis = new Jedis("127.0.0.1", redisPort)) {
      Path redisPassword = passwordFile.resolveSibling("redis-password");
      if (Files.exists(redisPassword)) { // the local deployment's Redis has ACLs: log in as the app's user
        try {
          jedis.auth("vtp", Files.readString(redisPassword, StandardCharsets.UTF_8).trim());
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }
      calls.putAll(CommandCounter.commandStats(jedis));
    }
    return new Reading(calls, postgresTransactions());
  }

  static PerRequest perRequest(Reading before, Reading after, long requests) {
    double per = Math.max(1, requests);
    Map<String, Double> byCommand = new TreeMap<>();
    double total = 0;
    for (Map.Entry<String, Long> e : after.redisCalls().entrySet()) {
      if (IGNORED.contains(e.getKey())) {
        continue;
      }
      long d = e.getValue() - before.redisCalls().getOrDefault(e.getKey(), 0L);
      if (d > 0) {
        byCommand.put(e.getKey(), d / per);
        total += d;
      }
    }
    Double pg = before.postgresTransactions().isPresent() && after.postgresTransactions().isPresent()
        // minus the one transaction of the first reading's own query
        ? Math.max(0, after.postgresTransactions().getAsLong() - before.postgresTransactions().getAsLong() - 1) / per
        : null;
    return new PerRequest(total / per, byCommand, pg);
  }

  private OptionalLong postgresTransactions() {
    try {
      String password = Files.readString(passwordFile, StandardCharsets.UTF_8).trim();
      ProcessBuilder pb = new ProcessBuilder("psql", "-h", "127.0.0.1", "-p", Integer.toString(pgPort), "-U", "vtp",
          "-d", "vtp", "-Atc", "select xact_commit + xact_rollback from pg_stat_database where datname = 'vtp'");
      pb.environment().put("PGPASSWORD", password);
      pb.environment().put("PGCONNECT_TIMEOUT", "5");
      pb.redirectErrorStream(true);
      Process p = pb.start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
        return OptionalLong.empty();
      }
      return OptionalLong.of(Long.parseLong(out));
    } catch (IOException | NumberFormatException e) {
      return OptionalLong.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return OptionalLong.empty();
    }
  }
}
