package com.example.catalog;

import io.vtp.cache.CacheAside;
import io.vtp.cache.Loaded;
import io.vtp.cache.RedisCacheAside;
import io.vtp.health.HealthChecks;
import io.vtp.health.HealthRegistry;
import io.vtp.health.HealthReport;
import io.vtp.ratelimit.Decision;
import io.vtp.ratelimit.RateLimiter;
import io.vtp.ratelimit.RedisRateLimiter;
import io.vtp.session.Session;
import io.vtp.session.SessionStore;
import io.vtp.session.RedisSessionStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;
import redis.clients.jedis.UnifiedJedis;

/**
 * A product catalogue that runs as many identical instances: sign-in sessions, a per-user request limit and the
 * product cache live in Redis, products in PostgreSQL. Thread-safe.
 */
public final class CatalogService implements AutoCloseable {
  private final SessionStore sessions;
  private final RateLimiter perUser;
  private final CacheAside<Product> products;
  private final HealthRegistry health;
  private final DataSource db;

  /**
   * Wires the service.
   *
   * @param redis shared by all four parts; the caller closes it after this service
   * @param db the product database
   * @param instanceId this instance's name in health reports
   * @param requestsPerMinute the per-user limit
   */
  public CatalogService(UnifiedJedis redis, DataSource db, String instanceId, int requestsPerMinute) {
    this.db = db;
    this.sessions = RedisSessionStore.builder(redis).name("catalog").idleTimeout(Duration.ofHours(8)).build();
    this.perUser = RedisRateLimiter.builder(redis).name("catalog-api").limit(requestsPerMinute)
        .window(Duration.ofMinutes(1)).build();
    this.products = RedisCacheAside.builder(redis, Product.class).name("products").ttl(Duration.ofMinutes(5))
        .build();
    this.health = HealthRegistry.builder().instanceId(instanceId)
        .register(HealthChecks.postgres(db))
        .register(HealthChecks.redis(redis))
        .build();
    health.start();
  }

  /** Creates the product table when it is missing. */
  public void createSchema() throws SQLException {
    try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement(
        "CREATE TABLE IF NOT EXISTS product (id BIGINT PRIMARY KEY, name TEXT NOT NULL)")) {
      s.execute();
    }
  }

  /**
   * Signs a user in.
   *
   * @param userId the user
   * @return the session id to hand to the client
   */
  public String signIn(String userId) {
    return sessions.create(userId, Map.of()).id();
  }

  /**
   * Signs a session out, on every instance at once.
   *
   * @param sessionId the session id
   * @return whether the session existed
   */
  public boolean signOut(String sessionId) {
    return sessions.delete(sessionId);
  }

  /**
   * Reads a product for a signed-in user, within the user's limit, from the cache or the database.
   *
   * @param sessionId the caller's session id
   * @param productId the product
   * @return the answer
   */
  public Answer product(String sessionId, long productId) {
    Optional<Session> session = sessions.find(sessionId);
    if (session.isEmpty()) {
      return new Answer(401, null, Duration.ZERO);
    }
    Decision decision = perUser.tryAcquire(session.get().userId());
    if (!decision.allowed()) {
      return new Answer(429, null, decision.retryAfter());
    }
    Optional<Product> product = products.get(Long.toString(productId), key -> Loaded.ofNullable(load(productId)));
    return product.map(p -> new Answer(200, p, Duration.ZERO)).orElseGet(() -> new Answer(404, null, Duration.ZERO));
  }

  /**
   * Renames a product in the database, then drops it from the cache of every instance.
   *
   * @param productId the product
   * @param name the new name
   * @throws SQLException when the database fails
   */
  public void rename(long productId, String name) throws SQLException {
    try (Connection c = db.getConnection();
        PreparedStatement s = c.prepareStatement("UPDATE product SET name = ? WHERE id = ?")) {
      s.setString(1, name);
      s.setLong(2, productId);
      s.executeUpdate();
    }
    products.invalidate(Long.toString(productId));
  }

  /**
   * Returns the readiness report (503 when PostgreSQL or Redis is down), from the background checks' snapshot.
   *
   * @return the report
   */
  public HealthReport readiness() {
    return health.readiness();
  }

  private Product load(long id) throws SQLException {
    try (Connection c = db.getConnection();
        PreparedStatement s = c.prepareStatement("SELECT id, name FROM product WHERE id = ?")) {
      s.setLong(1, id);
      try (ResultSet r = s.executeQuery()) {
        return r.next() ? new Product(r.getLong(1), r.getString(2)) : null;
      }
    }
  }

  @Override
  public void close() {
    health.close();
    products.close();
    perUser.close();
  }

  /**
   * What the HTTP layer would send.
   *
   * @param status the HTTP status
   * @param product the product for 200, else {@code null}
   * @param retryAfter the wait for 429, else zero
   */
  public record Answer(int status, Product product, Duration retryAfter) {}
}
