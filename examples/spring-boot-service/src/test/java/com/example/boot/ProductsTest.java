package com.example.boot;

import static org.assertj.core.api.Assertions.assertThat;

import io.vtp.testkit.KeyNamespace;
import io.vtp.testkit.RedisServer;
import io.vtp.testkit.VtpServers;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Two instances of the service on one Redis: the product read is cached once for both, and its rate limit is one
 * budget across both (real Tomcat, a real HTTP client).
 */
@ExtendWith(VtpServers.class)
class ProductsTest {
  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void productsAreCachedAndRateLimitedAcrossInstances(RedisServer redis, KeyNamespace ns) throws Exception {
    String url = "redis://" + redis.host() + ":" + redis.port();
    try (ConfigurableApplicationContext a = start(url, ns.prefix());
        ConfigurableApplicationContext b = start(url, ns.prefix())) {
      // Loaded once, on A; B reads A's value from Redis (its own catalog never ran: load stays 1).
      HttpResponse<String> first = get(a, "/public/products/7");
      assertThat(first.statusCode()).isEqualTo(200);
      assertThat(first.body()).contains("\"id\":\"7\"", "\"load\":1");
      assertThat(first.headers().firstValue("RateLimit-Policy")).hasValue("\"products\";q=4;w=60");
      assertThat(get(b, "/public/products/7").body()).contains("\"load\":1");

      // The limit (4 a minute here) is one budget for both instances: 2 used above, 2 more, then 429.
      assertThat(get(a, "/public/products/8").statusCode()).isEqualTo(200);
      assertThat(get(b, "/public/products/9").statusCode()).isEqualTo(200);
      HttpResponse<String> denied = get(a, "/public/products/7");
      assertThat(denied.statusCode()).isEqualTo(429);
      assertThat(denied.headers().firstValue("Retry-After")).isPresent();
      assertThat(denied.headers().firstValue("Content-Type")).hasValueSatisfying(
          t -> assertThat(t).startsWith("application/problem+json"));
      assertThat(denied.body()).contains("rate limit 'products' exceeded");
    }
  }

  private HttpResponse<String> get(ConfigurableApplicationContext ctx, String path) throws Exception {
    int port = Integer.parseInt(ctx.getEnvironment().getProperty("local.server.port"));
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static ConfigurableApplicationContext start(String redisUrl, String keyPrefix) {
    return new SpringApplicationBuilder(ServiceApplication.class)
        .run("--server.port=0", "--server.address=127.0.0.1", "--vtp.redis.url=" + redisUrl,
            "--vtp.session.key-prefix=" + keyPrefix, "--vtp.cache.key-prefix=" + keyPrefix,
            "--vtp.ratelimit.key-prefix=" + keyPrefix + "rl:", "--vtp.ratelimit.rules.products.limit=4",
            "--demo.password=test-password-123", "--spring.main.banner-mode=off",
            "--logging.level.root=warn");
  }
}
