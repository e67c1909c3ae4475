package io.vtp.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vtp.health.micrometer.HealthMetrics;
import io.vtp.testkit.Dedicated;
import io.vtp.testkit.PostgresServer;
import io.vtp.testkit.RedisCluster;
import io.vtp.testkit.RedisServer;
import io.vtp.testkit.VtpServers;
import java.sql.Connection;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.RedisClusterClient;

/** The built-in checks against real PostgreSQL and Redis that are up, stopped, hung (SIGSTOP) and back. */
@ExtendWith(VtpServers.class)
class HealthChecksIT {
  private static final Duration TIMEOUT = Duration.ofMillis(500);

  private static PostgresServer pg;
  private static RedisServer redis;
  private static HikariDataSource pool;
  private static RedisClient jedis;

  @BeforeAll
  static void setUp(@Dedicated PostgresServer pgServer, @Dedicated RedisServer redisServer) {
    pg = pgServer;
    redis = redisServer;
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(pg.jdbcUrl("postgres"));
    config.setUsername(pg.user());
    config.setPassword(pg.password());
    config.setMaximumPoolSize(2);
    config.setConnectionTimeout(2000);
    config.setValidationTimeout(250);
    config.setPoolName("health-it");
    pool = new HikariDataSource(config);
    jedis = RedisClient.builder().hostAndPort(redis.hostAndPort()).clientConfig(redis.clientConfig(TIMEOUT)).build();
  }

  @AfterAll
  static void tearDown() {
    pool.close();
    jedis.close();
  }

  private static HealthRegistry registry(HealthCheck check) {
    return HealthRegistry.builder().instanceId("backend-1").interval(Duration.ofHours(1)).timeout(TIMEOUT)
        .failureThreshold(1).successThreshold(2).register(check).build();
  }

  @Test
  void postgres_upPassesWithPoolNumbers() {
    try (HealthRegistry health = registry(HealthChecks.postgres(pool))) {
      health.start();
      HealthReport report = health.report();
      assertThat(report.status()).isEqualTo(HealthStatus.PASS);
      CheckResult check = report.checks().get(0);
      assertThat(check.name()).isEqualTo("postgresql");
      assertThat(check.details()).containsKeys("active", "idle", "pending", "max").containsEntry("max", 2);
      assertThat(report.toJson(HealthFormat.HEALTH_JSON)).contains("\"max\":2");
    }
  }

