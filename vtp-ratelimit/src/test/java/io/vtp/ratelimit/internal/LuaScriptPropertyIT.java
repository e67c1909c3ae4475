package io.vtp.ratelimit.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.vtp.ratelimit.RateLimiter;
import io.vtp.ratelimit.RedisRateLimiter;
import io.vtp.testkit.RedisServer;
import io.vtp.testkit.TestServers;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import redis.clients.jedis.RedisClient;

/**
 * The Lua script's GCRA against {@link Gcra}, step by step, on a real Redis. The script takes "now" from
 * {@code TIME}; here tests pass it explicitly (the script's only test hook) so both sides see the same instants,
 * starting at today's magnitude (~1.7e15 µs) where Lua's doubles must still be exact. Windows are long enough
 * (intervals of 40 ms or more) that no key expires in real time between two steps.
 *
 * <p>jqwik does not run JUnit Jupiter extensions, so this class starts a Redis of its own with the testkit.
 */
class LuaScriptPropertyIT {
  private static TestServers servers;
  private static RedisServer redis;
  private static RedisClient jedis;
  private static final AtomicLong KEYS = new AtomicLong();

  @BeforeContainer
  static void start() {
    servers = TestServers.create();
    redis = servers.startRedis();
    jedis = redis.newClient();
  }

  @AfterContainer
  static void stop() {
    jedis.close();
    servers.close();
  }

  record Step(long dtMicros, long permits) {}

  @Provide
  Arbitrary<List<Step>> steps() {
    return Combinators.combine(Arbitraries.longs().between(0, 3_000_000), Arbitraries.longs().between(1, 10))
        .as(Step::new).list().ofMinSize(1).ofMaxSize(25);
  }

  @Property(tries = 150)
  void script_agreesWithGcraStepByStep(@ForAll @IntRange(min = 1, max = 50) int limit,
      @ForAll @IntRange(min = 2_000, max = 60_000) int windowMillis, @ForAll @IntRange(min = 1, max = 10) int burst,
      @ForAll("steps") List<Step> steps) {
    try (RateLimiter limiter = RedisRateLimiter.builder(jedis).name("prop").limit(limit)
        .window(Duration.ofMillis(windowMillis)).burst(burst).callerThreadRedisCalls().build()) {
      LimiterEngine engine = ((SingleRateLimiter) limiter).engine();
      long interval = Gcra.interval(windowMillis * 1000L, limit);
      String key = "lua-prop:{" + KEYS.incrementAndGet() + "}";
      long tat = Long.MIN_VALUE;
      long now = 1_700_000_000_000_000L + KEYS.get() * 7_919L;
      for (Step s : steps) {
        now += s.dtMicros();
        int permits = (int) Math.min(s.permits(), burst);
        Gcra.Result expected = Gcra.check(tat, now, interval, burst, permits);
        List<Long> reply = engine.evalAt(now, List.of(key), permits);
        assertThat(reply).as("gcra.lua").containsExactly(expected.allowed() ? 1L : 0L, expected.allowed() ? 1L : 0L,
            expected.remaining(), expected.resetAfter(), expected.retryAfter());
        // The general script's GCRA branch (multi-policy limiters) on its own copy of the state agrees too.
        List<?> general = (List<?>) LimiterEngine.SCRIPT.eval(jedis, List.of(key + ":general"), List.of(
            Long.toString(now), Integer.toString(permits), "1", Integer.toString(limit),
            Long.toString(windowMillis * 1000L), Integer.toString(burst), Long.toString(interval)));
        assertThat(general.stream().map(v -> (Long) v).toList()).as("ratelimit.lua").isEqualTo(reply);
        if (expected.allowed()) {
          long pttl = jedis.pttl(key);
          long ttlMillis = (expected.resetAfter() + 999) / 1000;
          assertThat(pttl).isBetween(ttlMillis - 1_000, ttlMillis);
          tat = expected.tat();
        }
        // The stored state is exactly the model's (formatted without losing digits).
        if (tat != Long.MIN_VALUE) {
          assertThat(jedis.get(key)).isEqualTo(Long.toString(tat));
        }
      }
    }
  }
}
