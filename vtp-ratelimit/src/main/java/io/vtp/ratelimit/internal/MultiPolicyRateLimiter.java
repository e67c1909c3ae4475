package io.vtp.ratelimit.internal;

import io.vtp.ratelimit.Decision;
import io.vtp.ratelimit.MultiRateLimiter;
import io.vtp.ratelimit.RateLimitPolicy;
import java.util.List;

/** A {@link MultiRateLimiter} over a {@link LimiterEngine}. Thread-safe. */
public final class MultiPolicyRateLimiter implements MultiRateLimiter {
  private final LimiterEngine engine;

  /**
   * Creates the limiter.
   *
   * @param config the validated configuration
   */
  public MultiPolicyRateLimiter(EngineConfig config) {
    this.engine = new LimiterEngine(config);
  }

  @Override
  public String name() {
    return engine.name();
  }

  @Override
  public List<RateLimitPolicy> policies() {
    return engine.config().policies();
  }

  @Override
  public Decision tryAcquire(List<String> keys, int permits) {
    return engine.decide(keys, permits);
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
    return "RedisMultiRateLimiter[" + name() + " " + policies() + ", " + engine.config().failureMode() + "]";
  }
}
