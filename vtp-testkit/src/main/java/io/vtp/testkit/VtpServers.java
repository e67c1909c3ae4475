package io.vtp.testkit;

import java.util.Set;
import java.util.function.Supplier;
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
 * <p>Stateless (everything lives in JUnit's extension store, and {@link TestServers} starts servers under its own
 * lock), so one instance may serve parallel test classes.
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
        return dedicated ? stored(classStore, key, () -> owned(servers, servers.startRedis())) : servers.redis();
      }
      if (type == RedisCluster.class) {
        return dedicated ? stored(classStore, key, () -> owned(servers, servers.startRedisCluster()))
            : servers.redisCluster();
      }
      if (type == PostgresServer.class) {
        return dedicated ? dedicatedPostgres(classStore, servers) : servers.postgres();
      }
      if (type == PostgresDatabase.class) {
        String label = classContext.getRequiredTestClass().getSimpleName();
        return stored(classStore, key, () -> {
          PostgresDatabase db = (dedicated ? dedicatedPostgres(classStore, servers) : servers.postgres())
              .createDatabase(label);
          return new Closing<>(db, db::close);
        });
      }
      return stored(classStore, key, () -> {
        KeyNamespace ns = KeyNamespace.create(classContext.getRequiredTestClass().getSimpleName());
        return new Closing<>(ns, () -> cleanNamespace(servers, ns));
      });
    } catch (TestkitException e) {
      throw new ParameterResolutionException(e.getMessage(), e);
    }
  }

  private static PostgresServer dedicatedPostgres(ExtensionContext.Store classStore, TestServers servers) {
    return (PostgresServer) stored(classStore, PostgresServer.class.getName() + "#dedicated",
        () -> owned(servers, servers.startPostgres()));
  }

  private static TestServers servers(ExtensionContext context) {
    return (TestServers) stored(context.getRoot().getStore(NAMESPACE), TestServers.class.getName(), () -> {
      TestServers servers = TestServers.create();
      return new Closing<>(servers, servers::close);
    });
  }

  /**
   * Returns the value stored under {@code key}, creating it on first use; the store closes it with its scope.
   * {@code getOrComputeIfAbsent} is deprecated in JUnit 6, whose replacement ({@code computeIfAbsent}) JUnit
   * 5.10-5.14 lack: the testkit uses what both generations have.
   */
  @SuppressWarnings("deprecation")
  private static Object stored(ExtensionContext.Store store, String key, Supplier<Closing<?>> create) {
    return store.getOrComputeIfAbsent(key, k -> create.get(), Closing.class).value;
  }

  /** A dedicated server, stopped when its scope's store closes. */
  private static <T> Closing<T> owned(TestServers servers, T server) {
    return new Closing<>(server, () -> servers.stop(server));
  }

  /** Deletes a class's keys from the shared servers that were started, then closes the namespace. */
  private static void cleanNamespace(TestServers servers, KeyNamespace namespace) {
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

  private static ExtensionContext classContext(ExtensionContext context) {
    ExtensionContext c = context;
    while (c.getTestMethod().isPresent() && c.getParent().isPresent()) {
      c = c.getParent().get();
    }
    return c;
  }

  /**
   * A store value and how to close it. JUnit 5.13+ closes stored {@link AutoCloseable} values, JUnit 5.10-5.12 only
   * {@code CloseableResource} ones: this implements both, and JUnit closes each value once.
   */
  @SuppressWarnings("deprecation")
  private static final class Closing<T> implements AutoCloseable, ExtensionContext.Store.CloseableResource {
    final T value;
    private final Runnable closer;

    Closing(T value, Runnable closer) {
      this.value = value;
      this.closer = closer;
    }

    @Override
    public void close() {
      closer.run();
    }
  }
}
