package io.vtp.ratelimit.internal;

import io.vtp.ratelimit.Decision;
import io.vtp.ratelimit.RateLimitPolicy;
import io.vtp.ratelimit.RateLimiter;
import io.vtp.redis.PipelinedCall;
import java.util.Collections;

/** A {@link RateLimiter} over a {@link LimiterEngine} with one policy. Thread-safe. */
public final class SingleRateLimiter implements RateLimiter {
  private final LimiterEngine engine;

  /**
   * Creates the limiter.
   *
   * @param config the validated configuration, with exactly one policy
   */
  public SingleRateLimiter(EngineConfig config) {
    this.engine = new LimiterEngine(config);
  }

  @Override
  public String name() {
    return engine.name();
  }

  @Override
  public RateLimitPolicy policy() {
    return engine.config().policies().get(0);
  }

  @Override
  public Decision tryAcquire(String key, int permits) {
    return engine.decide(Collections.singletonList(key), permits);
  }

  @Override
  public PipelinedCall<Decision> acquireCall(String key) {
    return engine.prepare(Collections.singletonList(key), 1);
  }

  @Override
  public void close() {
    engine.close();
  }

  LimiterEngine engine() {
    return engine;
  }

  @Override
  public String toString() {
    return "RedisRateLimiter[" + policy() + ", " + engine.config().failureMode() + ", timeout "
        + engine.config().timeout().toMillis() + " ms" + (engine.config().shadow() ? ", shadow" : "") + "]";
  }
}
