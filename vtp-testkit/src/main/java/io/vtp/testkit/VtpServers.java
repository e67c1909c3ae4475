package io.vtp.testkit;

import java.util.Set;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension that injects real servers into test constructors, {@code @BeforeAll} and test methods.
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

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    Class<?> type = parameter.getParameter().getType();
    boolean dedicated = parameter.isAnnotated(Dedicated.class);
    ExtensionContext classContext = classContext(context);
    ExtensionContext.Store classStore = classContext.getStore(NAMESPACE);
    TestServers servers = servers(context);
    String key = type.getName() + (dedicated ? "#dedicated" : "");
    try {
      if (type == RedisServer.class) {
        return dedicated ? classStore.computeIfAbsent(key, k -> new Owned<>(servers, servers.startRedis()), Owned.class).value
            : servers.redis();
      }
      if (type == RedisCluster.class) {
        return dedicated ? classStore.computeIfAbsent(key, k -> new Owned<>(servers, servers.startRedisCluster()), Owned.class).value
            : servers.redisCluster();
      }
      if (type == PostgresServer.class) {
        return dedicated ? dedicatedPostgres(classStore, servers) : servers.postgres();
      }
      if (type == PostgresDatabase.class) {
        String label = classContext.getRequiredTestClass().getSimpleName();
        return classStore.computeIfAbsent(key, k -> (dedicated ? dedicatedPostgres(classStore, servers)
            : servers.postgres()).createDatabase(label), PostgresDatabase.class);
      }
      return classStore.computeIfAbsent(key, k -> new SharedNamespace(servers,
          KeyNamespace.create(classContext.getRequiredTestClass().getSimpleName())), SharedNamespace.class).namespace;
    } catch (TestkitException e) {
      throw new ParameterResolutionException(e.getMessage(), e);
    }
  }

  private static PostgresServer dedicatedPostgres(ExtensionContext.Store classStore, TestServers servers) {
    return (PostgresServer) classStore.computeIfAbsent(PostgresServer.class.getName() + "#dedicated",
        k -> new Owned<>(servers, servers.startPostgres()), Owned.class).value;
  }

  private static TestServers servers(ExtensionContext context) {
    return context.getRoot().getStore(NAMESPACE)
        .computeIfAbsent(TestServers.class, k -> TestServers.create(), TestServers.class);
  }

  private static ExtensionContext classContext(ExtensionContext context) {
    ExtensionContext c = context;
    while (c.getTestMethod().isPresent() && c.getParent().isPresent()) {
      c = c.getParent().get();
    }
    return c;
  }

  /** A dedicated server, stopped when the class's store closes. */
  private static final class Owned<T> implements AutoCloseable {
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
  private static final class SharedNamespace implements AutoCloseable {
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
