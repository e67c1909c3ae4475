package io.vtp.cache;

import io.vtp.testkit.MutableClock;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vtp.testkit.Dedicated;
import io.vtp.testkit.RedisServer;
import io.vtp.testkit.VtpServers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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

/**
 * Redis stopped or frozen (SIGSTOP) under a cache: reads are served from the loader, the breaker stops paying the
 * timeout, and once Redis is back the cache is used again without a restart. A server of this class's own.
 */
@ExtendWith(VtpServers.class)
class RedisOutageIT {
  private static final Duration BUDGET = Duration.ofMillis(100);

  private final RedisServer redis;
  private final RedisClient client;
  private final MutableClock clock = MutableClock.startingNow();
  private final List<CacheAside<Item>> caches = new ArrayList<>();

  RedisOutageIT(@Dedicated RedisServer redis) {
    this.redis = redis;
    // The per-call budget is the client's socket timeout.
    this.client = RedisClient.builder().hostAndPort(redis.hostAndPort()).clientConfig(redis.clientConfig(BUDGET)).build();
  }

  @AfterEach
  void close() {
    if (!redis.isAnswering()) {
      redis.start();
    }
    caches.forEach(CacheAside::close);
    client.close();
  }

  private CacheAside<Item> cache(String name, RedisCacheAside.Builder<Item> b) {
    CacheAside<Item> cache = b.build();
    caches.add(cache);
    return cache;
  }

  private RedisCacheAside.Builder<Item> builder(String name) {
    return RedisCacheAside.builder(client, Item.class).name(name).clock(clock)
        .circuitBreaker(3, Duration.ofSeconds(5));
  }

  @Test
  void get_redisStopped_readsComeFromTheLoaderAndTheCacheReturnsWithRedis() {
    CacheAside<Item> cache = cache("stopped", builder("stopped"));
    AtomicInteger loads = new AtomicInteger();
    cache.get("k", CacheAsideContract.counting(loads, new Item("v", 1)));
    redis.stop();
    for (int i = 0; i < 20; i++) {
      assertThat(cache.get("k", CacheAsideContract.counting(loads, new Item("v", 1)))).contains(new Item("v", 1));
    }
    assertThat(loads).hasValue(21);
    assertThat(cache.stats().circuitOpen()).isTrue();
    assertThat(cache.stats().backendErrors()).isEqualTo(3); // then the breaker kept reads away from Redis
    assertThat(cache.stats().bypassLoads()).isEqualTo(20);

    redis.start();
    clock.advance(Duration.ofSeconds(6));
    cache.get("k", CacheAsideContract.counting(loads, new Item("v", 1))); // the probe: Redis is empty, loads once
    assertThat(cache.stats().circuitOpen()).isFalse();
    long hits = cache.stats().hits();
    assertThat(cache.get("k", CacheAsideContract.counting(loads, new Item("v", 1)))).contains(new Item("v", 1));
    assertThat(cache.stats().hits()).isEqualTo(hits + 1);
    assertThat(loads).hasValue(22);
  }

  @Test
  void get_redisPaused_readsAreServedWithinTheBudgetAndTheCacheReturnsAfterResume() {
    CacheAside<Item> cache = cache("paused", builder("paused"));
    AtomicInteger loads = new AtomicInteger();
    cache.get("k", CacheAsideContract.counting(loads, new Item("v", 1)));
    redis.pause();
    long elapsedNanos;
    try {
      long start = System.nanoTime();
      for (int i = 0; i < 50; i++) {
        assertThat(cache.get("k", CacheAsideContract.counting(loads, new Item("v", 1)))).contains(new Item("v", 1));
      }
      elapsedNanos = System.nanoTime() - start;
    } finally {
      redis.resume();
    }
    // Without the breaker 50 reads would cost 50 timeouts (5 s); with it, 3 timeouts plus 50 loads.
    assertThat(Duration.ofNanos(elapsedNanos)).isLessThan(BUDGET.multipliedBy(3 + 10));
    assertThat(cache.stats().backendErrors()).isEqualTo(3);
    redis.awaitAnswering(Duration.ofSeconds(5));
    clock.advance(Duration.ofSeconds(6));
    long hits = cache.stats().hits();
    int before = loads.get();
    assertThat(cache.get("k", CacheAsideContract.counting(loads, new Item("v", 1)))).contains(new Item("v", 1));
    assertThat(cache.stats().hits()).isEqualTo(hits + 1); // the entry written before the pause is still there
    assertThat(loads).hasValue(before);
    assertThat(cache.stats().circuitOpen()).isFalse();
  }

  @Test
  void invalidate_whileRedisIsUnreachable_isAppliedWhenItReturns() {
    CacheAside<Item> cache = cache("pending", builder("pending"));
    cache.get("k", key -> Loaded.of(new Item("old", 1)));
    redis.pause();
    try {
      for (int i = 0; i < 3; i++) {
        cache.get("other" + i, key -> Loaded.of(new Item("x", 0))); // timeouts open the breaker
      }
      assertThat(cache.stats().circuitOpen()).isTrue();
      cache.invalidate("k"); // the database write committed; Redis cannot be told now (nothing is sent)
    } finally {
      redis.resume();
    }
    redis.awaitAnswering(Duration.ofSeconds(5));
    clock.advance(Duration.ofSeconds(6));
    assertThat(cache.get("k", key -> Loaded.of(new Item("new", 2)))).contains(new Item("new", 2));
  }

  @Test
  void get_redisDown_bypassLoadsAreBoundedBySemaphore() throws Exception {
    CacheAside<Item> cache = cache("bypass", builder("bypass").bypass(2, Duration.ofMillis(200)));
    redis.stop();
    AtomicInteger running = new AtomicInteger();
    AtomicInteger maxRunning = new AtomicInteger();
    CountDownLatch release = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(8);
    List<Future<?>> results = new ArrayList<>();
    try {
      for (int i = 0; i < 8; i++) {
        String key = "k" + i;
        results.add(pool.submit(() -> cache.get(key, k -> {
          maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
          release.await(10, TimeUnit.SECONDS);
          running.decrementAndGet();
          return Loaded.of(new Item(k, 1));
        })));
      }
      await("6 loads rejected by the bypass limit").atMost(Duration.ofSeconds(10))
          .pollInterval(Duration.ofMillis(10)).until(() -> cache.stats().bypassRejected() >= 6);
      release.countDown();
      int rejected = 0;
      for (Future<?> f : results) {
        try {
          f.get(10, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
          assertThat(e.getCause()).isInstanceOf(CacheOverloadedException.class)
              .isInstanceOf(io.vtp.redis.BackendUnavailableException.class).hasMessageContaining("bypass");
          CacheOverloadedException overloaded = (CacheOverloadedException) e.getCause();
          assertThat(overloaded.cacheName()).isEqualTo(cache.name());
          assertThat(overloaded.operation()).isEqualTo("get");
          assertThat(overloaded.bypassPermits()).isEqualTo(2);
          assertThat(overloaded.elapsed()).isGreaterThanOrEqualTo(Duration.ofMillis(200));
          rejected++;
        }
      }
      assertThat(rejected).isEqualTo(6);
    } finally {
      pool.shutdownNow();
    }
    assertThat(maxRunning).hasValue(2);
    assertThat(cache.stats().bypassRejected()).isEqualTo(6);
  }
}
