package io.vtp.spring.boot.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.MeterRegistry;
import io.vtp.cache.CacheAside;
import io.vtp.testkit.KeyNamespace;
import io.vtp.testkit.RedisServer;
import io.vtp.testkit.VtpServers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Two instances of one service (two application contexts, two CacheManagers) on one real Redis: what
 * {@code @Cacheable} gets from the vtp-cache CacheManager.
 */
@ExtendWith(VtpServers.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CacheManagerIT {
  private final CacheTestApp.Probe probe = new CacheTestApp.Probe();
  private ConfigurableApplicationContext a;
  private ConfigurableApplicationContext b;

  @BeforeAll
  void startTwoInstances(RedisServer redis, KeyNamespace ns) {
    a = start(redis, ns);
    b = start(redis, ns);
  }

  private ConfigurableApplicationContext start(RedisServer redis, KeyNamespace ns) {
    return new SpringApplicationBuilder(CacheTestApp.class)
        .web(WebApplicationType.NONE)
        .initializers(ctx -> ctx.getBeanFactory().registerSingleton("probe", probe))
        .properties(Map.of(
            "spring.main.banner-mode", "off",
            "vtp.redis.url", redis.uri().toString(),
            "vtp.cache.key-prefix", ns.prefix(),
            "vtp.cache.caches.items.type", Item.class.getName(),
            "vtp.cache.caches.items.lease-ttl", "30s",
            "vtp.cache.caches.items.lease-wait", "20s",
            "vtp.cache.caches.plain.type", Item.class.getName(),
            "vtp.cache.caches.flaky.type", Item.class.getName(),
            "vtp.cache.caches.flaky.ttl", "1ms",
            "vtp.cache.caches.flaky.jitter", "0"))
        .run();
  }

  @AfterAll
  void stop() {
    if (a != null) {
      a.close();
    }
    if (b != null) {
      b.close();
    }
  }

  private static CacheAside<Object> cache(ConfigurableApplicationContext ctx, String name) {
    return ctx.getBean(VtpCacheManager.class).cacheAside(name);
  }

  @Test
  void cacheableSync_loadsOnceAcrossTwoInstances() throws Exception {
    CacheTestApp.Catalog onA = a.getBean(CacheTestApp.Catalog.class);
    CacheTestApp.Catalog onB = b.getBean(CacheTestApp.Catalog.class);
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<Item>> results = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        results.add(pool.submit(() -> onA.find("42")));
        results.add(pool.submit(() -> onB.find("42")));
      }
      probe.entered.await();
      // Every caller on both instances has missed in Redis and now waits: for the loader in its own JVM, or for
      // the other instance's lease.
      await().atMost(Duration.ofSeconds(10)).until(() ->
          cache(a, "items").stats().misses() == 4 && cache(b, "items").stats().misses() == 4);
      probe.release.countDown();
      for (Future<Item> f : results) {
        assertThat(f.get()).isEqualTo(new Item("42", 1));
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(probe.loads).hasValue(1);
    assertThat(cache(a, "items").stats().loadSuccesses() + cache(b, "items").stats().loadSuccesses()).isEqualTo(1);
    // The value crossed instances as JSON and came back as the declared type.
    assertThat(onB.find("42")).isEqualTo(new Item("42", 1));
    assertThat(onA.find("42")).isEqualTo(new Item("42", 1));
  }

  @Test
  void cacheableSync_methodFailureReachesTheCallerUnwrappedOrServesTheStaleValue() {
    CacheTestApp.Catalog onA = a.getBean(CacheTestApp.Catalog.class);
    probe.databaseDown = true;
    assertThatThrownBy(() -> onA.flaky("never-loaded")).isExactlyInstanceOf(IllegalStateException.class)
        .hasMessage("database down");
    probe.databaseDown = false;
    assertThat(onA.flaky("k")).isEqualTo(new Item("k", 1));
    probe.databaseDown = true;
    // The entry is fresh for 1 ms; once expired, a failing method gets the stale value (within stale-grace 5m).
    await().atMost(Duration.ofSeconds(10)).until(() -> cache(a, "flaky").peek("k").isEmpty());
    assertThat(onA.flaky("k")).isEqualTo(new Item("k", 1));
    assertThat(cache(a, "flaky").stats().staleServed()).isEqualTo(1);
    probe.databaseDown = false;
  }

  @Test
  void cacheable_lookupThenPutIsSharedAndEvictReachesEveryInstance() {
    CacheTestApp.Catalog onA = a.getBean(CacheTestApp.Catalog.class);
    CacheTestApp.Catalog onB = b.getBean(CacheTestApp.Catalog.class);
    assertThat(onA.plain("7")).isEqualTo(new Item("7", 1));
    assertThat(onB.plain("7")).isEqualTo(new Item("7", 1));
    assertThat(probe.plainLoads).hasValue(1);
    onA.evictPlain("7");
    assertThat(onB.plain("7")).isEqualTo(new Item("7", 2));
    assertThat(probe.plainLoads).hasValue(2);

    MeterRegistry meters = b.getBean(MeterRegistry.class);
    assertThat(meters.get("vtp.cache.gets").tags("name", "plain", "result", "hit").functionCounter().count())
        .isEqualTo(1.0);
    assertThat(meters.get("vtp.cache.puts").tags("name", "plain").functionCounter().count()).isEqualTo(1.0);
  }
}