  @Test
  void postgres_stoppedFailsAsDatabaseUnreachableAndRecoversAfterSuccesses() {
    try (HealthRegistry health = registry(HealthChecks.postgres(pool))) {
      health.start();
      pg.stop();
      try {
        health.refresh();
        HealthReport ready = health.readiness();
        assertThat(ready.httpStatus()).isEqualTo(503);
        assertThat(ready.reason()).isEqualTo("database unreachable");
        assertThat(health.liveness().httpStatus()).isEqualTo(200);
      } finally {
        pg.start();
      }
      await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10)).until(() -> {
        health.refresh();
        return health.readiness().checks().get(0).observed() == HealthStatus.PASS;
      });
      // One success is not enough with successThreshold 2.
      assertThat(health.readiness().status()).isEqualTo(HealthStatus.FAIL);
      health.refresh();
      assertThat(health.readiness().status()).isEqualTo(HealthStatus.PASS);
    }
  }

  @Test
  void postgres_hungByStopSignalFailsWithinTheTimeoutAndTheProbeNeverHangs() {
    try (HealthRegistry health = registry(HealthChecks.postgres(pool))) {
      health.start();
      pg.pause();
      try {
        long t0 = System.nanoTime();
        health.refresh();
        Duration round = Duration.ofNanos(System.nanoTime() - t0);
        // The round is bounded by the check's timeout (plus scheduling slack), not by PostgreSQL.
        assertThat(round).isLessThan(TIMEOUT.plusSeconds(1));
        HealthReport ready = health.readiness();
        assertThat(ready.status()).isEqualTo(HealthStatus.FAIL);
        assertThat(ready.checks().get(0).message()).contains("timed out after 500 ms");
        long p0 = System.nanoTime();
        for (int i = 0; i < 1000; i++) {
          health.readiness();
        }
        assertThat(Duration.ofNanos(System.nanoTime() - p0)).isLessThan(Duration.ofSeconds(1));
      } finally {
        pg.resume();
      }
      await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10)).until(() -> {
        health.refresh();
        return health.readiness().status() == HealthStatus.PASS;
      });
    }
  }

  @Test
  void postgres_saturatedHikariPoolWarnsWithoutQueueing() throws Exception {
    try (HealthRegistry health = registry(HealthChecks.postgres(pool));
        Connection a = pool.getConnection();
        Connection b = pool.getConnection()) {
      CompletableFuture<Void> waiter = CompletableFuture.runAsync(() -> {
        try (Connection c = pool.getConnection()) {
          c.isValid(1);
        } catch (Exception e) {
          // the pool times out while the test holds both connections; that is expected
        }
      });
      await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10))
          .until(() -> pool.getHikariPoolMXBean().getThreadsAwaitingConnection() > 0);
      health.start();
      HealthReport ready = health.readiness();
      assertThat(ready.status()).isEqualTo(HealthStatus.WARN);
      assertThat(ready.httpStatus()).isEqualTo(200);
      assertThat(ready.checks().get(0).message()).startsWith("connection pool saturated: 2/2 active");
      assertThat(a.isValid(1) && b.isValid(1)).isTrue();
      waiter.cancel(true);
    }
  }

  @Test
  void redis_upStoppedHungAndBack() {
    try (HealthRegistry health = registry(HealthChecks.redis(jedis))) {
      health.start();
      assertThat(health.readiness().status()).isEqualTo(HealthStatus.PASS);

      redis.stop();
      health.refresh();
      assertThat(health.readiness().reason()).isEqualTo("redis unreachable");
      redis.start();

      health.refresh();
      health.refresh();
      assertThat(health.readiness().status()).isEqualTo(HealthStatus.PASS);

      redis.pause();
      try {
        long t0 = System.nanoTime();
        health.refresh();
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(TIMEOUT.plusSeconds(1));
        assertThat(health.readiness().httpStatus()).isEqualTo(503);
      } finally {
        redis.resume();
      }
      await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10)).until(() -> {
        health.refresh();
        return health.readiness().status() == HealthStatus.PASS;
      });
    }
  }

  @Test
  void redis_nonCriticalFailureOnlyWarns() {
    try (HealthRegistry health = registry(HealthChecks.redis(jedis, Criticality.NON_CRITICAL))) {
      redis.stop();
      try {
        health.start();
        HealthReport ready = health.readiness();
        assertThat(ready.status()).isEqualTo(HealthStatus.WARN);
        assertThat(ready.httpStatus()).isEqualTo(200);
      } finally {
        redis.start();
      }
    }
  }

  @Test
  void redisCluster_passesWhenEveryNodeAnswersAndFailsWhenAMasterHangs(@Dedicated RedisCluster cluster) {
    try (RedisClusterClient client = RedisClusterClient.builder().nodes(cluster.hostAndPorts())
        .clientConfig(cluster.nodes().get(0).clientConfig(TIMEOUT)).maxAttempts(1).build();
        HealthRegistry health = registry(HealthChecks.redis(client))) {
      health.start();
      HealthReport report = health.report();
      assertThat(report.status()).isEqualTo(HealthStatus.PASS);
      assertThat(report.checks().get(0).details()).containsEntry("nodes", 3).containsEntry("clusterState", "ok");

      cluster.nodes().get(2).pause();
      try {
        health.refresh();
        assertThat(health.readiness().status()).isEqualTo(HealthStatus.FAIL);
        assertThat(health.readiness().reason()).isEqualTo("redis unreachable");
      } finally {
        cluster.nodes().get(2).resume();
      }
      cluster.awaitOk(Duration.ofSeconds(20));
      await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10)).until(() -> {
        health.refresh();
        return health.readiness().status() == HealthStatus.PASS;
      });
    }
  }

  @Test
  void healthMetrics_reportStatusDurationsAndFailures() {
    try (HealthRegistry health = registry(HealthChecks.redis(jedis))) {
      SimpleMeterRegistry meters = new SimpleMeterRegistry();
      HealthMetrics binder = HealthMetrics.create(meters, "app", health);
      health.start();
      assertThat(meters.get("vtp.health.status").gauge().value()).isEqualTo(1.0);
      assertThat(meters.get("vtp.health.check.status").tag("check", "redis").gauge().value()).isEqualTo(1.0);
      assertThat(meters.get("vtp.health.check.duration").tag("check", "redis").timer().count()).isEqualTo(1);

      redis.stop();
      try {
        health.refresh();
      } finally {
        redis.start();
      }
      assertThat(meters.get("vtp.health.status").gauge().value()).isEqualTo(0.0);
      assertThat(meters.get("vtp.health.check.failures").tag("check", "redis").counter().count()).isEqualTo(1.0);
      health.startDraining();
      assertThat(meters.get("vtp.health.draining").gauge().value()).isEqualTo(1.0);
      binder.close();
      assertThat(meters.find("vtp.health.status").gauge()).isNull();
    }
  }
}
