package io.vtp.health.internal;

import io.vtp.health.CheckOutcome;
import io.vtp.health.Criticality;
import io.vtp.health.HealthCheck;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import javax.sql.DataSource;

/** {@code SELECT 1} through a {@link DataSource}, with HikariCP pool saturation when available. */
public final class PostgresHealthCheck implements HealthCheck {
  private static final boolean HIKARI_PRESENT = classPresent("com.zaxxer.hikari.HikariDataSource");

  private final String name;
  private final DataSource dataSource;
  private final Criticality criticality;

  /**
   * Creates the check.
   *
   * @param name its name
   * @param dataSource the data source
   * @param criticality its criticality
   */
  public PostgresHealthCheck(String name, DataSource dataSource, Criticality criticality) {
    this.name = name;
    this.dataSource = dataSource;
    this.criticality = criticality;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public Criticality criticality() {
    return criticality;
  }

  @Override
  public String componentType() {
    return "datastore";
  }

  @Override
  public String unhealthyReason() {
    return "database unreachable";
  }

  @Override
  public CheckOutcome check() throws SQLException {
    Map<String, Object> pool = HIKARI_PRESENT ? HikariPoolProbe.stats(dataSource) : Map.of();
    if (HikariPoolProbe.isSaturated(pool)) {
      // Borrowing now would queue behind the very requests that saturate the pool; the server answered them.
      return CheckOutcome.warn("connection pool saturated: " + pool.get("active") + "/" + pool.get("max")
          + " active, " + pool.get("pending") + " waiting", pool);
    }
    try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
      s.setQueryTimeout(1);
      s.execute("SELECT 1");
    }
    return CheckOutcome.pass(pool);
  }

  private static boolean classPresent(String name) {
    try {
      Class.forName(name, false, PostgresHealthCheck.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }

  @Override
  public String toString() {
    return "PostgresHealthCheck[" + name + "]";
  }
}
