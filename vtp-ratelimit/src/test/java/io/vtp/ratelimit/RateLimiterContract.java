package io.vtp.ratelimit;

import io.vtp.redis.PipelinedCall;
import io.vtp.redis.RoundTrip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import io.vtp.testkit.KeyNamespace;
import io.vtp.testkit.RedisDeployment;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import redis.clients.jedis.UnifiedJedis;

/**
 * What every Redis deployment must give the limiter: run against standalone Redis and the 3-master cluster.
 * Decisions use the Redis server clock, so the few window tests wait on real time (the server's), briefly.
 */
abstract class RateLimiterContract {
  private final List<AutoCloseable> closeAfter = new ArrayList<>();
  private final AtomicInteger names = new AtomicInteger();

  private final RedisDeployment redis;
  private final KeyNamespace ns;

  /** Runs the contract on a deployment, with the test class's key namespace (cleaned afterwards). */
  RateLimiterContract(RedisDeployment redis, KeyNamespace ns) {
    this.redis = redis;
    this.ns = ns;
  }

  /** Returns a new client of the deployment under test; closed after the test. */
  UnifiedJedis newClient() {
    return redis.newClient();
  }

  /** Returns command calls since the last {@link #resetStats()}, summed over the deployment. */
  Map<String, Long> commandCalls() {
    return redis.commandCalls();
  }

  void resetStats() {
    redis.resetStats();
  }

  /** Returns the key prefix of the test class (cleaned afterwards). */
  String prefix() {
    return ns.prefix();
  }

  UnifiedJedis client() {
    UnifiedJedis c = newClient();
    closeAfter.add(c);
    return c;
  }

  RedisRateLimiter.Builder builder(UnifiedJedis jedis) {
    return RedisRateLimiter.builder(jedis).keyPrefix(prefix()).name("t" + names.incrementAndGet())
        .timeout(Duration.ofSeconds(2));
  }

  <T extends AutoCloseable> T closing(T c) {
    closeAfter.add(c);
    return c;
  }

  @AfterEach
  void closeAll() throws Exception {
    for (int i = closeAfter.size() - 1; i >= 0; i--) {
      closeAfter.get(i).close();
    }
    closeAfter.clear();
  }

  @Test
  void acquireCall_decidesExactlyAsTryAcquire() {
    UnifiedJedis jedis = client();
    RateLimiter limiter = closing(builder(jedis).limit(3).window(Duration.ofHours(1)).localDenyCache(0).build());
    for (int i = 0; i < 5; i++) {
      Decision direct = limiter.tryAcquire("direct");
      PipelinedCall<Decision> call = limiter.acquireCall("shared");
      RoundTrip.send(call);
      Decision shared = call.result();
      assertThat(shared.outcome()).as("attempt %d", i).isEqualTo(direct.outcome());
      assertThat(shared.remaining()).as("attempt %d", i).isEqualTo(direct.remaining());
      assertThat(shared.retryAfter().isZero()).as("attempt %d", i).isEqualTo(direct.retryAfter().isZero());
    }
    assertThat(limiter.tryAcquire("shared").outcome()).isEqualTo(Outcome.DENIED); // the shared calls took permits
  }

  @Test
  void acquireCall_twoDecisionsOnOneClient_shareOnePipeline() {
    UnifiedJedis jedis = client();
    RateLimiter limiter = closing(builder(jedis).limit(3).window(Duration.ofHours(1)).build());
    limiter.tryAcquire("warm"); // the script is known to the server (or node) from here on
    PipelinedCall<Decision> a = limiter.acquireCall("a");
    PipelinedCall<Decision> b = limiter.acquireCall("b");
    resetStats();
    RoundTrip.send(a, b);
    Map<String, Long> calls = new java.util.HashMap<>(commandCalls());

    assertThat(a.result().outcome()).isEqualTo(Outcome.ALLOWED);
    assertThat(b.result().outcome()).isEqualTo(Outcome.ALLOWED);
    assertThat(calls.get("evalsha")).as("one EVALSHA per decision").isEqualTo(2L);
  }

  @Test
  void acquireCall_locallyDenied_sendsNothing() {
    UnifiedJedis jedis = client();
    RateLimiter limiter = closing(builder(jedis).limit(1).window(Duration.ofHours(1)).build());
    limiter.tryAcquire("k");
    assertThat(limiter.tryAcquire("k").outcome()).isEqualTo(Outcome.DENIED); // now in the local deny cache

    PipelinedCall<Decision> call = limiter.acquireCall("k");
    resetStats();
    RoundTrip.send(call);

    assertThat(call.result().outcome()).isEqualTo(Outcome.LOCAL_DENIED);
    assertThat(commandCalls()).doesNotContainKey("evalsha");
  }

