package io.vtp.app;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.RedisClusterClient;
import redis.clients.jedis.UnifiedJedis;

/** The app's meter registry (Prometheus, tagged with the instance, JVM and process meters) and Redis pool gauges. */
final class AppMeters {
  private AppMeters() {}

  /**
   * Creates the registry.
   *
   * @param instanceId the {@code instance} tag of every meter
   * @return the registry; the caller closes it
   */
  static PrometheusMeterRegistry create(String instanceId) {
    PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    meters.config().commonTags("instance", instanceId);
    new JvmMemoryMetrics().bindTo(meters);
    new JvmGcMetrics().bindTo(meters);
    new JvmThreadMetrics().bindTo(meters);
    new ClassLoaderMetrics().bindTo(meters);
    new ProcessorMetrics().bindTo(meters);
    new UptimeMetrics().bindTo(meters);
    return meters;
  }

  /**
   * Registers {@code redis.pool.active}, {@code .idle} and {@code .pending} for a standalone or cluster client.
   *
   * @param redis the client
   * @param meters the registry
   */
  static void bindRedisPool(UnifiedJedis redis, MeterRegistry meters) {
    if (redis instanceof RedisClient) {
      var pool = ((RedisClient) redis).getPool();
      Gauge.builder("redis.pool.active", pool, p -> p.getNumActive()).register(meters);
      Gauge.builder("redis.pool.idle", pool, p -> p.getNumIdle()).register(meters);
      Gauge.builder("redis.pool.pending", pool, p -> p.getNumWaiters()).register(meters);
    } else if (redis instanceof RedisClusterClient) {
      RedisClusterClient cluster = (RedisClusterClient) redis;
      Gauge.builder("redis.pool.active", cluster,
          c -> c.getClusterNodes().values().stream().mapToInt(p -> p.getNumActive()).sum()).register(meters);
      Gauge.builder("redis.pool.idle", cluster,
          c -> c.getClusterNodes().values().stream().mapToInt(p -> p.getNumIdle()).sum()).register(meters);
      Gauge.builder("redis.pool.pending", cluster,
          c -> c.getClusterNodes().values().stream().mapToInt(p -> p.getNumWaiters()).sum()).register(meters);
    }
  }
}
