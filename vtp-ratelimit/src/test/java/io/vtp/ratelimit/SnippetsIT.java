package io.vtp.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vtp.ratelimit.micrometer.RateLimitMetrics;
import io.vtp.testkit.RedisServer;
import io.vtp.testkit.VtpServers;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.UnifiedJedis;

/**
 * The javadoc examples of {@link RedisRateLimiter}, {@link RateLimiter}, {@link RateLimitHttp} and
 * {@link RateLimitMetrics}, compiled.
 */
@ExtendWith(VtpServers.class)
class SnippetsIT {

  @Test
  void javadocExamples_compileAndRun(RedisServer redis) {
    try (RedisClient client = redis.newClient()) {
      UnifiedJedis jedis = client;
      String userId = "snippet-user";
      String clientIp = "192.0.2.1";
      try (RateLimiter api = RedisRateLimiter.builder(jedis)
              .name("snippet-api").limit(100).window(Duration.ofMinutes(1))
              .build();
          MultiRateLimiter login = RedisRateLimiter.builder(jedis)
              .name("snippet-login").failureMode(FailureMode.FAIL_CLOSED)
              .buildMulti(RateLimitPolicy.of("user", 5, Duration.ofMinutes(1)),
                  RateLimitPolicy.of("ip", 100, Duration.ofMinutes(1)))) {
        Decision d = login.tryAcquire(List.of(userId, clientIp));
        assertThat(d.allowed()).isTrue();
        Decision a = api.tryAcquire(userId);
        Map<String, String> headers = RateLimitHttp.headers(a);
        assertThat(headers).containsKeys("RateLimit-Policy", "RateLimit");
      } finally {
        jedis.del("rl:snippet-api:{k:snippet-user}:g", "rl:{snippet-login}:user:k:snippet-user:g",
            "rl:{snippet-login}:ip:k:192.0.2.1:g");
      }
    }
  }

  @Test
  void metricsExample_compilesAndRuns(RedisServer redis) {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (RedisClient client = redis.newClient()) {
      UnifiedJedis jedis = client;
      RateLimitMetrics metrics = RateLimitMetrics.create(registry, "snippet-metered");
      RateLimiter api = RedisRateLimiter.builder(jedis).name("snippet-metered").limit(100)
          .window(Duration.ofMinutes(1)).listener(metrics).build();
      try {
        assertThat(api.tryAcquire("snippet-user").allowed()).isTrue();
        assertThat(registry.get("vtp.ratelimit.decisions").tags("name", "snippet-metered", "outcome", "allowed")
            .counter().count()).isEqualTo(1);
      } finally {
        api.close();
        metrics.close();
        jedis.del("rl:snippet-metered:{k:snippet-user}:g");
      }
      assertThat(registry.getMeters()).isEmpty();
    }
  }
}
