package io.vtp.ratelimit.internal;

import io.vtp.testkit.MutableClock;
import static org.assertj.core.api.Assertions.assertThat;

import io.vtp.ratelimit.RateLimitPolicy;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The parts decided in the JVM, on a clock the test moves. */
class LocalPartsTest {
  private final MutableClock clock = MutableClock.atMillis(1_000_000);

  @Test
  void localDenyCache_deniesUntilRetryTimeAndOnlyAsManyPermitsOrMore() {
    LocalDenyCache cache = new LocalDenyCache(10);
    cache.put("k", new LocalDenyCache.Entry(5_000, 9_000, 2, 0), 0);
    assertThat(cache.find("k", 2, 4_999)).isNotNull();
    assertThat(cache.find("k", 3, 4_999)).isNotNull();
    assertThat(cache.find("k", 1, 4_999)).isNull(); // fewer permits may fit earlier: ask Redis
    assertThat(cache.find("k", 2, 5_000)).isNull();
    assertThat(cache.size()).isZero(); // expired entries leave on lookup
  }

  @Test
  void localDenyCache_isBounded() {
    LocalDenyCache cache = new LocalDenyCache(3);
    for (int i = 0; i < 3; i++) {
      cache.put("k" + i, new LocalDenyCache.Entry(100, 100, 1, 0), 0);
    }
    cache.put("k3", new LocalDenyCache.Entry(100, 100, 1, 0), 50);
    assertThat(cache.size()).isEqualTo(3);
    assertThat(cache.find("k3", 1, 50)).isNull();
    cache.put("k4", new LocalDenyCache.Entry(300, 300, 1, 0), 200); // sweeps the expired ones
    assertThat(cache.find("k4", 1, 200)).isNotNull();
    assertThat(cache.size()).isEqualTo(1);
  }

  @Test
  void localFallback_allowsTheInstanceShareAllOrNothing() {
    LocalFallback fallback = new LocalFallback(List.of(RateLimitPolicy.of("user", 6, Duration.ofMinutes(1)),
        RateLimitPolicy.of("ip", 30, Duration.ofMinutes(1))), 3, 100);
    assertThat(fallback.limit(0)).isEqualTo(2);
    assertThat(fallback.limit(1)).isEqualTo(10);
    long now = 0;
    assertThat(fallback.decide(new String[] {"u1", "ip"}, 1, now)[0].allowed()).isTrue();
    assertThat(fallback.decide(new String[] {"u1", "ip"}, 1, now)[0].allowed()).isTrue();
    Gcra.Result[] denied = fallback.decide(new String[] {"u1", "ip"}, 1, now);
    assertThat(denied[0].allowed()).isFalse();
    assertThat(denied[0].retryAfter()).isEqualTo(30_000_000L); // 2 per minute
    assertThat(denied[1].allowed()).isTrue();
    assertThat(denied[1].remaining()).isEqualTo(8); // the denied request took nothing from the ip policy
    assertThat(fallback.decide(new String[] {"u1", "ip"}, 3, now)[0].allowed()).isFalse(); // above the share
  }
}
