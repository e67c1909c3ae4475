package io.vtp.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.vtp.testkit.KeyNamespace;
import io.vtp.testkit.RedisServer;
import io.vtp.testkit.VtpServers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.params.SetParams;

/**
 * 200 concurrent misses on one key across 3 cache instances, each with its own Redis client (as 3 processes would
 * have): the loader runs once overall, never more than once per instance.
 */
@ExtendWith(VtpServers.class)
class StampedeIT {
  private static final int INSTANCES = 3;
  private static final int THREADS_PER_INSTANCE = 67; // 201 concurrent misses

  private final RedisServer redis;
  private final KeyNamespace ns;
  private final List<RedisClient> clients = new ArrayList<>();
  private final List<CacheAside<Item>> caches = new ArrayList<>();

  StampedeIT(RedisServer redis, KeyNamespace ns) {
    this.redis = redis;
    this.ns = ns;
  }

  @AfterEach
  void close() {
    caches.forEach(CacheAside::close);
    clients.forEach(RedisClient::close);
  }

  private void instances(String name, Duration leaseWait) {
    for (int i = 0; i < INSTANCES; i++) {
      RedisClient client = redis.newClient();
      clients.add(client);
      caches.add(RedisCacheAside.builder(client, Item.class).name(name).keyPrefix(ns.prefix())
          .lease(Duration.ofSeconds(5), leaseWait).build());
    }
  }

  /** Runs every thread's get at once; returns per-instance loader counts. */
  private int[] stampede(String key, long loadMillis) throws Exception {
    int[] loads = new int[INSTANCES];
    AtomicInteger[] counters = new AtomicInteger[INSTANCES];
    for (int i = 0; i < INSTANCES; i++) {
      counters[i] = new AtomicInteger();
    }
    ExecutorService pool = Executors.newFixedThreadPool(INSTANCES * THREADS_PER_INSTANCE);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<Optional<Item>>> results = new ArrayList<>();
    try {
      for (int i = 0; i < INSTANCES; i++) {
        CacheAside<Item> cache = caches.get(i);
        AtomicInteger counter = counters[i];
        for (int t = 0; t < THREADS_PER_INSTANCE; t++) {
          results.add(pool.submit(() -> {
            start.await();
            return cache.get(key, k -> {
              counter.incrementAndGet();
              Thread.sleep(loadMillis); // a slow query
              return Loaded.of(new Item("course", 42));
            });
          }));
        }
      }
      start.countDown();
      for (Future<Optional<Item>> f : results) {
        assertThat(f.get(30, TimeUnit.SECONDS)).contains(new Item("course", 42));
      }
    } finally {
      pool.shutdownNow();
    }
    for (int i = 0; i < INSTANCES; i++) {
      loads[i] = counters[i].get();
    }
    return loads;
  }

  @Test
  void get_concurrentMissesAcrossInstancesLoadOnce() throws Exception {
    instances("stampede", Duration.ofSeconds(2));
    int[] loads = stampede("hot", 300);
    assertThat(loads).containsAnyOf(0, 1).doesNotContain(2, 3);
    assertThat(loads[0] + loads[1] + loads[2]).isEqualTo(1);
    // Every other read got the one load's value: by waiting for it, or (arriving late) from Redis.
    long shared = caches.stream().mapToLong(c -> c.stats().coalescedLoads() + c.stats().hits()).sum();
    assertThat(shared).isEqualTo(INSTANCES * THREADS_PER_INSTANCE - 1);
  }

  @Test
  void get_deadLeaseHolderDelaysButDoesNotMultiplyLoads() throws Exception {
    instances("dead-holder", Duration.ofSeconds(2));
    // A holder that took the lease and died: the lease expires by itself after 300 ms.
    try (RedisClient admin = redis.newClient()) {
      admin.set(ns.prefix() + "dead-holder:{hot}:lease", "dead-instance-token", SetParams.setParams().px(300));
    }
    int[] loads = stampede("hot", 100);
    assertThat(loads[0] + loads[1] + loads[2]).isEqualTo(1);
  }

  @Test
  void get_slowLeaseHolderBeyondTheWaitLoadsAtMostOncePerInstance() throws Exception {
    instances("slow-holder", Duration.ofMillis(100));
    int[] loads = stampede("hot", 600);
    assertThat(loads).containsOnly(1);
    // Only the holder writes: one put overall.
    assertThat(caches.stream().mapToLong(c -> c.stats().puts()).sum()).isEqualTo(1);
  }
}
