package io.vtp.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VtpServers.class)
class PostgresIT {

  @Test
  void database_isOwnAndUsable(PostgresDatabase db) throws SQLException {
    assertThat(db.name()).startsWith("t_postgresit_");
    try (Connection c = db.connect(); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE IF NOT EXISTS probe (id int primary key)");
      s.execute("INSERT INTO probe VALUES (1) ON CONFLICT DO NOTHING");
      try (ResultSet rs = s.executeQuery("SELECT current_database(), count(*) FROM probe")) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getString(1)).isEqualTo(db.name());
        assertThat(rs.getLong(2)).isEqualTo(1);
      }
    }
  }

  @Test
  void database_isTheSameForEveryMethodOfTheClass(PostgresDatabase db) throws SQLException {
    try (Connection c = db.connect(); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE IF NOT EXISTS probe (id int primary key)");
      s.execute("INSERT INTO probe VALUES (1) ON CONFLICT DO NOTHING");
      try (ResultSet rs = s.executeQuery("SELECT count(*) FROM probe")) {
        rs.next();
        assertThat(rs.getLong(1)).isEqualTo(1);
      }
    }
  }

  @Test
  void pause_hangsQueriesUntilResumed(@Dedicated PostgresServer pg) throws SQLException {
    try (Connection c = pg.connect("postgres", java.time.Duration.ofSeconds(1)); Statement s = c.createStatement()) {
      s.setQueryTimeout(1);
      s.execute("SELECT 1");
      pg.pause();
      try {
        assertThatThrownBy(() -> s.execute("SELECT 1")).isInstanceOf(SQLException.class);
        assertThat(pg.isAnswering()).isFalse();
      } finally {
        pg.resume();
      }
    }
    assertThat(pg.isAnswering()).isTrue();
  }

  @Test
  void stopThenStart_acceptsConnectionsAgain(@Dedicated PostgresServer pg) {
    pg.stop();
    assertThat(pg.isAnswering()).isFalse();
    pg.start();
    assertThat(pg.isAnswering()).isTrue();
    pg.kill();
    assertThat(pg.isAnswering()).isFalse();
    pg.start();
    assertThat(pg.isAnswering()).isTrue();
  }
}
