package io.vtp.testkit;

import java.util.Set;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit Jupiter extension (JUnit 5.10 and later, and JUnit 6) that injects real servers into test constructors, {@code @BeforeAll} and test methods.
 *
 * <p>Resolvable parameter types:
 * <ul>
 *   <li>{@link RedisServer}: the run-wide shared Redis (with {@link Dedicated}: one for this class only);</li>
 *   <li>{@link RedisCluster}: the run-wide shared 3-master cluster (with {@link Dedicated}: this class's own);</li>
 *   <li>{@link PostgresServer}: the shared PostgreSQL server (with {@link Dedicated}: this class's own);</li>
 *   <li>{@link PostgresDatabase}: a database of this test class's own, dropped after the class (with
 *       {@link Dedicated}: on a server of its own);</li>
 *   <li>{@link KeyNamespace}: a Redis key prefix of this class's own; its keys are deleted from the shared
 *       Redis and cluster after the class.</li>
 * </ul>
 * Shared servers start once per test run (JVM) and stop when it ends; per-class resources are the same for every
 * method of the class.
 *
 * <pre>{@code
 * @ExtendWith(VtpServers.class)
 * class MyIT {
 *   @Test
 *   void works(RedisServer redis, KeyNamespace ns) {
 *     try (RedisClient client = redis.newClient()) {
 *       client.set(ns.key("a"), "1");
 *     }
 *   }
 * }
 * }</pre>
 */
public final class VtpServers implements ParameterResolver {
  private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(VtpServers.class);
  private static final Set<Class<?>> TYPES = Set.of(RedisServer.class, RedisCluster.class, PostgresServer.class,
      PostgresDatabase.class, KeyNamespace.class);

  /** Creates the extension; JUnit calls this. */
  public VtpServers() {}

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return TYPES.contains(parameter.getParameter().getType());
  }

  // getOrComputeIfAbsent and CloseableResource are deprecated in JUnit 6, whose replacements (computeIfAbsent,
  // AutoCloseable values) JUnit 5.10-5.12 lack: the testkit uses what both generations have.
  @Override
  @SuppressWarnings("deprecation")
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    Class<?> type = parameter.getParameter().getType();
    boolean dedicated = parameter.isAnnotated(Dedicated.class);
    ExtensionContext classContext = classContext(context);
    ExtensionContext.Store classStore = classContext.getStore(NAMESPACE);
    TestServers servers = servers(context);
    String key = type.getName() + (dedicated ? "#dedicated" : "");
    try {
      if (type == RedisServer.class) {
        return dedicated ? classStore.getOrComputeIfAbsent(key, k -> new Owned<>(servers, servers.startRedis()), Owned.class).value
            : servers.redis();
      }
      if (type == RedisCluster.class) {
        return dedicated ? classStore.getOrComputeIfAbsent(key, k -> new Owned<>(servers, servers.startRedisCluster()), Owned.class).value
            : servers.redisCluster();
      }
      if (type == PostgresServer.class) {
        return dedicated ? dedicatedPostgres(classStore, servers) : servers.postgres();
      }
      if (type == PostgresDatabase.class) {
        String label = classContext.getRequiredTestClass().getSimpleName();
        return classStore.getOrComputeIfAbsent(key, k -> new ClassDatabase((dedicated
            ? dedicatedPostgres(classStore, servers) : servers.postgres()).createDatabase(label)), ClassDatabase.class)
            .database;
      }
      return classStore.getOrComputeIfAbsent(key, k -> new SharedNamespace(servers,
          KeyNamespace.create(classContext.getRequiredTestClass().getSimpleName())), SharedNamespace.class).namespace;
    } catch (TestkitException e) {
      throw new ParameterResolutionException(e.getMessage(), e);
    }
  }

  @SuppressWarnings("deprecation")
  private static PostgresServer dedicatedPostgres(ExtensionContext.Store classStore, TestServers servers) {
    return (PostgresServer) classStore.getOrComputeIfAbsent(PostgresServer.class.getName() + "#dedicated",
        k -> new Owned<>(servers, servers.startPostgres()), Owned.class).value;
  }

  @SuppressWarnings("deprecation")
  private static TestServers servers(ExtensionContext context) {
    return context.getRoot().getStore(NAMESPACE)
        .getOrComputeIfAbsent(TestServers.class, k -> new RunServers(TestServers.create()), RunServers.class).servers;
  }

  private static ExtensionContext classContext(ExtensionContext context) {
    ExtensionContext c = context;
    while (c.getTestMethod().isPresent() && c.getParent().isPresent()) {
      c = c.getParent().get();
    }
    return c;
  }

  /**
   * The run-wide servers in the root store. JUnit 5.13+ closes stored {@link AutoCloseable} values, JUnit 5.10-5.12
   * only {@code CloseableResource} ones: store values implement both, and JUnit closes each once.
   */
  @SuppressWarnings("deprecation")
  private static final class RunServers implements AutoCloseable, ExtensionContext.Store.CloseableResource {
    final TestServers servers;

    RunServers(TestServers servers) {
      this.servers = servers;
    }

    @Override
    public void close() {
      servers.close();
    }
  }

  /** A test class's database, dropped when the class's store closes. */
  @SuppressWarnings("deprecation")
  private static final class ClassDatabase implements AutoCloseable, ExtensionContext.Store.CloseableResource {
    final PostgresDatabase database;

    ClassDatabase(PostgresDatabase database) {
      this.database = database;
    }

    @Override
    public void close() {
      database.close();
    }
  }

  /** A dedicated server, stopped when the class's store closes. */
  @SuppressWarnings("deprecation")
  private static final class Owned<T> implements AutoCloseable, ExtensionContext.Store.CloseableResource {
    final TestServers servers;
    final T value;

    Owned(TestServers servers, T value) {
      this.servers = servers;
      this.value = value;
    }

    @Override
    public void close() {
      servers.stop(value);
    }
  }

  /** A class's key namespace; cleans the shared servers that were started when the class ends. */
  @SuppressWarnings("deprecation")
  private static final class SharedNamespace implements AutoCloseable, ExtensionContext.Store.CloseableResource {
    final TestServers servers;
    final KeyNamespace namespace;

    SharedNamespace(TestServers servers, KeyNamespace namespace) {
      this.servers = servers;
      this.namespace = namespace;
    }

    @Override
    public void close() {
      RedisServer redis = servers.redisIfStarted();
      if (redis != null) {
        namespace.cleanOnClose(redis);
      }
      RedisCluster cluster = servers.redisClusterIfStarted();
      if (cluster != null) {
        namespace.cleanOnClose(cluster);
      }
      namespace.close();
    }
  }
}
