package com.example.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vtp.redis.RedisClientOptions;
import io.vtp.redis.RedisClients;
import io.vtp.redis.RedisUrl;
import io.vtp.testkit.PostgresDatabase;
import io.vtp.testkit.RedisServer;
import io.vtp.testkit.VtpServers;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import redis.clients.jedis.UnifiedJedis;

/** Two instances of the service on one Redis and one PostgreSQL, as a deployment runs them. */
@ExtendWith(VtpServers.class)
class CatalogServiceTest {

  @Test
  void anyInstanceServesASessionCreatedOnAnother(RedisServer redis, PostgresDatabase db) throws SQLException {
    try (UnifiedJedis client = client(redis);
        CatalogService one = new CatalogService(client, db.dataSource(), "catalog-1", 100);
        CatalogService two = new CatalogService(client, db.dataSource(), "catalog-2", 100)) {
      one.createSchema();
      insert(db, 1, "Tea pot");
      String session = one.signIn("ada");
      assertEquals("Tea pot", two.product(session, 1).product().name());
      one.rename(1, "Teapot");
      assertEquals("Teapot", two.product(session, 1).product().name(), "the rename invalidated every instance");
      assertEquals(404, one.product(session, 99).status());
      assertTrue(two.signOut(session));
      assertEquals(401, one.product(session, 1).status());
    }
  }

  @Test
  void theLimitHoldsAcrossInstances(RedisServer redis, PostgresDatabase db) throws SQLException {
    try (UnifiedJedis client = client(redis);
        CatalogService one = new CatalogService(client, db.dataSource(), "catalog-1", 3);
        CatalogService two = new CatalogService(client, db.dataSource(), "catalog-2", 3)) {
      one.createSchema();
      insert(db, 2, "Kettle");
      String session = one.signIn("grace");
      assertEquals(200, one.product(session, 2).status());
      assertEquals(200, two.product(session, 2).status());
      assertEquals(200, one.product(session, 2).status());
      CatalogService.Answer denied = two.product(session, 2);
      assertEquals(429, denied.status());
      assertTrue(denied.retryAfter().compareTo(Duration.ZERO) > 0);
    }
  }

  @Test
  void readinessPassesWhenPostgresAndRedisAnswer(RedisServer redis, PostgresDatabase db) {
    try (UnifiedJedis client = client(redis);
        CatalogService one = new CatalogService(client, db.dataSource(), "catalog-1", 100)) {
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> one.readiness().httpStatus() == 200);
      assertEquals("catalog-1", one.readiness().instance());
    }
  }

  private static UnifiedJedis client(RedisServer redis) {
    return RedisClients.create(RedisUrl.parse("redis://" + redis.host() + ":" + redis.port()),
        RedisClientOptions.builder().socketTimeout(Duration.ofMillis(500)).build());
  }

  private static void insert(PostgresDatabase db, long id, String name) throws SQLException {
    try (Connection c = db.connect(); PreparedStatement s = c.prepareStatement(
        "INSERT INTO product (id, name) VALUES (?, ?) ON CONFLICT (id) DO NOTHING")) {
      s.setLong(1, id);
      s.setString(2, name);
      s.executeUpdate();
    }
  }
}
