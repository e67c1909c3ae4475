package io.vtp.cache;

import io.vtp.redis.PipelinedCall;
import io.vtp.redis.RoundTrip;

import io.vtp.testkit.KeyNamespace;
import io.vtp.testkit.MutableClock;
import io.vtp.testkit.RedisDeployment;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.ScanIteration;
import redis.clients.jedis.UnifiedJedis;

/**
 * The behaviour every {@link CacheAside} over Redis must have, run against standalone Redis and the 3-master
 * cluster by its subclasses.
 */
abstract class CacheAsideContract {
  private static final AtomicInteger NAMES = new AtomicInteger();

  protected final MutableClock clock = MutableClock.startingNow();
  private final List<AutoCloseable> closeables = new ArrayList<>();

  private final RedisDeployment redis;
  private final KeyNamespace ns;
  private final UnifiedJedis client;

  /** Runs the contract on a deployment, with the test class's key namespace (cleaned afterwards). */
  protected CacheAsideContract(RedisDeployment redis, KeyNamespace ns) {
    this.redis = redis;
    this.ns = ns;
    this.client = redis.newClient();
  }

  @AfterEach
  void closeClient() {
    client.close();
  }

  /** The client of "instance A", closed after the test. */
  protected UnifiedJedis client() {
    return client;
  }

  /** A new client ("another instance"); the contract closes it. */
  protected UnifiedJedis newClient() {
    return redis.newClient();
  }

  /** Server command calls (summed over nodes). */
  protected Map<String, Long> commandCalls() {
    return redis.commandCalls();
  }

  protected void resetStats() {
    redis.resetStats();
  }

  /** This class's key prefix. */
  protected String prefix() {
    return ns.prefix();
  }

  /** How many hash slots these keys fall into on this deployment (1 on standalone). */
  protected int slotCount(Collection<String> redisKeys) {
    return redis.slotCount(redisKeys);
  }

  RedisCacheAside.Builder<Item> builder() {
    return builder(client());
  }

  RedisCacheAside.Builder<Item> builder(UnifiedJedis redis) {
    return RedisCacheAside.builder(redis, Item.class).name("c" + NAMES.incrementAndGet()).keyPrefix(prefix())
        .clock(clock);
  }

  <T extends AutoCloseable> T closeLater(T closeable) {
    closeables.add(closeable);
    return closeable;
  }

  CacheAside<Item> build(RedisCacheAside.Builder<Item> builder) {
    return closeLater(builder.build());
  }

  String valueKey(CacheAside<?> cache, String key) {
    return prefix() + cache.name() + ":{" + key + "}";
  }

  static Map<String, Long> dataCommands(Map<String, Long> calls) {
    Map<String, Long> data = new LinkedHashMap<>(calls);
    // Test bookkeeping (INFO, CONFIG RESETSTAT) and connection set-up by a pool opening a new connection (HELLO,
    // CLIENT SETINFO, AUTH, CLUSTER SLOTS) are not per-operation round trips.
    data.keySet().removeIf(c -> c.equals("info") || c.startsWith("config") || c.startsWith("cluster")
        || c.equals("ping") || c.equals("hello") || c.startsWith("client") || c.equals("auth"));
    return data;
  }

  // ---- readCall: the cheap part of a read in a shared round trip ----

  @Test
  void readCall_ofAFreshEntry_isThatEntry_inOneGet_andLoadsNothing() {
    CacheAside<Item> cache = build(builder());
    Item item = new Item("a", 1);
    AtomicInteger loads = new AtomicInteger();
    cache.get("k", counting(loads, item));
    PipelinedCall<Optional<Loaded<Item>>> call = cache.readCall("k");
    resetStats();

    RoundTrip.send(call);

    assertThat(call.result()).contains(Loaded.of(item));
    assertThat(dataCommands(commandCalls())).containsExactlyEntriesOf(Map.of("get", 1L));
    assertThat(loads).hasValue(1);
  }

  @Test
  void readCall_ofAMissingOrExpiredEntry_isEmpty_andTheFullReadThenLoads() {
    CacheAside<Item> cache = build(builder().ttl(java.time.Duration.ofSeconds(10)));
    PipelinedCall<Optional<Loaded<Item>>> missing = cache.readCall("absent");
    RoundTrip.send(missing);
    assertThat(missing.result()).isEmpty();

    AtomicInteger loads = new AtomicInteger();
    cache.get("k", counting(loads, new Item("a", 1)));
    clock.advance(java.time.Duration.ofSeconds(30));
    PipelinedCall<Optional<Loaded<Item>>> expired = cache.readCall("k");
    RoundTrip.send(expired);
    assertThat(expired.result()).isEmpty();
    assertThat(cache.get("k", counting(loads, new Item("b", 2)))).contains(new Item("b", 2));
  }