  @ParameterizedTest
  @EnumSource(Algorithm.class)
  void tryAcquire_threeInstancesManyThreadsOneKey_allowExactlyTheLimit(Algorithm algorithm) throws Exception {
    int limit = 50;
    List<RateLimiter> instances = new ArrayList<>();
    String name = "exact-" + algorithm.name().toLowerCase(java.util.Locale.ROOT);
    for (int i = 0; i < 3; i++) {
      // Separate clients, like separate backend instances; no local deny cache, so every attempt reaches Redis.
      instances.add(closing(RedisRateLimiter.builder(client()).keyPrefix(prefix()).name(name).limit(limit)
          .window(Duration.ofHours(1)).algorithm(algorithm).localDenyCache(0).timeout(Duration.ofSeconds(5))
          .build()));
    }
    int threadsPerInstance = 8;
    int attemptsPerThread = 10;
    ExecutorService pool = Executors.newFixedThreadPool(3 * threadsPerInstance);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<int[]>> results = new ArrayList<>();
      for (RateLimiter limiter : instances) {
        for (int t = 0; t < threadsPerInstance; t++) {
          Callable<int[]> task = () -> {
            start.await();
            int allowed = 0;
            int denied = 0;
            for (int a = 0; a < attemptsPerThread; a++) {
              Decision d = limiter.tryAcquire("hot");
              if (d.outcome() == Outcome.ALLOWED) {
                allowed++;
              } else if (d.outcome() == Outcome.DENIED) {
                denied++;
              }
            }
            return new int[] {allowed, denied};
          };
          results.add(pool.submit(task));
        }
      }
      start.countDown();
      int allowed = 0;
      int denied = 0;
      for (Future<int[]> f : results) {
        int[] r = f.get();
        allowed += r[0];
        denied += r[1];
      }
      assertThat(allowed).isEqualTo(limit);
      assertThat(allowed + denied).isEqualTo(3 * threadsPerInstance * attemptsPerThread);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void tryAcquire_isOneEvalshaPerDecision() {
    RateLimiter limiter = closing(builder(client()).limit(1000).window(Duration.ofMinutes(1)).build());
    limiter.tryAcquire("warm-up"); // may load the script with one EVAL on each node it reaches
    for (int i = 0; i < 50; i++) {
      limiter.tryAcquire("load" + i); // every cluster node sees the script once
    }
    resetStats();
    for (int i = 0; i < 40; i++) {
      assertThat(limiter.tryAcquire("user" + i).outcome()).isEqualTo(Outcome.ALLOWED);
    }
    // commandstats also counts what the script runs: one TIME, one GET and one SET inside each EVALSHA. Any
    // extra client command (a GET before the script, an EXPIRE after it) would show up in these counts.
    Map<String, Long> calls = commandCalls();
    assertThat(calls).containsEntry("evalsha", 40L).containsEntry("time", 40L).containsEntry("get", 40L)
        .containsEntry("set", 40L);
    assertThat(calls.keySet()).isSubsetOf("evalsha", "time", "get", "set", "info", "config|resetstat");
  }

  @Test
  void tryAcquire_multiPolicyDecisionIsOneEvalsha() {
    MultiRateLimiter limiter = closing(builder(client()).buildMulti(
        RateLimitPolicy.of("user", 100, Duration.ofMinutes(1)), RateLimitPolicy.of("ip", 1000, Duration.ofMinutes(1))));
    limiter.tryAcquire(List.of("warm", "up"));
    resetStats();
    for (int i = 0; i < 10; i++) {
      assertThat(limiter.tryAcquire(List.of("user" + i, "10.0.0." + i)).allowed()).isTrue();
    }
    assertThat(commandCalls()).containsEntry("evalsha", 10L).doesNotContainKey("eval");
  }

  @Test
  void tryAcquire_locallyDeniedKeyCostsNoRedisCall() {
    RateLimiter limiter = closing(builder(client()).limit(2).window(Duration.ofHours(1)).build());
    limiter.tryAcquire("abuser");
    limiter.tryAcquire("abuser");
    Decision denied = limiter.tryAcquire("abuser");
    assertThat(denied.outcome()).isEqualTo(Outcome.DENIED);
    resetStats();
    for (int i = 0; i < 100; i++) {
      Decision d = limiter.tryAcquire("abuser");
      assertThat(d.outcome()).isEqualTo(Outcome.LOCAL_DENIED);
      assertThat(d.retryAfter()).isPositive().isLessThanOrEqualTo(denied.retryAfter());
    }
    assertThat(commandCalls()).doesNotContainKeys("evalsha", "eval");
    // Other keys still go to Redis.
    assertThat(limiter.tryAcquire("someone-else").outcome()).isEqualTo(Outcome.ALLOWED);
    assertThat(commandCalls()).containsEntry("evalsha", 1L);
  }

  @ParameterizedTest
  @EnumSource(Algorithm.class)
  void keys_expireNoLaterThanFullRecovery(Algorithm algorithm) {
    UnifiedJedis jedis = client();
    RateLimiter limiter = closing(builder(jedis).limit(10).window(Duration.ofSeconds(30)).algorithm(algorithm)
        .build());
    String suffix = switch (algorithm) {
      case GCRA -> "g";
      case SLIDING_WINDOW -> "s";
      case FIXED_WINDOW -> "f";
    };
    String key = prefix() + limiter.name() + ":{k:ttl}:" + suffix;
    Decision last = null;
    for (int i = 0; i < 4; i++) {
      last = limiter.tryAcquire("ttl");
    }
    long pttl = jedis.pttl(key);
    assertThat(pttl).isPositive();
    // TTL equals the time to full recovery (rounded up to the millisecond), never more.
    assertThat(pttl).isLessThanOrEqualTo(last.resetAfter().toMillis() + 1);
    long bound = switch (algorithm) {
      case GCRA -> 4 * 3_000; // 4 permits, one every 3 s
      case SLIDING_WINDOW -> 2 * 30_000; // the current window and the next one it weighs into
      case FIXED_WINDOW -> 30_000;
    };
    assertThat(pttl).isLessThanOrEqualTo(bound);
  }

  @Test
  void multi_deniedRequestConsumesFromNoPolicy() {
    MultiRateLimiter limiter = closing(builder(client()).buildMulti(
        RateLimitPolicy.of("user", 3, Duration.ofHours(1)), RateLimitPolicy.of("ip", 5, Duration.ofHours(1))));
    for (int i = 0; i < 3; i++) {
      assertThat(limiter.tryAcquire(List.of("u1", "1.2.3.4")).outcome()).isEqualTo(Outcome.ALLOWED);
    }
    Decision byUser = limiter.tryAcquire(List.of("u1", "1.2.3.4"));
    assertThat(byUser.outcome()).isEqualTo(Outcome.DENIED);
    assertThat(byUser.policy()).isEqualTo("user");
    assertThat(byUser.policies()).extracting(Decision::policy).containsExactly("user", "ip");
    assertThat(byUser.policies().get(1).remaining()).isEqualTo(2); // the IP policy lost nothing

    assertThat(limiter.tryAcquire(List.of("u2", "1.2.3.4")).allowed()).isTrue();
    Decision lastIp = limiter.tryAcquire(List.of("u2", "1.2.3.4"));
    assertThat(lastIp.allowed()).isTrue();
    assertThat(lastIp.policy()).isEqualTo("ip");
    assertThat(lastIp.remaining()).isZero();
    Decision byIp = limiter.tryAcquire(List.of("u2", "1.2.3.4"));
    assertThat(byIp.outcome()).isEqualTo(Outcome.DENIED);
    assertThat(byIp.policy()).isEqualTo("ip");
    assertThat(byIp.policies().get(0).remaining()).isEqualTo(1); // u2 used 2 of 3; the denial took nothing
    // u2 from another address still has its last permit.
    assertThat(limiter.tryAcquire(List.of("u2", "5.6.7.8")).allowed()).isTrue();
  }

  @Test
  void gcra_deniesUntilRetryAfterOnTheServerClock() throws InterruptedException {
    RateLimiter limiter = closing(builder(client()).limit(2).window(Duration.ofMillis(400)).localDenyCache(0)
        .build());
    assertThat(limiter.tryAcquire("w").remaining()).isEqualTo(1);
    assertThat(limiter.tryAcquire("w").remaining()).isZero();
    Decision denied = limiter.tryAcquire("w");
    assertThat(denied.outcome()).isEqualTo(Outcome.DENIED);
    assertThat(denied.retryAfter()).isPositive().isLessThanOrEqualTo(Duration.ofMillis(200));
    assertThat(denied.resetAfter()).isLessThanOrEqualTo(Duration.ofMillis(400));
    Thread.sleep(denied.retryAfter().toMillis() + 20); // Redis' clock cannot be moved; wait for it
    assertThat(limiter.tryAcquire("w").outcome()).isEqualTo(Outcome.ALLOWED);
  }

  @Test
  void fixedWindow_resetsWhenTheWindowEnds() throws InterruptedException {
    RateLimiter limiter = closing(builder(client()).limit(3).window(Duration.ofMillis(300))
        .algorithm(Algorithm.FIXED_WINDOW).localDenyCache(0).build());
    for (int i = 0; i < 3; i++) {
      assertThat(limiter.tryAcquire("f").allowed()).isTrue();
    }
    Decision denied = limiter.tryAcquire("f");
    assertThat(denied.outcome()).isEqualTo(Outcome.DENIED);
    assertThat(denied.retryAfter()).isPositive().isLessThanOrEqualTo(Duration.ofMillis(300));
    Thread.sleep(denied.retryAfter().toMillis() + 20);
    assertThat(limiter.tryAcquire("f").remaining()).isEqualTo(2);
  }

  @Test
  void slidingWindow_weighsThePreviousWindow() throws InterruptedException {
    RateLimiter limiter = closing(builder(client()).limit(4).window(Duration.ofMillis(500))
        .algorithm(Algorithm.SLIDING_WINDOW).localDenyCache(0).build());
    for (int i = 0; i < 4; i++) {
      assertThat(limiter.tryAcquire("s").allowed()).isTrue();
    }
    Decision denied = limiter.tryAcquire("s");
    assertThat(denied.outcome()).isEqualTo(Outcome.DENIED);
    // Just after the window ends, almost all of the previous window still counts.
    assertThat(denied.retryAfter()).isGreaterThan(Duration.ofMillis(500));
    Thread.sleep(denied.retryAfter().toMillis() + 20);
    assertThat(limiter.tryAcquire("s").allowed()).isTrue();
  }

  @Test
  void shadow_countsButNeverDenies() {
    RateLimiter limiter = closing(builder(client()).limit(1).window(Duration.ofHours(1)).shadow(true).build());
    assertThat(limiter.tryAcquire("sh").outcome()).isEqualTo(Outcome.ALLOWED);
    for (int i = 0; i < 3; i++) {
      Decision d = limiter.tryAcquire("sh");
      assertThat(d.outcome()).isEqualTo(Outcome.SHADOW_DENIED);
      assertThat(d.allowed()).isTrue();
      assertThat(limiter.allow("sh")).isTrue();
    }
  }

  @Test
  void tryAcquire_permitsAreAllOrNothing() {
    RateLimiter limiter = closing(builder(client()).limit(10).window(Duration.ofHours(1)).build());
    assertThat(limiter.tryAcquire("p", 7).remaining()).isEqualTo(3);
    Decision denied = limiter.tryAcquire("p", 4);
    assertThat(denied.outcome()).isEqualTo(Outcome.DENIED);
    assertThat(denied.remaining()).isEqualTo(3);
    // A smaller request is not answered by the deny cache entry of the bigger one.
    assertThat(limiter.tryAcquire("p", 3).outcome()).isEqualTo(Outcome.ALLOWED);
  }

  @Test
  void tryAcquire_badInputIsRejectedBeforeRedis() {
    RateLimiter limiter = closing(builder(client()).limit(10).window(Duration.ofMinutes(1)).build());
    resetStats();
    assertThatThrownBy(() -> limiter.tryAcquire(null)).isInstanceOf(NullPointerException.class).hasMessage("key");
    assertThatThrownBy(() -> limiter.tryAcquire("")).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("rate limit '" + limiter.name() + "': key must not be empty");
    assertThatThrownBy(() -> limiter.tryAcquire("k", 0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("permits must be >= 1 and <= 10").hasMessageContaining("was 0");
    assertThatThrownBy(() -> limiter.tryAcquire("k", 11)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("but was 11");
    assertThat(commandCalls()).doesNotContainKeys("evalsha", "eval");
  }

  @Test
  void tryAcquire_longKeysAreHashedAndStayDistinct() {
    UnifiedJedis jedis = client();
    RateLimiter limiter = closing(builder(jedis).limit(1).window(Duration.ofHours(1)).build());
    String a = "a".repeat(10_000);
    String b = "a".repeat(9_999) + "b";
    assertThat(limiter.tryAcquire(a).allowed()).isTrue();
    assertThat(limiter.tryAcquire(b).allowed()).isTrue();
    assertThat(limiter.tryAcquire(a).allowed()).isFalse();
    assertThat(limiter.tryAcquire("{}" + "x".repeat(50)).allowed()).isTrue();
  }

  @Test
  void closed_limiterRefusesDecisions() {
    RateLimiter limiter = builder(client()).limit(1).window(Duration.ofMinutes(1)).build();
    limiter.close();
    limiter.close();
    assertThatThrownBy(() -> limiter.tryAcquire("k")).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
  }
}
