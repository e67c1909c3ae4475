package io.vtp.bench.springpeer;

import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.distributed.proxy.ProxyManager;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.servlet.HandlerInterceptor;

/**
 * The per-user limit on {@code /api/**}: one Bucket4j bucket per user in Redis, consulted on every request
 * ({@code X-Rate-Limit-Remaining} on success; 429 with {@code Retry-After} when empty), as Bucket4j's own
 * documentation shows for Spring MVC.
 */
final class RateLimitInterceptor implements HandlerInterceptor {
  private final ProxyManager<byte[]> buckets;
  private final BucketConfiguration configuration;

  RateLimitInterceptor(ProxyManager<byte[]> buckets, BucketConfiguration configuration) {
    this.buckets = buckets;
    this.configuration = configuration;
  }

  @Override
  public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler) {
    Authentication auth = SecurityContextHolder.getContext().getAuthentication();
    if (auth == null || !auth.isAuthenticated()) {
      return true; // the login: Spring Security lets only it through unauthenticated
    }
    byte[] key = ("rate:user:" + auth.getName()).getBytes(StandardCharsets.UTF_8);
    ConsumptionProbe probe = buckets.builder().build(key, () -> configuration).tryConsumeAndReturnRemaining(1);
    if (probe.isConsumed()) {
      response.setHeader("X-Rate-Limit-Remaining", Long.toString(probe.getRemainingTokens()));
      return true;
    }
    long seconds = Math.max(1, TimeUnit.NANOSECONDS.toSeconds(probe.getNanosToWaitForRefill()) + 1);
    response.setStatus(429);
    response.setHeader("Retry-After", Long.toString(seconds));
    return false;
  }
}
