/**
 * VTP Scale health: liveness, readiness and full reports for PostgreSQL and Redis from background checks
 * ({@code io.vtp.health}), and the optional Micrometer binding ({@code io.vtp.health.micrometer}, needs
 * {@code micrometer-core}). The Redis check needs Jedis and pool saturation needs HikariCP, both optional.
 */
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"})
module io.vtp.health {
  requires transitive java.sql;
  requires org.slf4j;
  requires static transitive redis.clients.jedis;
  requires static transitive com.zaxxer.hikari;
  requires static transitive micrometer.core;

  exports io.vtp.health;
  exports io.vtp.health.micrometer;
}
