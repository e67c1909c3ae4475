package io.vtp.testkit;

import io.vtp.testkit.internal.ServerProcess;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One real PostgreSQL server for tests: started by the testkit from the machine's binaries (then fault hooks
 * work), named by {@code VTP_TEST_DATABASE_URL}, or run in a container.
 *
 * <p>Thread-safe.
 */
public final class PostgresServer {
  private final String host;
  private final int port;
  private final String adminDatabase;
  private final String user;
  private final String password;
  private final ServerProcess process;
  private final Runnable onClose;

  PostgresServer(String host, int port, String adminDatabase, String user, String password, ServerProcess process,
      Runnable onClose) {
    this.host = Objects.requireNonNull(host, "host");
    this.port = port;
    this.adminDatabase = Objects.requireNonNull(adminDatabase, "adminDatabase");
    this.user = Objects.requireNonNull(user, "user");
    this.password = password == null ? "" : password;
    this.process = process;
    this.onClose = onClose;
  }

  /**
   * Returns the host, e.g. {@code 127.0.0.1}.
   *
   * @return the host, e.g. {@code 127.0.0.1}; never {@code null}
   */
  public String host() {
    return host;
  }

  /**
   * Returns the TCP port.
   *
   * @return the TCP port
   */
  public int port() {
    return port;
  }

  /**
   * Returns the user tests connect as.
   *
   * @return the user tests connect as; never {@code null}
   */
  public String user() {
    return user;
  }

  /**
   * Returns that user's password (empty when the server trusts loopback connections).
   *
   * @return that user's password (empty when the server trusts loopback connections); never {@code null}
   */
  public String password() {
    return password;
  }

  /**
   * Returns the JDBC URL of a database on this server.
   *
   * @param database the database name; not {@code null}
   * @return a {@code jdbc:postgresql://} URL; never {@code null}
   * @throws NullPointerException when {@code database} is {@code null}
   */
  public String jdbcUrl(String database) {
    return "jdbc:postgresql://" + host + ":" + port + "/" + Objects.requireNonNull(database, "database");
  }

  /**
   * Creates a new, empty database with a unique name that starts with the given prefix. The caller closes it
   * to drop it.
   *
   * @param prefix a readable prefix, e.g. the test class name; non-alphanumerics are replaced; not {@code null}
   * @return the new database; never {@code null}
   * @throws NullPointerException when {@code prefix} is {@code null}
   * @throws TestkitException when the server refuses
   */
  public PostgresDatabase createDatabase(String prefix) {
    String clean = Objects.requireNonNull(prefix, "prefix").toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "_");
    if (clean.length() > 40) {
      clean = clean.substring(clean.length() - 40);
    }
    String name = "t_" + clean + "_" + Long.toString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE, 36);
    execute("CREATE DATABASE \"" + name + "\"");
    return new PostgresDatabase(this, name);
  }

  void dropDatabase(String name) {
    execute("DROP DATABASE IF EXISTS \"" + name + "\" WITH (FORCE)");
  }

  private void execute(String sql) {
    try (Connection c = connect(adminDatabase, Duration.ofSeconds(10)); Statement s = c.createStatement()) {
      s.execute(sql);
    } catch (SQLException e) {
      throw new TestkitException(this + ": " + sql + " failed: " + e.getMessage(), e);
    }
  }

  /**
   * Opens a JDBC connection with the given login timeout.
   *
   * @param database the database; not {@code null}
   * @param timeout connect and socket timeout; not {@code null}
   * @return an open connection the caller closes; never {@code null}
   * @throws NullPointerException when an argument is {@code null}
   * @throws SQLException when the server does not accept it
   */
  public Connection connect(String database, Duration timeout) throws SQLException {
    Objects.requireNonNull(database, "database");
    Objects.requireNonNull(timeout, "timeout");
    Properties props = new Properties();
    props.setProperty("user", user);
    props.setProperty("password", password);
    props.setProperty("connectTimeout", Long.toString(Math.max(1, timeout.toSeconds())));
    props.setProperty("socketTimeout", Long.toString(Math.max(1, timeout.toSeconds())));
    props.setProperty("loginTimeout", Long.toString(Math.max(1, timeout.toSeconds())));
    return DriverManager.getConnection(jdbcUrl(database), props);
  }

  /**
   * Returns whether the server accepts a connection and answers {@code SELECT 1} within 1 s.
   *
   * @return whether the server accepts a connection and answers {@code SELECT 1} within 1 s
   */
  public boolean isAnswering() {
    try (Connection c = connect(adminDatabase, Duration.ofSeconds(1)); Statement s = c.createStatement()) {
      s.execute("SELECT 1");
      return true;
    } catch (SQLException e) {
      return false;
    }
  }

  /**
   * Returns whether the testkit started this server (so the fault hooks work).
   *
   * @return whether the testkit started this server (so the fault hooks work)
   */
  public boolean isManaged() {
    return process != null;
  }

  /**
   * Returns the postmaster's process id.
   *
   * @return the postmaster's process id
   * @throws TestkitException when not managed (it was not started by the testkit)
   */
  public long pid() {
    return managed("pid").pid();
  }

  /**
   * Freezes the postmaster and every backend with SIGSTOP.
   *
   * @throws TestkitException when not managed (it was not started by the testkit)
   */
  public void pause() {
    managed("pause").pause();
  }

  /**
   * Thaws a paused server with SIGCONT.
   *
   * @throws TestkitException when not managed (it was not started by the testkit)
   */
  public void resume() {
    managed("resume").resume();
  }

  /**
   * Kills the postmaster and its backends with SIGKILL.
   *
   * @throws TestkitException when not managed (it was not started by the testkit)
   */
  public void kill() {
    managed("kill").kill();
  }

  /**
   * Stops the server with a fast shutdown (SIGINT).
   *
   * @throws TestkitException when not managed (it was not started by the testkit)
   */
  public void stop() {
    managed("stop").stop("INT");
  }

  /**
   * Starts a stopped or killed server again on the same port and data directory and waits until it answers.
   *
   * @throws TestkitException when not managed or it does not answer within 30 s
   */
  public void start() {
    ServerProcess p = managed("start");
    Instant deadline = Instant.now().plusSeconds(30);
    p.start();
    while (Instant.now().isBefore(deadline)) {
      if (isAnswering()) {
        return;
      }
      if (!p.isAlive()) {
        // A just-killed server's shared memory may still be held by exiting backends: try again.
        RedisServer.sleep(200);
        p.start();
      }
      RedisServer.sleep(50);
    }
    throw new TestkitException(this + " did not accept connections within 30 s; see its log");
  }

  void awaitAnswering(Duration timeout) {
    Instant deadline = Instant.now().plus(timeout);
    while (Instant.now().isBefore(deadline)) {
      if (isAnswering()) {
        return;
      }
      if (process != null && !process.isAlive()) {
        throw new TestkitException(this + " exited while starting; see its log");
      }
      RedisServer.sleep(50);
    }
    throw new TestkitException(this + " did not accept connections within " + timeout);
  }

  void close() {
    if (process != null) {
      process.stop("INT");
    }
    if (onClose != null) {
      onClose.run();
    }
  }

  private ServerProcess managed(String operation) {
    if (process == null) {
      throw new TestkitException("cannot " + operation + " " + this + ": the testkit did not start it "
          + "(it came from VTP_TEST_DATABASE_URL or a container); use @Dedicated to get a server the testkit owns");
    }
    return process;
  }

  @Override
  public String toString() {
    return "postgresql " + host + ":" + port + (process == null ? " (external)" : "");
  }
}