  @Test
  void readCall_fromL1_sendsNothing() {
    CacheAside<Item> cache = build(builder().l1(100, java.time.Duration.ofMinutes(1)));
    Item item = new Item("a", 1);
    cache.get("k", key -> Loaded.of(item)); // loaded here: kept in L1
    PipelinedCall<Optional<Loaded<Item>>> call = cache.readCall("k");
    resetStats();

    RoundTrip.send(call);

    assertThat(call.result()).contains(Loaded.of(item));
    assertThat(dataCommands(commandCalls())).isEmpty();
  }

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable c : closeables) {
      c.close();
    }
    closeables.clear();
  }

  static CacheLoader<Item> counting(AtomicInteger calls, Item value) {
    return key -> {
      calls.incrementAndGet();
      return Loaded.ofNullable(value);
    };
  }

  @Test
  void get_missLoadsOnceThenServesFromRedis() {
    CacheAside<Item> cache = build(builder());
    AtomicInteger loads = new AtomicInteger();
    assertThat(cache.get("1", counting(loads, new Item("a", 1)))).contains(new Item("a", 1));
    assertThat(cache.get("1", counting(loads, new Item("b", 2)))).contains(new Item("a", 1));
    assertThat(loads).hasValue(1);
    assertThat(cache.stats().hits()).isEqualTo(1);
    assertThat(cache.stats().misses()).isEqualTo(1);
    assertThat(cache.stats().puts()).isEqualTo(1);
  }

  @Test
  void get_hitIsOneRedisCommand() {
    CacheAside<Item> cache = build(builder());
    cache.get("hot", key -> Loaded.of(new Item("hot", 1)));
    resetStats();
    for (int i = 0; i < 10; i++) {
      assertThat(cache.get("hot", key -> Loaded.of(new Item("never", 0)))).contains(new Item("hot", 1));
    }
    assertThat(dataCommands(commandCalls())).containsExactly(Map.entry("get", 10L));
  }

  @Test
  void get_missIsGetPlusLeasePlusPut() {
    CacheAside<Item> cache = build(builder());
    cache.get("warm", key -> Loaded.of(new Item("w", 0))); // loads the scripts on the node
    resetStats();
    cache.get("cold", key -> Loaded.of(new Item("c", 1)));
    // Three round trips: GET, EVALSHA acquire.lua, EVALSHA put.lua. commandstats also counts the commands the
    // scripts run inside Redis: GET + SET NX in acquire, GET + SET + DEL in put.
    assertThat(dataCommands(commandCalls())).containsOnly(Map.entry("evalsha", 2L), Map.entry("get", 3L),
        Map.entry("set", 2L), Map.entry("del", 1L));
  }

  @Test
  void peek_seesOnlyFreshEntriesAndNeverLoads() {
    CacheAside<Item> cache = build(builder().ttl(Duration.ofMinutes(1)).jitter(0).earlyRefreshBeta(0));
    assertThat(cache.peek("k")).isEmpty();
    cache.get("k", key -> Loaded.of(new Item("v", 1)));
    cache.get("gone", key -> Loaded.notFound());
    resetStats();
    assertThat(cache.peek("k")).contains(Loaded.of(new Item("v", 1)));
    assertThat(cache.peek("gone")).contains(Loaded.notFound());
    assertThat(dataCommands(commandCalls())).containsExactly(Map.entry("get", 2L));
    clock.advance(Duration.ofSeconds(61)); // expired, though still within the stale grace
    assertThat(cache.peek("k")).isEmpty();
    assertThat(cache.stats().loadSuccesses()).isEqualTo(2);
    assertThat(cache.stats().hits()).isEqualTo(2);
    assertThat(cache.stats().misses()).isEqualTo(4);
  }

  @Test
  void get_notFoundIsCachedUntilItsOwnTtl() {
    CacheAside<Item> cache = build(builder().notFoundTtl(Duration.ofSeconds(10)).jitter(0));
    AtomicInteger loads = new AtomicInteger();
    assertThat(cache.get("missing", counting(loads, null))).isEmpty();
    assertThat(cache.get("missing", counting(loads, null))).isEmpty();
    assertThat(loads).hasValue(1);
    clock.advance(Duration.ofSeconds(11));
    assertThat(cache.get("missing", counting(loads, new Item("now", 1)))).contains(new Item("now", 1));
    assertThat(loads).hasValue(2);
  }

  @Test
  void get_expiredEntryIsLoadedAgain() {
    CacheAside<Item> cache = build(builder().ttl(Duration.ofMinutes(1)));
    AtomicInteger loads = new AtomicInteger();
    cache.get("k", counting(loads, new Item("old", 1)));
    clock.advance(Duration.ofSeconds(67)); // beyond ttl + 10% jitter
    assertThat(cache.get("k", counting(loads, new Item("new", 2)))).contains(new Item("new", 2));
    assertThat(loads).hasValue(2);
  }

  @Test
  void get_perCallTtlSetsTheRedisExpiry() {
    CacheAside<Item> cache = build(builder().jitter(0).staleGrace(Duration.ZERO).ttl(CacheTtl.LONG));
    cache.get("short", CacheTtl.SHORT.duration(), key -> Loaded.of(new Item("s", 1)));
    cache.get("long", key -> Loaded.of(new Item("l", 1)));
    assertThat(client().pttl(valueKey(cache, "short"))).isBetween(299_000L, 300_000L);
    assertThat(client().pttl(valueKey(cache, "long"))).isBetween(7_199_000L, 7_200_000L);
  }

  @Test
  void get_jitterSpreadsExpiryByUpToTenPercent() {
    FixedRandom random = new FixedRandom(0.0);
    CacheAside<Item> cache = build(builder().ttl(Duration.ofSeconds(100)).staleGrace(Duration.ZERO)
        .earlyRefreshBeta(0).random(random));
    cache.get("low", key -> Loaded.of(new Item("l", 1)));
    random.set(0.999999);
    cache.get("high", key -> Loaded.of(new Item("h", 1)));
    assertThat((double) client().pttl(valueKey(cache, "low"))).isCloseTo(90_000, within(1_000.0));
    assertThat((double) client().pttl(valueKey(cache, "high"))).isCloseTo(110_000, within(1_000.0));
  }

  @Test
  void get_runtimeExceptionOfLoaderReachesCallerUnchanged() {
    CacheAside<Item> cache = build(builder());
    IllegalStateException boom = new IllegalStateException("db down");
    assertThatThrownBy(() -> cache.get("k", key -> {
      throw boom;
    })).isSameAs(boom);
    assertThat(cache.stats().loadFailures()).isEqualTo(1);
    AtomicInteger loads = new AtomicInteger();
    assertThat(cache.get("k", counting(loads, new Item("ok", 1)))).contains(new Item("ok", 1));
    assertThat(loads).hasValue(1); // the failed load's lease was released
  }

  @Test
  void get_checkedExceptionOfLoaderIsWrapped() {
    CacheAside<Item> cache = build(builder());
    IOException io = new IOException("socket");
    assertThatThrownBy(() -> cache.get("k", key -> {
      throw io;
    })).isInstanceOf(CacheLoadException.class).hasCause(io).hasMessageContaining(cache.name());
  }

  @Test
  void get_staleValueIsServedWhenLoaderFailsWithinGrace() {
    CacheAside<Item> cache = build(builder().ttl(Duration.ofMinutes(1)).jitter(0).staleGrace(Duration.ofMinutes(5)));
    cache.get("k", key -> Loaded.of(new Item("old", 1)));
    clock.advance(Duration.ofMinutes(3));
    assertThat(cache.get("k", key -> {
      throw new IllegalStateException("db down");
    })).contains(new Item("old", 1));
    assertThat(cache.stats().staleServed()).isEqualTo(1);
    clock.advance(Duration.ofMinutes(4)); // beyond the grace window
    assertThatThrownBy(() -> cache.get("k", key -> {
      throw new IllegalStateException("db down");
    })).hasMessage("db down");
  }

  @Test
  void get_earlyRefreshReloadsAHotKeyBeforeItExpires() {
    FixedRandom random = new FixedRandom(0.0); // r = 1: ln(r) = 0, never early
    CacheAside<Item> cache = build(builder().ttl(Duration.ofMinutes(1)).jitter(0).earlyRefreshBeta(10).random(random));
    AtomicInteger loads = new AtomicInteger();
    cache.get("k", counting(loads, new Item("v1", 1)));
    clock.advance(Duration.ofSeconds(59).plusMillis(990)); // 10 ms before expiry
    assertThat(cache.get("k", counting(loads, new Item("v2", 2)))).contains(new Item("v1", 1));
    assertThat(loads).hasValue(1);
    random.set(0.999999); // r = 1e-6: -ln(r) * 1 ms * 10 = 138 ms >= 10 ms left
    assertThat(cache.get("k", counting(loads, new Item("v2", 2)))).contains(new Item("v2", 2));
    assertThat(loads).hasValue(2);
    assertThat(cache.stats().earlyRefreshes()).isEqualTo(1);
    random.set(0.0);
    clock.advance(Duration.ofSeconds(30)); // the old expiry has passed; the refreshed entry is fresh
    assertThat(cache.get("k", counting(loads, new Item("v3", 3)))).contains(new Item("v2", 2));
    assertThat(loads).hasValue(2);
  }

  @Test
  void get_concurrentMissesInOneInstanceShareOneLoad() throws Exception {
    CacheAside<Item> cache = build(builder());
    AtomicInteger loads = new AtomicInteger();
    CountDownLatch release = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(16);
    try {
      List<Future<Optional<Item>>> results = new ArrayList<>();
      for (int i = 0; i < 16; i++) {
        results.add(pool.submit(() -> cache.get("k", key -> {
          loads.incrementAndGet();
          release.await(5, TimeUnit.SECONDS);
          return Loaded.of(new Item("one", 1));
        })));
      }
      await("15 callers waiting on the one load").atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(1))
          .until(() -> cache.stats().coalescedLoads() >= 15);
      release.countDown();
      for (Future<Optional<Item>> f : results) {
        assertThat(f.get(10, TimeUnit.SECONDS)).contains(new Item("one", 1));
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(loads).hasValue(1);
  }

  @Test
  void getAll_loadsOnlyTheMissesInOneBulkCall() {
    CacheAside<Item> cache = build(builder());
    cache.get("a", key -> Loaded.of(new Item("a", 1)));
    cache.get("b", key -> Loaded.of(new Item("b", 2)));
    List<Set<String>> calls = new CopyOnWriteArrayList<>();
    BulkLoader<Item> loader = keys -> {
      calls.add(keys);
      Map<String, Item> found = new LinkedHashMap<>();
      keys.stream().filter(k -> !k.equals("gone")).forEach(k -> found.put(k, new Item(k, 9)));
      return found;
    };
    Map<String, Item> all = cache.getAll(List.of("a", "x", "b", "y", "gone", "x"), loader);
    assertThat(all).containsExactly(Map.entry("a", new Item("a", 1)), Map.entry("x", new Item("x", 9)),
        Map.entry("b", new Item("b", 2)), Map.entry("y", new Item("y", 9)));
    assertThat(calls).containsExactly(Set.of("x", "y", "gone"));
    // Everything, "gone" included (negative entry), is cached now.
    assertThat(cache.getAll(List.of("a", "x", "b", "y", "gone"), loader)).hasSize(4);
    assertThat(calls).hasSize(1);
    assertThat(cache.get("x", key -> Loaded.of(new Item("other", 0)))).contains(new Item("x", 9));
  }

  @Test
  void getAll_allHitsCostOneMgetPerSlot() {
    CacheAside<Item> cache = build(builder());
    List<String> keys = List.of("k1", "k2", "k3", "k4", "k5", "k6");
    cache.getAll(keys, missed -> {
      Map<String, Item> m = new LinkedHashMap<>();
      missed.forEach(k -> m.put(k, new Item(k, 1)));
      return m;
    });
    resetStats();
    assertThat(cache.getAll(keys, missed -> Map.of())).hasSize(6);
    int slots = slotCount(keys.stream().map(k -> valueKey(cache, k)).toList());
    assertThat(dataCommands(commandCalls())).containsExactly(Map.entry("mget", (long) slots));
  }

  @Test
  void invalidate_makesTheNextReadOnAnyInstanceLoad() {
    UnifiedJedis other = closeLater(newClient());
    RedisCacheAside.Builder<Item> a = builder();
    CacheAside<Item> cacheA = build(a);
    CacheAside<Item> cacheB = closeLater(RedisCacheAside.builder(other, Item.class).name(cacheA.name())
        .keyPrefix(prefix()).clock(clock).build());
    cacheA.get("k", key -> Loaded.of(new Item("v1", 1)));
    assertThat(cacheB.get("k", key -> Loaded.of(new Item("never", 0)))).contains(new Item("v1", 1));
    cacheA.invalidate("k");
    assertThat(cacheB.get("k", key -> Loaded.of(new Item("v2", 2)))).contains(new Item("v2", 2));
    assertThat(cacheA.stats().evictions()).isEqualTo(1);
  }

  @Test
  void invalidateAll_deletesOnlyThisCachesEntries() {
    CacheAside<Item> cache = build(builder());
    CacheAside<Item> neighbour = build(builder());
    AtomicInteger loads = new AtomicInteger();
    for (int i = 0; i < 20; i++) {
      cache.get("k" + i, counting(loads, new Item("v", i)));
    }
    neighbour.get("n", counting(loads, new Item("n", 1)));
    cache.invalidateAll();
    assertThat(cache.get("k3", counting(loads, new Item("again", 3)))).contains(new Item("again", 3));
    assertThat(neighbour.get("n", counting(loads, new Item("never", 0)))).contains(new Item("n", 1));
    assertThat(loads).hasValue(22);
  }

  @Test
  void get_loadRacingWithAnInvalidationIsNotWrittenBack() {
    UnifiedJedis other = closeLater(newClient());
    CacheAside<Item> cacheA = build(builder());
    CacheAside<Item> cacheB = closeLater(RedisCacheAside.builder(other, Item.class).name(cacheA.name())
        .keyPrefix(prefix()).clock(clock).build());
    // A reads the old row; meanwhile B commits a write and invalidates.
    Optional<Item> seen = cacheA.get("k", key -> {
      Item old = new Item("old", 1);
      cacheB.invalidate("k");
      return Loaded.of(old);
    });
    assertThat(seen).contains(new Item("old", 1));
    assertThat(client().exists(valueKey(cacheA, "k"))).isFalse();
    assertThat(cacheB.get("k", key -> Loaded.of(new Item("new", 2)))).contains(new Item("new", 2));
  }

  @Test
  void get_poisonedEntriesAreLoadedReplacedAndCounted() {
    CacheAside<Item> cache = build(builder());
    List<String> poisons = List.of(
        "\u0000\u00ff garbage",
        "{\"name\":\"foreign\",\"n\":1}",
        "{\"vtp\":1,\"sv\":1,\"fu\":" + Long.MAX_VALUE + ",\"lt\":1,\"v\":{\"@class\":\"io.vtp.cache.Poison\"}}",
        "{\"vtp\":1,\"sv\":1,\"fu\":" + Long.MAX_VALUE + ",\"lt\":1,\"v\":[\"io.vtp.cache.Poison\",{}]}",
        "[\"io.vtp.cache.Poison\",{\"vtp\":1}]",
        "{\"@class\":\"io.vtp.cache.Poison\",\"vtp\":1,\"sv\":1,\"fu\":1,\"lt\":1,\"nf\":true}",
        "{\"vtp\":1,\"sv\":2,\"fu\":" + Long.MAX_VALUE + ",\"lt\":1,\"v\":{\"name\":\"next version\",\"n\":1}}",
        "{\"vtp\":2,\"sv\":1,\"fu\":" + Long.MAX_VALUE + ",\"lt\":1,\"v\":{\"name\":\"next format\",\"n\":1}}",
        "{\"vtp\":1,\"sv\":1,\"fu\":" + Long.MAX_VALUE + ",\"lt\":1,\"v\":{\"name\":\"x\",\"n\":1,\"extra\":1}}");
    AtomicInteger loads = new AtomicInteger();
    for (int i = 0; i < poisons.size(); i++) {
      String key = "p" + i;
      client().set(valueKey(cache, key), poisons.get(i));
      assertThat(cache.get(key, counting(loads, new Item("db", i)))).as(poisons.get(i)).contains(new Item("db", i));
      assertThat(cache.get(key, counting(loads, new Item("never", 0)))).contains(new Item("db", i));
    }
    assertThat(loads).hasValue(poisons.size());
    assertThat(cache.stats().corruptValues()).isEqualTo(poisons.size());
    assertThat(cache.stats().backendErrors()).isZero();
    assertThat(PoisonCanary.INITIALISED).hasValue(0);
    assertThat(PoisonCanary.CREATED).hasValue(0);
  }

  @Test
  void getAll_poisonedEntriesAreLoadedAndReplaced() {
    CacheAside<Item> cache = build(builder());
    client().set(valueKey(cache, "bad"), "{\"@class\":\"io.vtp.cache.Poison\"}");
    Map<String, Item> all = cache.getAll(List.of("bad"), missed -> Map.of("bad", new Item("db", 1)));
    assertThat(all).containsExactly(Map.entry("bad", new Item("db", 1)));
    assertThat(cache.get("bad", key -> Loaded.of(new Item("never", 0)))).contains(new Item("db", 1));
    assertThat(cache.stats().corruptValues()).isEqualTo(1);
    assertThat(PoisonCanary.CREATED).hasValue(0);
  }

  @Test
  void get_unsafeAndLongKeysAreHashedAndBounded() {
    CacheAside<Item> cache = build(builder());
    List<String> odd = List.of("a b", "{tag}", "*", "ü", "x".repeat(129), "k\r\nDEL x");
    for (String key : odd) {
      cache.get(key, k -> Loaded.of(new Item(k, 1)));
      assertThat(cache.get(key, k -> Loaded.of(new Item("never", 0)))).contains(new Item(key, 1));
    }
    cache.get("plain:id-1.2_3", k -> Loaded.of(new Item(k, 1)));
    assertThat(client().exists(valueKey(cache, "plain:id-1.2_3"))).isTrue();
    Pattern shape = Pattern.compile(Pattern.quote(prefix() + cache.name() + ":") + "\\{(#[A-Za-z0-9_-]{43}|[A-Za-z0-9_.:-]{1,128})\\}");
    ScanIteration scan = client().scanIteration(100, prefix() + cache.name() + ":*");
    List<String> found = new ArrayList<>();
    while (!scan.isIterationCompleted()) {
      found.addAll(scan.nextBatch().getResult());
    }
    assertThat(found).hasSize(odd.size() + 1).allMatch(k -> shape.matcher(k).matches());
  }

  @Test
  void lookup_missThenHitWithTheSameCommandsAsGet() {
    CacheAside<Item> cache = build(builder());
    cache.get("warm", key -> Loaded.of(new Item("w", 0))); // loads the scripts on the node (of "cold" too)
    resetStats();
    AtomicInteger loads = new AtomicInteger();
    assertThat(cache.lookup("cold", counting(loads, new Item("a", 1))))
        .isEqualTo(new Lookup<>(Optional.of(new Item("a", 1)), Lookup.Outcome.MISS));
    Lookup<Item> second = cache.lookup("cold", counting(loads, new Item("b", 2)));
    assertThat(second.value()).contains(new Item("a", 1));
    assertThat(second.isHit()).isTrue();
    assertThat(loads).hasValue(1);
    // A miss (GET, acquire, put) and a hit (GET), as get costs.
    assertThat(dataCommands(commandCalls())).containsOnly(Map.entry("evalsha", 2L), Map.entry("get", 4L),
        Map.entry("set", 2L), Map.entry("del", 1L));
  }

  @Test
  void lookup_cachedNotFoundIsAHit() {
    CacheAside<Item> cache = build(builder());
    assertThat(cache.lookup("none", key -> Loaded.notFound()).outcome()).isEqualTo(Lookup.Outcome.MISS);
    Lookup<Item> again = cache.lookup("none", key -> Loaded.of(new Item("never", 0)));
    assertThat(again.value()).isEmpty();
    assertThat(again.outcome()).isEqualTo(Lookup.Outcome.HIT);
  }

  @Test
  void lookup_staleValueServedWhenLoaderFailsIsStale() {
    CacheAside<Item> cache = build(builder().ttl(Duration.ofMinutes(1)).jitter(0).staleGrace(Duration.ofMinutes(5)));
    cache.get("k", key -> Loaded.of(new Item("old", 1)));
    clock.advance(Duration.ofMinutes(3));
    Lookup<Item> stale = cache.lookup("k", key -> {
      throw new IllegalStateException("db down");
    });
    assertThat(stale).isEqualTo(new Lookup<>(Optional.of(new Item("old", 1)), Lookup.Outcome.STALE));
    assertThat(stale.isHit()).isFalse();
  }

  @Test
  void lookup_loaderFailureWithoutStaleValueReachesCaller() {
    CacheAside<Item> cache = build(builder());
    IllegalStateException boom = new IllegalStateException("db down");
    assertThatThrownBy(() -> cache.lookup("k", key -> {
      throw boom;
    })).isSameAs(boom);
  }

  @Test
  void get_emptyKeyIsRejected() {
    CacheAside<Item> cache = build(builder());
    assertThatThrownBy(() -> cache.get("", k -> Loaded.notFound()))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("cache '" + cache.name() + "': key must not be empty");
  }
}
