package io.vtp.app.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.micrometer.core.instrument.MeterRegistry;
import io.vtp.app.config.AppConfig;
import io.vtp.app.config.DatabaseUrl;

/**
 * The app's PostgreSQL pools: one for writes (and reads when there is no replica) and, with
 * {@code READ_DATABASE_URL}, one for read-only queries. Every wait is finite: connect, pool wait, statement.
 *
 * <p>Thread-safe. Close once at shutdown.
 */
public final class Databases implements AutoCloseable {
  private final HikariDataSource primary;
  private final HikariDataSource replica;

  /**
   * Opens the pools (lazily: a database that is down at start does not stop the app from starting).
   *
   * @param config the app configuration
   * @param meters where pool metrics go
   */
  public Databases(AppConfig config, MeterRegistry meters) {
    this.primary = pool("primary", config.database(), config, meters, false);
    this.replica = config.readDatabase() == null ? null : pool("replica", config.readDatabase(), config, meters, true);
  }

  private static HikariDataSource pool(String name, DatabaseUrl url, AppConfig config, MeterRegistry meters,
      boolean readOnly) {
    HikariConfig c = new HikariConfig();
    c.setPoolName(name);
    c.setJdbcUrl(url.jdbcUrl());
    if (url.user() != null) {
      c.setUsername(url.user());
    }
    if (url.password() != null) {
      c.setPassword(url.password());
    }
    c.setMaximumPoolSize(config.dbMaxOpen());
    c.setMinimumIdle(config.dbMaxIdle());
    c.setMaxLifetime(config.dbMaxLifetime().toMillis());
    c.setConnectionTimeout(3_000);
    c.setValidationTimeout(1_000);
    c.setReadOnly(readOnly);
    // Start even when the database is down: readiness says so, and the pool recovers by itself.
    c.setInitializationFailTimeout(-1);
    c.addDataSourceProperty("connectTimeout", "3");
    c.addDataSourceProperty("socketTimeout", "30");
    c.addDataSourceProperty("tcpKeepAlive", "true");
    c.addDataSourceProperty("ApplicationName", "vtp-app " + config.instanceId());
    c.setConnectionInitSql("SET statement_timeout = '10s'");
    c.setMetricRegistry(meters);
    return new HikariDataSource(c);
  }

  /** Returns the pool for writes and consistent reads. */
  public HikariDataSource primary() {
    return primary;
  }

  /** Returns the pool for read-only queries: the replica when configured, else the primary. */
  public HikariDataSource reads() {
    return replica != null ? replica : primary;
  }

  /** Returns whether a read replica is configured. */
  public boolean hasReplica() {
    return replica != null;
  }

  @Override
  public void close() {
    if (replica != null) {
      replica.close();
    }
    primary.close();
  }
}
