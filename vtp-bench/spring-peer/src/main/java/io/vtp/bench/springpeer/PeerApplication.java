package io.vtp.bench.springpeer;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.cache.annotation.EnableCaching;

/**
 * The Spring peer of {@code bin/bench-system}: {@code GET /api/v1/courses/{id}} as a Spring team builds it today,
 * with the app's semantics (a session created by a login, a per-user limit of 100 a minute decided in Redis on every
 * request, a course cached in Redis in front of PostgreSQL) and nothing of ours:
 * <ul>
 *   <li>Spring Security 7: {@code POST /api/v1/auth/login} authenticates against the app's {@code users} table
 *       ({@link SecurityConfig}), the security context lives in the session;</li>
 *   <li>Spring Session Data Redis ({@code RedisSessionRepository}, Boot's default, on Lettuce), the session id
 *       carried in the {@code X-Auth-Token} header ({@code HeaderHttpSessionIdResolver}, Spring Session's REST
 *       idiom);</li>
 *   <li>Bucket4j 8.17.0 on Lettuce, one bucket per user ({@link RateLimitInterceptor});</li>
 *   <li>Spring Cache on Redis ({@code RedisCacheManager} as Boot configures it) over {@code JdbcTemplate}
 *       ({@link CourseRepository}).</li>
 * </ul>
 * Configuration (environment): {@code REDIS_URL}, {@code DATABASE_URL} ({@code jdbc:postgresql://...}),
 * {@code DATABASE_USER}, {@code DATABASE_PASSWORD}, {@code PEER_RATE_PER_MINUTE} (100), {@code INSTANCE_ID},
 * {@code server.port} as an argument. Built by {@code bin/bench-system} ({@code mvn package} in
 * {@code vtp-bench/spring-peer}), run with {@code java -jar target/spring-peer.jar --server.port=N}.
 */
@SpringBootApplication
@EnableCaching
public class PeerApplication {
  /**
   * Starts the peer.
   *
   * @param args Spring Boot arguments, e.g. {@code --server.port=33301}
   */
  public static void main(String[] args) {
    SpringApplication.run(PeerApplication.class, args);
  }
}
