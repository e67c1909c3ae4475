package io.vtp.testkit;

import io.vtp.testkit.internal.ServerProcess;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.exceptions.JedisException;

/**
 * One real Redis server for tests: started by the testkit (then fault hooks work) or named by
 * {@code VTP_TEST_REDIS_URL} or run in a container (then they throw).
 *
 * <p>Thread-safe. Clients made by {@link #newClient()} belong to the caller, who closes them.
 */
public final class RedisServer implements RedisDeployment {
  private final String host;
  private final int port;
  private final String password;
  private final ServerProcess process; // null when not managed by the testkit
  private final Runnable onClose;

  RedisServer(String host, int port, String password, ServerProcess process, Runnable onClose) {
    this.host = Objects.requireNonNull(host, "host");
    this.port = port;
    this.password = password;
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
   * Returns host and port for Jedis.
   *
   * @return host and port for Jedis; never {@code null}
   */
  public HostAndPort hostAndPort() {
    return new HostAndPort(host, port);
  }

  /**
   * Returns the {@code redis://host:port} URI (with the password, if the server has one).
   *
   * @return the {@code redis://host:port} URI (with the password, if the server has one); never {@code null}
   */
  public URI uri() {
    return URI.create("redis://" + (password == null ? "" : ":" + password + "@") + host + ":" + port);
  }

  /**
   * Returns a client configuration with finite timeouts (connect and read 2 s).
   *
   * @return the configuration; never {@code null}
   */
  public JedisClientConfig clientConfig() {
    return clientConfig(Duration.ofSeconds(2));
  }

  /**
   * Returns a client configuration with the given connect and read timeout.
   *
   * @param timeout connect and socket timeout; positive, not {@code null}
   * @return the configuration; never {@code null}
   * @throws NullPointerException when {@code timeout} is {@code null}
   */
  public JedisClientConfig clientConfig(Duration timeout) {
    int millis = Math.toIntExact(Objects.requireNonNull(timeout, "timeout").toMillis());
    DefaultJedisClientConfig.Builder b = DefaultJedisClientConfig.builder()
        .connectionTimeoutMillis(millis)
        .socketTimeoutMillis(millis);
    if (password != null) {
      b.password(password);
    }
    return b.build();
  }

  /**
   * Creates a new pooled client to this server with 2 s timeouts. The caller closes it.
   *
   * @return a new client; never {@code null}
   */
  @Override
  public RedisClient newClient() {
    return RedisClient.builder().hostAndPort(hostAndPort()).clientConfig(clientConfig()).build();
  }

  /**
   * Returns how many times each command ran on this server since start or {@link #resetStats()}, from
   * {@code INFO commandstats}: lower-case command name (subcommands as {@code config|resetstat}) to calls.
   * The {@code INFO} call that reads them is itself counted by the next read.
   *
   * @return an ordered map; never {@code null}
   */
  @Override
  public Map<String, Long> commandCalls() {
    try (Jedis admin = admin()) {
      return parseCommandStats(admin.info("commandstats"));
    }
  }

  /** Resets the server's statistics ({@code CONFIG RESETSTAT}). */
  @Override
  public void resetStats() {
    try (Jedis admin = admin()) {
      admin.configResetStat();
    }
  }

  /**
   * Returns the server's number of keys in database 0.
   *
   * @return the server's number of keys in database 0
   */
  public long dbSize() {
    try (Jedis admin = admin()) {
      return admin.dbSize();
    }
  }

  /**
   * Returns whether the server answers {@code PING} within 1 s.
   *
   * @return whether the server answers {@code PING} within 1 s
   */
  public boolean isAnswering() {
    try (Jedis j = new Jedis(hostAndPort(), clientConfig(Duration.ofSeconds(1)))) {
      return "PONG".equals(j.ping());
    } catch (JedisException e) {
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
   * Returns the server's process id.
   *
   * @return the server's process id
   * @throws TestkitException when not {@linkplain #isManaged() managed}
   */
  public long pid() {
    return managed("pid").pid();
  }

  /**
   * Freezes the server with SIGSTOP: connections stay open, nothing answers.
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
   * Kills the server with SIGKILL (no persistence on exit).
   *
   * @throws TestkitException when not managed (it was not started by the testkit)
   */
  public void kill() {
    managed("kill").kill();
  }

  /**
   * Stops the server cleanly (SIGTERM).
   *
   * @throws TestkitException when not managed (it was not started by the testkit)
   */
  public void stop() {
    managed("stop").stop("TERM");
  }

  /**
   * Starts a stopped or killed server again on the same port and directory and waits until it answers.
   *
   * @throws TestkitException when not managed or it does not answer within 10 s
   */
  public void start() {
    managed("start").start();
    awaitAnswering(Duration.ofSeconds(10));
  }

  /**
   * Waits until the server answers {@code PING}.
   *
   * @param timeout how long to wait; not {@code null}
   * @throws NullPointerException when {@code timeout} is {@code null}
   * @throws TestkitException when it does not answer in time, or it exits while starting
   */
  public void awaitAnswering(Duration timeout) {
    Instant deadline = Instant.now().plus(Objects.requireNonNull(timeout, "timeout"));
    while (Instant.now().isBefore(deadline)) {
      if (isAnswering()) {
        return;
      }
      if (process != null && !process.isAlive()) {
        throw new TestkitException(this + " exited while starting; see its log");
      }
      sleep(20);
    }
    throw new TestkitException(this + " did not answer PING within " + timeout);
  }

  void close() {
    if (process != null) {
      process.kill();
    }
    if (onClose != null) {
      onClose.run();
    }
  }

  Jedis admin() {
    return new Jedis(hostAndPort(), clientConfig(Duration.ofSeconds(5)));
  }

  private ServerProcess managed(String operation) {
    if (process == null) {
      throw new TestkitException("cannot " + operation + " " + this + ": the testkit did not start it "
          + "(it came from VTP_TEST_REDIS_URL or a container); use @Dedicated to get a server the testkit owns");
    }
    return process;
  }

  static Map<String, Long> parseCommandStats(String info) {
    Map<String, Long> calls = new LinkedHashMap<>();
    for (String line : info.split("\r?\n")) {
      if (!line.startsWith("cmdstat_")) {
        continue;
      }
      int colon = line.indexOf(':');
      String command = line.substring("cmdstat_".length(), colon);
      for (String field : line.substring(colon + 1).split(",")) {
        if (field.startsWith("calls=")) {
          calls.put(command, Long.parseLong(field.substring("calls=".length())));
        }
      }
    }
    return calls;
  }

  static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TestkitException("interrupted while waiting", e);
    }
  }

  @Override
  public int slotCount(Collection<String> keys) {
    return keys.isEmpty() ? 0 : 1;
  }

  @Override
  public String toString() {
    return "redis " + host + ":" + port + (process == null ? " (external)" : "");
  }
}
