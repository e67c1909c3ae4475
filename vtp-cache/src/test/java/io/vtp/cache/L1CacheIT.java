package io.vtp.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vtp.testkit.Dedicated;
import io.vtp.testkit.RedisServer;
import io.vtp.testkit.VtpServers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import redis.clients.jedis.RedisClient;

/**
 * The in-process L1: hits cost no Redis command, invalidations reach other instances over pub/sub, and the L1 is
 * cleared when its listener reconnects (messages published while it was away are lost). A server of its own,
 * because it is killed and restarted and its commands are counted.
 */
@ExtendWith(VtpServers.class)
class L1CacheIT {
  private final RedisServer redis;
  private final List<RedisClient> clients = new ArrayList<>();
  private final List<CacheAside<Item>> caches = new ArrayList<>();

  L1CacheIT(@Dedicated RedisServer redis) {
    this.redis = redis;
  }

  @AfterEach
  void close() {
    if (!redis.isAnswering()) {
      redis.start();
    }
    caches.forEach(CacheAside::close);
    clients.forEach(RedisClient::close);
  }

  /** A new instance: its own client, L1 on. */
  private CacheAside<Item> instance(String name) {
    RedisClient client = redis.newClient();
    clients.add(client);
    CacheAside<Item> cache = RedisCacheAside.builder(client, Item.class).name(name)
        .l1(1_000, Duration.ofMinutes(1)).circuitBreaker(1, Duration.ofMillis(200)).build();
    caches.add(cache);
    return cache;
  }

  /** An invalidation reaches the other instances over pub/sub, or a reconnect clears them: within 10 s. */
  private static ConditionFactory awaitL1(String what) {
    return await(what).atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(5));
  }

  @Test
  void get_l1HitCostsNoRedisCommand() {
    CacheAside<Item> cache = instance("l1-hits");
    cache.get("k", key -> Loaded.of(new Item("v", 1)));
    redis.resetStats();
    for (int i = 0; i < 100; i++) {
      assertThat(cache.get("k", key -> Loaded.of(new Item("never", 0)))).contains(new Item("v", 1));
    }
    assertThat(CacheAsideContract.dataCommands(redis.commandCalls())).isEmpty();
    assertThat(cache.stats().l1Hits()).isEqualTo(100);
  }

  @Test
  void getAll_l1HitsCostNoRedisCommand() {
    CacheAside<Item> cache = instance("l1-bulk");
    cache.getAll(List.of("a", "b"), missed -> Map.of("a", new Item("a", 1), "b", new Item("b", 2)));
    redis.resetStats();
    assertThat(cache.getAll(List.of("a", "b"), missed -> Map.of())).hasSize(2);
    assertThat(CacheAsideContract.dataCommands(redis.commandCalls())).isEmpty();
  }

  @Test
  void invalidate_onOneInstanceClearsTheOthersL1() throws Exception {
    CacheAside<Item> a = instance("l1-inv");
    CacheAside<Item> b = instance("l1-inv");
    a.get("k", key -> Loaded.of(new Item("v1", 1)));
    assertThat(b.get("k", key -> Loaded.of(new Item("never", 0)))).contains(new Item("v1", 1));
    assertThat(b.get("k", key -> Loaded.of(new Item("never", 0)))).contains(new Item("v1", 1)); // from B's L1
    assertThat(b.stats().l1Hits()).isEqualTo(1);
    a.invalidate("k");
    awaitL1("B reads the new value")
        .until(() -> b.get("k", key -> Loaded.of(new Item("v2", 2))).equals(Optional.of(new Item("v2", 2))));
  }

  @Test
  void invalidateAll_clearsEveryInstancesL1() throws Exception {
    CacheAside<Item> a = instance("l1-all");
    CacheAside<Item> b = instance("l1-all");
    b.get("k", key -> Loaded.of(new Item("v1", 1)));
    a.invalidateAll();
    awaitL1("B reads the new value")
        .until(() -> b.get("k", key -> Loaded.of(new Item("v2", 2))).equals(Optional.of(new Item("v2", 2))));
  }

  @Test
  void listenerReconnect_clearsL1BecauseMessagesWereLost() throws Exception {
    CacheAside<Item> cache = instance("l1-reconnect");
    AtomicInteger loads = new AtomicInteger();
    cache.get("k", CacheAsideContract.counting(loads, new Item("v1", 1)));
    assertThat(cache.get("k", CacheAsideContract.counting(loads, new Item("never", 0)))).contains(new Item("v1", 1));
    // Redis restarts empty: any invalidation published meanwhile is lost; the L1 must not keep serving v1.
    redis.kill();
    redis.start();
    awaitL1("the L1 copy is dropped and v2 loaded").until(() -> cache.get("k",
        CacheAsideContract.counting(loads, new Item("v2", 2))).equals(Optional.of(new Item("v2", 2))));
    // And the L1 works again once resubscribed.
    awaitL1("L1 hits again").until(() -> {
      long before = cache.stats().l1Hits();
      cache.get("k", CacheAsideContract.counting(loads, new Item("v3", 3)));
      return cache.stats().l1Hits() > before;
    });
  }
}
