package io.vtp.health.internal;

import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.sql.DataSource;

/** Reads HikariCP pool numbers. Loaded only when HikariCP is on the class path. */
final class HikariPoolProbe {
  private HikariPoolProbe() {}

  /** Returns active, idle, pending, total and max, or an empty map when the data source is not a Hikari pool. */
  static Map<String, Object> stats(DataSource ds) {
    HikariDataSource hikari = unwrap(ds);
    if (hikari == null) {
      return Map.of();
    }
    HikariPoolMXBean pool = hikari.getHikariPoolMXBean();
    if (pool == null) {
      return Map.of();
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("active", pool.getActiveConnections());
    m.put("idle", pool.getIdleConnections());
    m.put("pending", pool.getThreadsAwaitingConnection());
    m.put("total", pool.getTotalConnections());
    m.put("max", hikari.getMaximumPoolSize());
    return m;
  }

  /** Saturated: every allowed connection is busy and threads wait for one. */
  static boolean isSaturated(Map<String, Object> stats) {
    if (stats.isEmpty()) {
      return false;
    }
    int active = (Integer) stats.get("active");
    int max = (Integer) stats.get("max");
    int pending = (Integer) stats.get("pending");
    return pending > 0 && active >= max;
  }

  private static HikariDataSource unwrap(DataSource ds) {
    if (ds instanceof HikariDataSource) {
      return (HikariDataSource) ds;
    }
    try {
      return ds.isWrapperFor(HikariDataSource.class) ? ds.unwrap(HikariDataSource.class) : null;
    } catch (SQLException e) {
      return null;
    }
  }
}
