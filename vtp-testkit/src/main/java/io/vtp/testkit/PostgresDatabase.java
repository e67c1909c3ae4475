package io.vtp.testkit;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * A database of its own for one test class, on a real PostgreSQL server. {@link #close()} drops it.
 *
 * <p>Thread-safe.
 */
public final class PostgresDatabase implements AutoCloseable {
  private final PostgresServer server;
  private final String name;

  PostgresDatabase(PostgresServer server, String name) {
    this.server = server;
    this.name = name;
  }

  /**
   * Returns the server this database lives on (for its fault hooks).
   *
   * @return the server this database lives on (for its fault hooks); never {@code null}
   */
  public PostgresServer server() {
    return server;
  }

  /**
   * Returns the database name.
   *
   * @return the database name; never {@code null}
   */
  public String name() {
    return name;
  }

  /**
   * Returns the JDBC URL, without credentials.
   *
   * @return the JDBC URL, without credentials; never {@code null}
   */
  public String jdbcUrl() {
    return server.jdbcUrl(name);
  }

  /**
   * Returns the user to connect as.
   *
   * @return the user to connect as; never {@code null}
   */
  public String user() {
    return server.user();
  }

  /**
   * Returns the password (may be empty).
   *
   * @return the password (may be empty); never {@code null}
   */
  public String password() {
    return server.password();
  }

  /**
   * Returns an unpooled {@link DataSource} for this database with finite connect and socket timeouts (5 s).
   *
   * @return a new data source; never {@code null}
   */
  public DataSource dataSource() {
    PGSimpleDataSource ds = new PGSimpleDataSource();
    ds.setURL(jdbcUrl());
    ds.setUser(user());
    ds.setPassword(password());
    ds.setConnectTimeout(5);
    ds.setSocketTimeout(5);
    ds.setLoginTimeout(5);
    return ds;
  }

  /**
   * Opens a connection to this database.
   *
   * @return an open connection the caller closes; never {@code null}
   * @throws SQLException when the server refuses
   */
  public Connection connect() throws SQLException {
    return server.connect(name, Duration.ofSeconds(5));
  }

  /** Drops the database, closing any connection still open to it. */
  @Override
  public void close() {
    if (server.isAnswering()) {
      server.dropDatabase(name);
    }
  }

  @Override
  public String toString() {
    return "database " + name + " on " + server;
  }
}
