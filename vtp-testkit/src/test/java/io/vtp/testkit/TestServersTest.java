package io.vtp.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class TestServersTest {

  @Test
  void externalRedis_parsesHostPortAndPassword() {
    RedisServer s = TestServers.externalRedis("redis://:secret@10.0.0.5:6380");
    assertThat(s.host()).isEqualTo("10.0.0.5");
    assertThat(s.port()).isEqualTo(6380);
    assertThat(s.uri().toString()).isEqualTo("redis://:secret@10.0.0.5:6380");
    assertThat(s.isManaged()).isFalse();
    assertThatThrownBy(s::pause).isInstanceOf(TestkitException.class).hasMessageContaining("@Dedicated");
  }

  @Test
  void externalRedis_rejectsOtherSchemes() {
    assertThatThrownBy(() -> TestServers.externalRedis("http://x:1"))
        .isInstanceOf(TestkitException.class).hasMessageContaining(TestServers.REDIS_URL_ENV);
  }

  @Test
  void externalCluster_parsesCommaList() {
    RedisCluster c = TestServers.externalCluster("127.0.0.1:7000, 127.0.0.1:7001,127.0.0.1:7002");
    assertThat(c.nodes()).extracting(RedisServer::port).containsExactly(7000, 7001, 7002);
  }

  @Test
  void externalPostgres_parsesOriginalAndJdbcForms() {
    PostgresServer a = TestServers.externalPostgres("postgresql://vtp:pw@db.local:5433/vtp?sslmode=disable");
    assertThat(a.host()).isEqualTo("db.local");
    assertThat(a.port()).isEqualTo(5433);
    assertThat(a.user()).isEqualTo("vtp");
    assertThat(a.password()).isEqualTo("pw");
    assertThat(a.jdbcUrl("x")).isEqualTo("jdbc:postgresql://db.local:5433/x");
    PostgresServer b = TestServers.externalPostgres("jdbc:postgresql://h/db");
    assertThat(b.port()).isEqualTo(5432);
    assertThatThrownBy(() -> TestServers.externalPostgres("mysql://h/db")).isInstanceOf(TestkitException.class);
  }

  @Test
  void redis_usesExplicitUrlFromEnvironmentFirst() {
    try (TestServers servers = TestServers.create(Map.of(TestServers.REDIS_URL_ENV, "redis://127.0.0.9:1234"))) {
      assertThat(servers.redis().port()).isEqualTo(1234);
      assertThat(servers.redis().isManaged()).isFalse();
    }
  }

  @Test
  void parseCommandStats_readsCallsPerCommand() {
    String info = "# Commandstats\r\ncmdstat_get:calls=12,usec=30,usec_per_call=2.50,rejected_calls=0,failed_calls=0\r\n"
        + "cmdstat_config|resetstat:calls=1,usec=5,usec_per_call=5.00,rejected_calls=0,failed_calls=0\r\n";
    assertThat(RedisServer.parseCommandStats(info)).containsEntry("get", 12L).containsEntry("config|resetstat", 1L);
  }

  @Test
  void closedProvider_refusesToHandOutServers() {
    TestServers servers = TestServers.create(Map.of());
    servers.close();
    assertThatThrownBy(servers::redis).isInstanceOf(IllegalStateException.class);
  }
}
