package io.vtp.testkit;

import io.vtp.testkit.internal.Binaries;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives tests real servers: a standalone Redis, a 3-master Redis Cluster and PostgreSQL.
 *
 * <p>Resolution, in order, for each kind of server:
 * <ol>
 *   <li>an explicit address from the environment: {@value #REDIS_URL_ENV} ({@code redis://[:password@]host:port}),
 *       {@value #REDIS_CLUSTER_ENV} ({@code host:port,host:port,...}) and {@value #DATABASE_URL_ENV}
 *       ({@code postgresql://user:password@host:port/database}; the user needs {@code CREATEDB});</li>
 *   <li>server binaries on this machine ({@code redis-server}; PostgreSQL's {@code initdb} and {@code postgres},
 *       run as the {@code postgres} user when the JVM is root), started as child processes on free loopback
 *       ports in temporary directories;</li>
 *   <li>Testcontainers, when it is on the class path and a Docker engine answers (standalone Redis and
 *       PostgreSQL only);</li>
 *   <li>otherwise a {@link TestkitException} that says what to install or set.</li>
 * </ol>
 *
 * <p>Shared servers ({@link #redis()}, {@link #redisCluster()}, {@link #postgres()}) start on first use and live
 * until {@link #close()}. Dedicated servers ({@code start...}) are always started by the testkit, so their fault
 * hooks work; the caller may close them early with {@link #stop(Object)}, and {@link #close()} stops whatever is
 * left. A JVM shutdown hook stops everything too, so no server outlives the test run.
 *
 * <p>Thread-safe. In JUnit 5, use the {@link VtpServers} extension rather than creating one directly.
 */
public final class TestServers implements AutoCloseable {
  /** Environment variable with the URL of an existing Redis to use instead of starting one. */
  public static final String REDIS_URL_ENV = "VTP_TEST_REDIS_URL";
  /** Environment variable with a comma list of an existing Redis Cluster's nodes. */
  public static final String REDIS_CLUSTER_ENV = "VTP_TEST_REDIS_CLUSTER";
  /** Environment variable with the URL of an existing PostgreSQL database (its user needs CREATEDB). */
  public static final String DATABASE_URL_ENV = "VTP_TEST_DATABASE_URL";

  private static final Logger LOG = LoggerFactory.getLogger(TestServers.class);

  private final Map<String, String> env;
  private final List<Runnable> closers = new ArrayList<>();
  private final Thread shutdownHook;
  private RedisServer redis;
  private RedisCluster cluster;
  private PostgresServer postgres;
  private Containers containers;
  private boolean closed;

  private TestServers(Map<String, String> env) {
    this.env = Map.copyOf(env);
    this.shutdownHook = new Thread(this::closeQuietly, "vtp-testkit-shutdown");
    Runtime.getRuntime().addShutdownHook(shutdownHook);
  }

  /**
   * Creates a server provider that reads the process environment.
   *
   * @return a new provider; the caller closes it; never {@code null}
   */
  public static TestServers create() {
    return new TestServers(System.getenv());
  }

  /**
   * Creates a server provider that reads the given environment instead of the process's.
   *
   * @param env environment variables; not {@code null}
   * @return a new provider; the caller closes it; never {@code null}
   * @throws NullPointerException when {@code env} is {@code null}
   */
  public static TestServers create(Map<String, String> env) {
    return new TestServers(Objects.requireNonNull(env, "env"));
  }

  /**
   * Returns the shared standalone Redis, starting it on first use.
   *
   * @return the server; never {@code null}
   * @throws TestkitException when no Redis can be had; the message says what to install or set
   */
  public synchronized RedisServer redis() {
    ensureOpen();
    if (redis == null) {
      String url = env.get(REDIS_URL_ENV);
      if (url != null && !url.isBlank()) {
        redis = externalRedis(url);
      } else if (Binaries.redisServer().isPresent()) {
        redis = track(Launchers.startRedis(List.of(), false, null));
      } else if (containers().isPresent()) {
        redis = containers.redis();
      } else {
        throw new TestkitException("no Redis for tests: install redis-server " + Launchers.INSTALL_HINT
            + ", or set " + REDIS_URL_ENV + "=redis://host:port, or start a Docker engine for Testcontainers");
      }
      LOG.info("tests use {}", redis);
    }
    return redis;
  }

  /**
   * Returns the shared 3-master Redis Cluster, starting it on first use.
   *
   * @return the cluster; never {@code null}
   * @throws TestkitException when no cluster can be had; the message says what to install or set
   */
  public synchronized RedisCluster redisCluster() {
    ensureOpen();
    if (cluster == null) {
      String nodes = env.get(REDIS_CLUSTER_ENV);
      if (nodes != null && !nodes.isBlank()) {
        cluster = externalCluster(nodes);
      } else {
        cluster = startRedisCluster();
      }
      LOG.info("tests use {}", cluster);
    }
    return cluster;
  }

  /**
   * Returns the shared PostgreSQL server, starting it on first use.
   *
   * @return the server; never {@code null}
   * @throws TestkitException when no PostgreSQL can be had; the message says what to install or set
   */
  public synchronized PostgresServer postgres() {
    ensureOpen();
    if (postgres == null) {
      String url = env.get(DATABASE_URL_ENV);
      if (url != null && !url.isBlank()) {
        postgres = externalPostgres(url);
      } else if (Binaries.postgresBinDir().isPresent()) {
        postgres = track(Launchers.startPostgres());
      } else if (containers().isPresent()) {
        postgres = containers.postgres();
      } else {
        throw new TestkitException("no PostgreSQL for tests: install postgresql-15 " + Launchers.INSTALL_HINT
            + ", or set " + DATABASE_URL_ENV + "=postgresql://user:password@host:port/db, or start a Docker "
            + "engine for Testcontainers");
      }
      LOG.info("tests use {}", postgres);
    }
    return postgres;
  }

  /**
   * Returns the shared Redis if it was started, or {@code null}.
   *
   * @return the shared Redis if it was started, or {@code null}
   */
  synchronized RedisServer redisIfStarted() {
    return redis;
  }

  /**
   * Returns the shared Redis Cluster if it was started, or {@code null}.
   *
   * @return the shared Redis Cluster if it was started, or {@code null}
   */
  synchronized RedisCluster redisClusterIfStarted() {
    return cluster;
  }

  /**
   * Starts a Redis server owned by the caller, from the machine's {@code redis-server}, so its fault hooks work.
   *
   * @return a new, answering server; never {@code null}
   * @throws TestkitException when there is no {@code redis-server} binary
   */
  public synchronized RedisServer startRedis() {
    ensureOpen();
    return track(Launchers.startRedis(List.of(), false, null));
  }

  /**
   * Starts a 3-master Redis Cluster owned by the caller, with a 2 s node timeout.
   *
   * @return a new cluster in state {@code ok}; never {@code null}
   * @throws TestkitException when there is no {@code redis-server} binary
   */
  public synchronized RedisCluster startRedisCluster() {
    return startRedisCluster(Duration.ofSeconds(2));
  }

  /**
   * Starts a 3-master Redis Cluster owned by the caller.
   *
   * @param nodeTimeout {@code cluster-node-timeout}: how long a silent master takes to be marked failed; not
   *     {@code null}
   * @return a new cluster in state {@code ok}; never {@code null}
   * @throws NullPointerException when {@code nodeTimeout} is {@code null}
   * @throws TestkitException when there is no {@code redis-server} binary
   */
  public synchronized RedisCluster startRedisCluster(Duration nodeTimeout) {
    Objects.requireNonNull(nodeTimeout, "nodeTimeout");
    ensureOpen();
    if (Binaries.redisServer().isEmpty()) {
      throw new TestkitException("no Redis Cluster for tests: install redis-server " + Launchers.INSTALL_HINT
          + ", or set " + REDIS_CLUSTER_ENV + "=host:port,host:port,host:port");
    }
    RedisCluster started = Launchers.startRedisCluster(nodeTimeout);
    closers.add(started::close);
    return started;
  }

  /**
   * Starts a PostgreSQL server owned by the caller, from the machine's binaries, so its fault hooks work.
   *
   * @return a new, answering server; never {@code null}
   * @throws TestkitException when there are no PostgreSQL binaries
   */
  public synchronized PostgresServer startPostgres() {
    ensureOpen();
    return track(Launchers.startPostgres());
  }

  /**
   * Stops a server or cluster this provider started, before {@link #close()}.
   *
   * @param server a {@link RedisServer}, {@link RedisCluster} or {@link PostgresServer}
   * @throws IllegalArgumentException when {@code server} is none of those (or {@code null})
   */
  public void stop(Object server) {
    if (server instanceof RedisServer) {
      ((RedisServer) server).close();
    } else if (server instanceof RedisCluster) {
      ((RedisCluster) server).close();
    } else if (server instanceof PostgresServer) {
      ((PostgresServer) server).close();
    } else {
      throw new IllegalArgumentException("not a testkit server: " + server);
    }
  }

  /** Stops every server this provider started. Idempotent. */
  @Override
  public void close() {
    closeQuietly();
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException e) {
      // the JVM is already shutting down; the hook is running or ran
    }
  }

  private void closeQuietly() {
    List<Runnable> toRun;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      toRun = new ArrayList<>(closers);
      closers.clear();
    }
    for (int i = toRun.size() - 1; i >= 0; i--) {
      try {
        toRun.get(i).run();
      } catch (RuntimeException e) {
        LOG.warn("stopping a test server failed: {}", e.toString());
      }
    }
    if (containers != null) {
      containers.close();
    }
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("TestServers is closed");
    }
  }

  private RedisServer track(RedisServer server) {
    closers.add(server::close);
    return server;
  }

  private PostgresServer track(PostgresServer server) {
    closers.add(server::close);
    return server;
  }

  private java.util.Optional<Containers> containers() {
    if (containers == null && Containers.available()) {
      containers = new Containers();
    }
    return java.util.Optional.ofNullable(containers);
  }

  static RedisServer externalRedis(String url) {
    URI uri = URI.create(url.trim());
    if (!"redis".equals(uri.getScheme()) || uri.getHost() == null) {
      throw new TestkitException(REDIS_URL_ENV + " must look like redis://[:password@]host:port but was " + url);
    }
    String password = null;
    if (uri.getUserInfo() != null) {
      String info = uri.getUserInfo();
      password = info.contains(":") ? info.substring(info.indexOf(':') + 1) : info;
    }
    return new RedisServer(uri.getHost(), uri.getPort() < 0 ? 6379 : uri.getPort(), password, null, null);
  }

  static RedisCluster externalCluster(String nodes) {
    List<RedisServer> servers = new ArrayList<>();
    for (String node : nodes.split(",")) {
      String n = node.trim();
      int colon = n.lastIndexOf(':');
      if (colon <= 0) {
        throw new TestkitException(REDIS_CLUSTER_ENV + " must be a comma list of host:port but was " + nodes);
      }
      servers.add(new RedisServer(n.substring(0, colon), Integer.parseInt(n.substring(colon + 1)), null, null, null));
    }
    return new RedisCluster(servers);
  }

  static PostgresServer externalPostgres(String url) {
    String u = url.trim();
    if (u.startsWith("jdbc:")) {
      u = u.substring("jdbc:".length());
    }
    URI uri = URI.create(u);
    if (!("postgresql".equals(uri.getScheme()) || "postgres".equals(uri.getScheme())) || uri.getHost() == null) {
      throw new TestkitException(DATABASE_URL_ENV + " must look like postgresql://user:password@host:port/db but was "
          + "a URL with scheme " + uri.getScheme());
    }
    String user = "postgres";
    String password = "";
    if (uri.getUserInfo() != null) {
      String[] parts = uri.getUserInfo().split(":", 2);
      user = parts[0];
      password = parts.length > 1 ? parts[1] : "";
    }
    String db = uri.getPath() == null || uri.getPath().length() <= 1 ? "postgres" : uri.getPath().substring(1);
    return new PostgresServer(uri.getHost(), uri.getPort() < 0 ? 5432 : uri.getPort(), db, user, password, null, null);
  }
}
