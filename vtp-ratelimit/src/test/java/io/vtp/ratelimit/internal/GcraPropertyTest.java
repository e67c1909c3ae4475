package io.vtp.ratelimit.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

/** {@link Gcra} against the simplest model there is: a token bucket holding credit in microseconds. */
class GcraPropertyTest {

  /** One request: time since the previous one (µs) and permits asked for (1..burst). */
  record Step(long dt, long permits) {}

  /** Capacity {@code burst * interval} µs of credit, refilled 1 µs per µs, a permit costs {@code interval}. */
  static final class TokenBucket {
    final long interval;
    final long capacity;
    long credit;
    long last = Long.MIN_VALUE;

    TokenBucket(long interval, long burst) {
      this.interval = interval;
      this.capacity = burst * interval;
      this.credit = capacity;
    }

    Gcra.Result take(long now, long permits) {
      if (last != Long.MIN_VALUE) {
        credit = Math.min(capacity, credit + (now - last));
      }
      last = now;
      long need = permits * interval;
      if (credit >= need) {
        credit -= need;
        return new Gcra.Result(true, 0, credit / interval, capacity - credit, 0);
      }
      return new Gcra.Result(false, 0, credit / interval, capacity - credit, need - credit);
    }
  }

  @Provide
  Arbitrary<List<Step>> steps() {
    return Combinators.combine(Arbitraries.longs().between(0, 5_000_000), Arbitraries.longs().between(1, 20))
        .as(Step::new).list().ofMinSize(1).ofMaxSize(60);
  }

  @Property(tries = 500)
  void check_agreesWithTokenBucketModel(@ForAll @LongRange(min = 1, max = 1_000_000) long interval,
      @ForAll @IntRange(min = 1, max = 20) int burst, @ForAll("steps") List<Step> steps) {
    TokenBucket model = new TokenBucket(interval, burst);
    long tat = Long.MIN_VALUE;
    long now = 1_700_000_000_000_000L;
    for (Step s : steps) {
      now += s.dt();
      long permits = Math.min(s.permits(), burst);
      Gcra.Result r = Gcra.check(tat, now, interval, burst, permits);
      Gcra.Result m = model.take(now, permits);
      assertThat(r.allowed()).isEqualTo(m.allowed());
      assertThat(r.remaining()).isEqualTo(m.remaining());
      assertThat(r.resetAfter()).isEqualTo(m.resetAfter());
      assertThat(r.retryAfter()).isEqualTo(m.retryAfter());
      tat = r.tat();
    }
  }

  @Property(tries = 300)
  void check_neverAllowsMoreThanBurstPlusRefillOverAnyPrefix(
      @ForAll @LongRange(min = 1, max = 100_000) long interval, @ForAll @IntRange(min = 1, max = 20) int burst,
      @ForAll("steps") List<Step> steps) {
    long tat = Long.MIN_VALUE;
    long start = 1_000_000_000L;
    long now = start;
    long granted = 0;
    for (Step s : steps) {
      now += s.dt() % (3 * interval);
      long permits = Math.min(s.permits(), burst);
      Gcra.Result r = Gcra.check(tat, now, interval, burst, permits);
      if (r.allowed()) {
        granted += permits;
      }
      tat = r.tat();
      assertThat(granted).isLessThanOrEqualTo(burst + (now - start) / interval);
    }
  }

  @Property(tries = 300)
  void check_retryAfterIsTheExactMomentTheRequestFits(@ForAll @LongRange(min = 1, max = 100_000) long interval,
      @ForAll @IntRange(min = 1, max = 20) int burst, @ForAll("steps") List<Step> steps) {
    long tat = Long.MIN_VALUE;
    long now = 0;
    for (Step s : steps) {
      now += s.dt() % (2 * interval);
      long permits = Math.min(s.permits(), burst);
      Gcra.Result r = Gcra.check(tat, now, interval, burst, permits);
      if (!r.allowed()) {
        assertThat(Gcra.check(tat, now + r.retryAfter() - 1, interval, burst, permits).allowed()).isFalse();
        assertThat(Gcra.check(tat, now + r.retryAfter(), interval, burst, permits).allowed()).isTrue();
      } else {
        // After resetAfter the bucket is full again: the whole burst fits.
        Gcra.Result later = Gcra.check(r.tat(), now + r.resetAfter(), interval, burst, burst);
        assertThat(later.allowed()).isTrue();
        assertThat(Gcra.check(r.tat(), now + r.resetAfter() - 1, interval, burst, burst).allowed()).isFalse();
      }
      tat = r.tat();
    }
  }

  @Property
  void interval_roundsUpSoRoundingNeverGrantsMore(@ForAll @LongRange(min = 1, max = 1_000_000_000L) long window,
      @ForAll @LongRange(min = 1, max = 1_000_000) long limit) {
    long interval = Gcra.interval(window, limit);
    assertThat(interval).isPositive();
    if (limit <= window) {
      assertThat(interval * limit).isGreaterThanOrEqualTo(window);
      assertThat((interval - 1) * limit).isLessThan(window);
    }
  }
}
