package io.vtp.app.web;

import io.micrometer.core.instrument.MeterRegistry;
import io.vtp.app.auth.HashGate;
import io.vtp.app.auth.LoginFailures;
import io.vtp.app.config.AppConfig;
import io.vtp.ratelimit.FailureMode;
import io.vtp.ratelimit.RateLimiter;
import io.vtp.ratelimit.RedisRateLimiter;
import io.vtp.ratelimit.micrometer.RateLimitMetrics;
import java.time.Duration;
import redis.clients.jedis.UnifiedJedis;

/**
 * The account endpoints' abuse limits, built from the configuration: registrations per client address (failing
 * closed: no Redis, no registration), failed logins per account and address with back-off, and the bound on
 * password hashes at once. Thread-safe; close it with the app.
 *
 * @param register the registration limit per client address ({@code RATE_LIMIT_REGISTER_PER_MINUTE})
 * @param loginFailures failed logins per account and address ({@code LOGIN_FAILURES_BEFORE_BACKOFF})
 * @param hashes the bound on password hashes ({@code PASSWORD_HASH_CONCURRENCY})
 */
public record AccountLimits(RateLimiter register, LoginFailures loginFailures, HashGate hashes)
    implements AutoCloseable {

  /**
   * Builds the limits.
   *
   * @param config the configuration
   * @param redis the shared client
   * @param meters where the registration limiter's metrics go ({@code name="register"})
   * @return the limits
   */
  public static AccountLimits create(AppConfig config, UnifiedJedis redis, MeterRegistry meters) {
    RateLimiter register = RedisRateLimiter.builder(redis)
        .name("register").limit(config.security().registerLimitPerMinute()).window(Duration.ofMinutes(1))
        .failureMode(FailureMode.FAIL_CLOSED).timeout(config.rateLimitTimeout().multipliedBy(2))
        .listener(RateLimitMetrics.create(meters, "register"))
        .build();
    return new AccountLimits(register, new LoginFailures(redis, config.security().loginFailuresBeforeBackoff()),
        new HashGate(config.security().passwordHashConcurrency()));
  }

  @Override
  public void close() {
    register.close();
  }
}
