package io.vtp.bench.springpeer;

import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.distributed.proxy.ProxyManager;
import io.github.bucket4j.redis.lettuce.Bucket4jLettuce;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Duration;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/** Bucket4j on its own Lettuce connection, the interceptor on {@code /api/**}, the instance header. */
@Configuration(proxyBeanMethods = false)
class WebConfig implements WebMvcConfigurer {
  private final ProxyManager<byte[]> buckets;
  private final BucketConfiguration limit;

  WebConfig(ProxyManager<byte[]> buckets, @Value("${peer.rate-limit.per-minute}") long perMinute) {
    this.buckets = buckets;
    this.limit = BucketConfiguration.builder()
        .addLimit(l -> l.capacity(perMinute).refillIntervally(perMinute, Duration.ofMinutes(1))).build();
  }

  @Override
  public void addInterceptors(InterceptorRegistry registry) {
    registry.addInterceptor(new RateLimitInterceptor(buckets, limit)).addPathPatterns("/api/**")
        .excludePathPatterns("/api/v1/auth/login");
  }

  @Configuration(proxyBeanMethods = false)
  static class Buckets {
    @Bean(destroyMethod = "shutdown")
    RedisClient bucketRedisClient(@Value("${spring.data.redis.url}") String url) {
      return RedisClient.create(url);
    }

    @Bean(destroyMethod = "close")
    StatefulRedisConnection<byte[], byte[]> bucketConnection(RedisClient bucketRedisClient) {
      return bucketRedisClient.connect(ByteArrayCodec.INSTANCE);
    }

    @Bean
    ProxyManager<byte[]> buckets(StatefulRedisConnection<byte[], byte[]> bucketConnection) {
      return Bucket4jLettuce.casBasedBuilder(bucketConnection)
          .expirationAfterWrite(ExpirationAfterWriteStrategy.basedOnTimeForRefillingBucketUpToMax(
              Duration.ofSeconds(10)))
          .build();
    }

    /** Which instance answered, for the benchmark's per-instance CPU (the app sends the same header). */
    @Bean
    FilterRegistrationBean<OncePerRequestFilter> instanceHeader(@Value("${peer.instance-id}") String id) {
      FilterRegistrationBean<OncePerRequestFilter> r = new FilterRegistrationBean<>(new OncePerRequestFilter() {
        @Override
        protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
          response.setHeader("X-Instance-Id", id);
          chain.doFilter(request, response);
        }
      });
      r.setOrder(Ordered.HIGHEST_PRECEDENCE);
      return r;
    }
  }
}
