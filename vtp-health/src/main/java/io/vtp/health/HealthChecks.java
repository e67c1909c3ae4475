package io.vtp.health;

import io.vtp.health.internal.PostgresHealthCheck;
import io.vtp.health.internal.RedisHealthCheck;
import java.util.Objects;
import javax.sql.DataSource;
import redis.clients.jedis.UnifiedJedis;

/** The built-in checks. */
public final class HealthChecks {
  private HealthChecks() {}

  /**
   * A critical PostgreSQL check named {@code postgresql}: borrows a connection and runs {@code SELECT 1} with a
   * 1 s query timeout (the registry's timeout bounds it even when the server hangs). When the data source is a
   * HikariCP pool, the report carries the pool's active, idle, pending and maximum connections, and a saturated
   * pool (every connection busy and threads waiting) reports {@code warn} without queueing behind them. Its
   * instance-level reason is {@code database unreachable}.
   *
   * @param dataSource the application's data source; not {@code null}
   * @return the check; never {@code null}
   * @throws NullPointerException when {@code dataSource} is {@code null}
   */
  public static HealthCheck postgres(DataSource dataSource) {
    return new PostgresHealthCheck("postgresql", Objects.requireNonNull(dataSource, "dataSource"), Criticality.CRITICAL);
  }

  /**
   * A PostgreSQL check with its own name and criticality, e.g. {@code postgresql-replica}, non-critical.
   *
   * @param name the check's name; not {@code null}, checked by {@link HealthRegistry.Builder#build()}
   * @param dataSource the data source; not {@code null}
   * @param criticality whether its failure fails readiness; not {@code null}
   * @return the check; never {@code null}
   * @throws NullPointerException when an argument is {@code null}
   */
  public static HealthCheck postgres(String name, DataSource dataSource, Criticality criticality) {
    return new PostgresHealthCheck(Objects.requireNonNull(name, "name"), Objects.requireNonNull(dataSource, "dataSource"),
        Objects.requireNonNull(criticality, "criticality"));
  }

  /**
   * A critical Redis check named {@code redis}: {@code PING} through any Jedis 8 client. For a
   * {@code RedisClusterClient} every known node is pinged and the cluster must report {@code cluster_state:ok};
   * for a Sentinel client the current master answers. Its instance-level reason is {@code redis unreachable}.
   * Requires Jedis on the class path.
   *
   * @param jedis the application's client; not {@code null}
   * @return the check; never {@code null}
   * @throws NullPointerException when {@code jedis} is {@code null}
   */
  public static HealthCheck redis(UnifiedJedis jedis) {
    return redis(jedis, Criticality.CRITICAL);
  }

  /**
   * A Redis check with the given criticality (e.g. non-critical when the application degrades without Redis).
   *
   * @param jedis the client; not {@code null}
   * @param criticality whether its failure fails readiness; not {@code null}
   * @return the check; never {@code null}
   * @throws NullPointerException when an argument is {@code null}
   */
  public static HealthCheck redis(UnifiedJedis jedis, Criticality criticality) {
    return redis("redis", jedis, criticality);
  }

  /**
   * A Redis check with its own name and criticality, e.g. {@code redis-cache}, non-critical, for a Redis that holds
   * only cache entries. Its instance-level reason is {@code <name> unreachable}.
   *
   * @param name the check's name
   * @param jedis the client; never {@code null}
   * @param criticality whether its failure fails readiness
   * @return the check
   */
  public static HealthCheck redis(String name, UnifiedJedis jedis, Criticality criticality) {
    return new RedisHealthCheck(Objects.requireNonNull(name, "name"), Objects.requireNonNull(jedis, "jedis"),
        Objects.requireNonNull(criticality, "criticality"));
  }
}
