package io.vtp.app.config;

import io.vtp.redis.RedisUrl;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AppConfigTest {

  private static Map<String, String> prod() {
    Map<String, String> env = new HashMap<>();
    env.put("APP_ENV", "production");
    env.put("DATABASE_URL", "postgresql://vtp:s3cret@db:5432/vtp?sslmode=verify-full");
    env.put("REDIS_URL", "redis://:r3dis@cache:6379");
    env.put("JWT_SECRET", "k2Jd8sLq0Zp4Xv7Bn1Mc5Rt9Wy3Ua6Ge2Hf8Ij0Ko4");
    return env;
  }

  @Test
  void fromEnv_developmentDefaultsMatchTheOriginal() {
    AppConfig c = AppConfig.fromEnv(Map.of("INSTANCE_ID", "backend-1"));
    assertThat(c.port()).isEqualTo(8080);
    assertThat(c.instanceId()).isEqualTo("backend-1");
    assertThat(c.production()).isFalse();
    assertThat(c.dbMaxOpen()).isEqualTo(25);
    assertThat(c.dbMaxIdle()).isEqualTo(5);
    assertThat(c.dbMaxLifetime()).isEqualTo(Duration.ofMinutes(5));
    assertThat(c.redisPoolSize()).isEqualTo(10);
    assertThat(c.redisMinIdle()).isEqualTo(2);
    assertThat(c.apiLimitPerMinute()).isEqualTo(100);
    assertThat(c.loginLimitPerMinute()).isEqualTo(5);
    assertThat(c.trustedProxies()).containsExactly("127.0.0.0/8", "::1/128");
    assertThat(c.sessionIdleTimeout()).isEqualTo(Duration.ofDays(7));
    assertThat(c.passwordIterations()).isEqualTo(600_000);
  }

  @Test
  void fromEnv_productionAcceptsAStrongSecret() {
    AppConfig c = AppConfig.fromEnv(prod());
    assertThat(c.production()).isTrue();
    assertThat(c.database().jdbcUrl()).isEqualTo("jdbc:postgresql://db:5432/vtp?sslmode=verify-full");
    assertThat(c.database().user()).isEqualTo("vtp");
    assertThat(c.database().password()).isEqualTo("s3cret");
    assertThat(c.redis().password()).isEqualTo("r3dis");
  }

  @Test
  void fromEnv_productionRefusesMissingShortOrExampleSecrets() {
    Map<String, String> missing = prod();
    missing.remove("JWT_SECRET");
    assertThatThrownBy(() -> AppConfig.fromEnv(missing)).isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("JWT_SECRET is required when APP_ENV=production");
    Map<String, String> shortSecret = prod();
    shortSecret.put("JWT_SECRET", "too-short");
    assertThatThrownBy(() -> AppConfig.fromEnv(shortSecret))
        .hasMessage("JWT_SECRET must be at least 32 bytes when APP_ENV=production but has 9");
    Map<String, String> example = prod();
    example.put("JWT_SECRET", "your-super-secret-jwt-key-change-in-production");
    assertThatThrownBy(() -> AppConfig.fromEnv(example)).hasMessageContaining("known example value");
    Map<String, String> noDb = prod();
    noDb.remove("DATABASE_URL");
    assertThatThrownBy(() -> AppConfig.fromEnv(noDb)).hasMessage("DATABASE_URL is required when APP_ENV=production");
    Map<String, String> weakHash = prod();
    weakHash.put("PASSWORD_HASH_ITERATIONS", "1000");
    assertThatThrownBy(() -> AppConfig.fromEnv(weakHash)).hasMessageContaining("PASSWORD_HASH_ITERATIONS");
  }

  @Test
  void fromEnv_namesTheVariableAndTheRule() {
    assertThatThrownBy(() -> AppConfig.fromEnv(Map.of("PORT", "http")))
        .hasMessage("PORT must be a whole number but was 'http'");
    assertThatThrownBy(() -> AppConfig.fromEnv(Map.of("PORT", "70000")))
        .hasMessage("PORT must be between 0 and 65535 but was 70000");
    assertThatThrownBy(() -> AppConfig.fromEnv(Map.of("APP_ENV", "staging")))
        .hasMessage("APP_ENV must be development or production but was staging");
    assertThatThrownBy(() -> AppConfig.fromEnv(Map.of("DB_MAX_OPEN_CONNS", "4", "DB_MAX_IDLE_CONNS", "5")))
        .hasMessage("DB_MAX_IDLE_CONNS must be <= DB_MAX_OPEN_CONNS (4) but was 5");
    assertThatThrownBy(() -> AppConfig.fromEnv(Map.of("DRAIN_DELAY", "soon")))
        .hasMessageStartingWith("DRAIN_DELAY must be a duration");
    assertThatThrownBy(() -> AppConfig.fromEnv(Map.of("TRUSTED_PROXIES", "example.com/8")))
        .hasMessageStartingWith("TRUSTED_PROXIES entries must be IP networks");
    assertThatThrownBy(() -> AppConfig.fromEnv(Map.of("INSTANCE_ID", "bad id")))
        .hasMessageStartingWith("INSTANCE_ID must match");
    assertThatThrownBy(() -> AppConfig.fromEnv(Map.of("DATABASE_URL", "mysql://x/y")))
        .hasMessageStartingWith("DATABASE_URL must start with postgresql://");
    assertThatThrownBy(() -> AppConfig.fromEnv(Map.of("REDIS_URL", "memcached://x")))
        .hasMessageStartingWith("REDIS_URL must start with redis://");
    assertThatThrownBy(() -> AppConfig.fromEnv(Map.of("SEED_DEMO_DATA", "maybe")))
        .hasMessage("SEED_DEMO_DATA must be true or false but was 'maybe'");
  }

  @Test
  void fromEnv_securityDefaultsAndRules() {
    SecurityConfig d = AppConfig.fromEnv(prod()).security();
    assertThat(d.selfRegisterRoles()).containsExactly("student");
    assertThat(d.registerLimitPerMinute()).isEqualTo(5);
    assertThat(d.sessionMaxPerUser()).isEqualTo(10);
    assertThat(d.loginFailuresBeforeBackoff()).isEqualTo(5);
    assertThat(d.passwordHashConcurrency()).isPositive();
    assertThat(d.wsRevalidateInterval()).isEqualTo(java.time.Duration.ofSeconds(30));
    Map<String, String> demo = prod();
    demo.put("SELF_REGISTER_ROLES", "student, teacher");
    assertThat(AppConfig.fromEnv(demo).security().selfRegisterRoles()).containsExactly("student", "teacher");
    Map<String, String> admin = prod();
    admin.put("SELF_REGISTER_ROLES", "student,admin");
    assertThatThrownBy(() -> AppConfig.fromEnv(admin)).isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("SELF_REGISTER_ROLES entries must be student or teacher");
    Map<String, String> revalidate = prod();
    revalidate.put("WS_REVALIDATE_INTERVAL", "500ms");
    assertThatThrownBy(() -> AppConfig.fromEnv(revalidate))
        .hasMessage("WS_REVALIDATE_INTERVAL must be between 1s and 10m but was PT0.5S");
  }

  @Test
  void fromEnv_sessionReplicaAcks_offByDefault_validated() {
    assertThat(AppConfig.fromEnv(prod()).security().sessionReplicaAcks()).isZero();
    Map<String, String> acks = prod();
    acks.put("SESSION_REPLICA_ACKS", "1");
    acks.put("SESSION_REPLICA_ACK_TIMEOUT", "250ms");
    SecurityConfig s = AppConfig.fromEnv(acks).security();
    assertThat(s.sessionReplicaAcks()).isEqualTo(1);
    assertThat(s.sessionReplicaAckTimeout()).isEqualTo(java.time.Duration.ofMillis(250));
    assertThat(s.toString()).contains("sessionReplicaAcks=1 within PT0.25S");
    Map<String, String> forever = prod();
    forever.put("SESSION_REPLICA_ACK_TIMEOUT", "0ms");
    assertThatThrownBy(() -> AppConfig.fromEnv(forever))
        .hasMessage("SESSION_REPLICA_ACK_TIMEOUT must be between 1ms and 60s but was PT0S");
    Map<String, String> many = prod();
    many.put("SESSION_REPLICA_ACKS", "17");
    assertThatThrownBy(() -> AppConfig.fromEnv(many)).isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("SESSION_REPLICA_ACKS");
  }

  @Test
  void toString_neverShowsSecrets() {
    String s = AppConfig.fromEnv(prod()).toString();
    assertThat(s).doesNotContain("s3cret").doesNotContain("r3dis").doesNotContain("k2Jd8sLq");
    assertThat(s).contains("secret=****");
  }

  @Test
  void fromEnv_redisCacheUrlDefaultsToRedisUrl() {
    AppConfig shared = AppConfig.fromEnv(prod());
    assertThat(shared.redisCache()).isEqualTo(shared.redis());
    assertThat(shared.separateCacheRedis()).isFalse();

    Map<String, String> split = prod();
    split.put("REDIS_CACHE_URL", "redis://:c4che@cache-lru:6380/1");
    AppConfig own = AppConfig.fromEnv(split);
    assertThat(own.separateCacheRedis()).isTrue();
    assertThat(own.redisCache().nodes()).containsExactly("cache-lru:6380");
    assertThat(own.redisCache().password()).isEqualTo("c4che");
    assertThat(own.redis().nodes()).containsExactly("cache:6379");
    assertThat(own.toString()).doesNotContain("c4che").contains("redisCache=");

    Map<String, String> same = prod();
    same.put("REDIS_CACHE_URL", same.get("REDIS_URL"));
    assertThat(AppConfig.fromEnv(same).separateCacheRedis()).isFalse();

    Map<String, String> bad = prod();
    bad.put("REDIS_CACHE_URL", "memcached://x");
    assertThatThrownBy(() -> AppConfig.fromEnv(bad)).isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("REDIS_CACHE_URL must start with redis://");
  }

  @Test
  void parseDuration_acceptsGoStyleAndIso() {
    assertThat(AppConfig.parseDuration("X", "500ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(AppConfig.parseDuration("X", "7d")).isEqualTo(Duration.ofDays(7));
    assertThat(AppConfig.parseDuration("X", "PT5M")).isEqualTo(Duration.ofMinutes(5));
  }

  @Test
  void redisUrl_parsesEveryDocumentedForm() {
    RedisUrl standalone = RedisUrl.parse("REDIS_URL", "rediss://user:pw@cache.local:6380/2");
    assertThat(standalone.mode()).isEqualTo(RedisUrl.Mode.STANDALONE);
    assertThat(standalone.tls()).isTrue();
    assertThat(standalone.database()).isEqualTo(2);
    assertThat(standalone.nodes()).containsExactly("cache.local:6380");
    RedisUrl cluster = RedisUrl.parse("REDIS_URL", "10.0.0.1:7000,10.0.0.2:7001");
    assertThat(cluster.mode()).isEqualTo(RedisUrl.Mode.CLUSTER);
    assertThat(cluster.nodes()).containsExactly("10.0.0.1:7000", "10.0.0.2:7001");
    assertThat(RedisUrl.parse("REDIS_URL", "redis-cluster://:pw@h1:7000,h2:7001").password()).isEqualTo("pw");
    RedisUrl sentinel = RedisUrl.parse("REDIS_URL", "redis-sentinel://s1:26379,s2/mymaster");
    assertThat(sentinel.mode()).isEqualTo(RedisUrl.Mode.SENTINEL);
    assertThat(sentinel.master()).isEqualTo("mymaster");
    assertThat(sentinel.nodes()).containsExactly("s1:26379", "s2:26379");
    assertThatThrownBy(() -> RedisUrl.parse("REDIS_URL", "redis-sentinel://s1:26379"))
        .hasMessageContaining("/<master name>");
    assertThat(RedisUrl.parse("REDIS_URL", "redis://:pw@h:1").toString()).doesNotContain("pw");
  }

  @Test
  void databaseUrl_acceptsJdbcAndDecodesCredentials() {
    DatabaseUrl jdbc = DatabaseUrl.parse("DATABASE_URL", "jdbc:postgresql://h:5432/db?user=u&password=p");
    assertThat(jdbc.jdbcUrl()).isEqualTo("jdbc:postgresql://h:5432/db?user=u&password=p");
    DatabaseUrl encoded = DatabaseUrl.parse("DATABASE_URL", "postgres://us%40r:p%3Ass@h/db");
    assertThat(encoded.user()).isEqualTo("us@r");
    assertThat(encoded.password()).isEqualTo("p:ss");
    assertThat(encoded.jdbcUrl()).isEqualTo("jdbc:postgresql://h/db");
    assertThatThrownBy(() -> DatabaseUrl.parse("DATABASE_URL", "postgresql://h")).hasMessageContaining("database");
  }

  @Test
  void cidr_matchesIpv4Ipv6AndMappedAddresses() throws Exception {
    Cidr net = Cidr.parse("T", "10.1.0.0/16");
    assertThat(net.contains(java.net.InetAddress.getByName("10.1.200.3"))).isTrue();
    assertThat(net.contains(java.net.InetAddress.getByName("10.2.0.1"))).isFalse();
    assertThat(Cidr.parse("T", "::1/128").contains(java.net.InetAddress.getByName("::1"))).isTrue();
    assertThat(Cidr.parse("T", "172.16.0.0/12").contains(java.net.InetAddress.getByName("172.31.255.255"))).isTrue();
    assertThat(Cidr.literal("localhost")).isNull();
    assertThatThrownBy(() -> Cidr.parse("T", "10.0.0.0/33")).hasMessageContaining("prefix");
  }

  @Test
  void cidr_parsesLiteralsOnlyAndNeverAsksDns() {
    // 300.1.1.1 is not an IPv4 literal; InetAddress.getByName would have sent it to DNS as a host name.
    assertThat(Cidr.literal("300.1.1.1")).isNull();
    assertThat(Cidr.literal("1.2.3.256")).isNull();
    assertThat(Cidr.literal("db.internal")).isNull();
    assertThat(Cidr.literal("fe80::1%eth0")).isNull();
    assertThat(Cidr.literal("255.0.10.1")).containsExactly(255, 0, 10, 1);
    assertThatThrownBy(() -> Cidr.parse("TRUSTED_PROXIES", "300.1.1.1/32"))
        .isInstanceOf(ConfigException.class)
        .hasMessage("TRUSTED_PROXIES entries must be IP networks like 10.0.0.0/8 or ::1/128 (literal addresses: host "
            + "names are never resolved; IPv4 octets 0..255) but one was '300.1.1.1/32'");
    assertThatThrownBy(() -> AppConfig.fromEnv(Map.of("TRUSTED_PROXIES", "ingress-nginx.internal")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("host names are never resolved");
  }

  @Test
  void fromEnv_productionAcceptsOnlyHttpsCorsOrigins() {
    Map<String, String> env = prod();
    env.put("CORS_ORIGINS", "https://app.example.com,http://app.example.com");
    assertThatThrownBy(() -> AppConfig.fromEnv(env)).isInstanceOf(ConfigException.class)
        .hasMessage("CORS_ORIGINS entries must be https:// origins when APP_ENV=production but one was "
            + "'http://app.example.com'");
    env.put("CORS_ORIGINS", "*");
    assertThatThrownBy(() -> AppConfig.fromEnv(env)).hasMessageContaining("https:// origins");
    env.put("CORS_ORIGINS", "https://app.example.com");
    assertThat(AppConfig.fromEnv(env).corsOrigins()).containsExactly("https://app.example.com");
    // Development keeps http:// for local front ends.
    assertThat(AppConfig.fromEnv(Map.of("CORS_ORIGINS", "http://localhost:3000")).corsOrigins())
        .containsExactly("http://localhost:3000");
  }

  @Test
  void fromEnv_managementPortMustDifferFromThePublicPort() {
    assertThat(AppConfig.fromEnv(Map.of()).managementPort()).isEqualTo(9464);
    assertThatThrownBy(() -> AppConfig.fromEnv(Map.of("PORT", "9000", "MANAGEMENT_PORT", "9000")))
        .isInstanceOf(ConfigException.class).hasMessageStartingWith("MANAGEMENT_PORT must differ from PORT (9000)");
  }

  @Test
  void databaseUrl_toStringMasksPasswordsInEveryForm() {
    String[] urls = {
        "jdbc:postgresql://h:5432/db?user=u&password=Sup3rSecret&sslmode=require",
        "jdbc:postgresql://h:5432/db?PASSWORD=Sup3rSecret",
        "jdbc:postgresql://h/db?sslmode=verify-full&sslpassword=Sup3rSecret",
        "postgresql://u:Sup3rSecret@h:5432/db",
    };
    for (String url : urls) {
      DatabaseUrl parsed = DatabaseUrl.parse("DATABASE_URL", url);
      assertThat(parsed.toString()).as(url).doesNotContain("Sup3rSecret").contains("****");
    }
    assertThat(DatabaseUrl.parse("DATABASE_URL", "jdbc:postgresql://h:5432/db?user=u&password=Sup3rSecret&ssl=true")
        .toString()).contains("jdbc:postgresql://h:5432/db?user=u&password=****&ssl=true");
    assertThat(DatabaseUrl.mask("jdbc:postgresql://u:Sup3rSecret@h/db")).isEqualTo("jdbc:postgresql://u:****@h/db");
    Map<String, String> env = prod();
    env.put("DATABASE_URL", "jdbc:postgresql://db:5432/vtp?user=vtp&password=Sup3rSecret&sslmode=require");
    env.put("READ_DATABASE_URL", "jdbc:postgresql://replica:5432/vtp?user=vtp&password=Sup3rSecret&sslmode=require");
    env.put("REDIS_URL", "redis-sentinel://vtp:Sup3rSecret@s1:26379,s2:26379/mymaster");
    assertThat(AppConfig.fromEnv(env).toString()).doesNotContain("Sup3rSecret");
  }

  @Test
  void fromEnv_nonLoopbackDatabaseWithoutTls_isRefusedUnlessExplicitlyAllowed() {
    for (String url : new String[] {"postgresql://vtp:s3cret@db:5432/vtp?sslmode=disable",
        "postgresql://vtp:s3cret@db:5432/vtp", "postgresql://vtp:s3cret@10.0.0.5:5432/vtp?sslmode=prefer",
        "jdbc:postgresql://db:5432/vtp?user=vtp&sslmode=allow", "jdbc:postgresql://localhost:5432,db:5432/vtp"}) {
      Map<String, String> env = prod();
      env.put("DATABASE_URL", url);
      assertThatThrownBy(() -> AppConfig.fromEnv(env)).as(url).isInstanceOf(ConfigException.class)
          .hasMessageStartingWith("DATABASE_URL names a host that is not loopback, so it must use TLS: sslmode must "
              + "be require, verify-ca or verify-full but was ")
          .hasMessageNotContaining("s3cret");
      env.put("DATABASE_ALLOW_PLAINTEXT", "true");
      assertThat(AppConfig.fromEnv(env).database().jdbcUrl()).as(url).startsWith("jdbc:postgresql://");
    }
    Map<String, String> replica = prod();
    replica.put("READ_DATABASE_URL", "postgresql://vtp:s3cret@replica:5432/vtp?sslmode=disable");
    assertThatThrownBy(() -> AppConfig.fromEnv(replica)).hasMessageStartingWith("READ_DATABASE_URL names a host");
  }

  @Test
  void fromEnv_loopbackOrTlsDatabase_isAccepted() {
    for (String url : new String[] {"postgresql://vtp:s3cret@localhost:5432/vtp?sslmode=disable",
        "postgresql://vtp:s3cret@127.0.0.1:5432/vtp", "postgresql://vtp:s3cret@[::1]:5432/vtp",
        "jdbc:postgresql:vtp", "postgresql://vtp:s3cret@db:5432/vtp?sslmode=require",
        "postgresql://vtp:s3cret@db:5432/vtp?sslmode=verify-ca", "jdbc:postgresql://db/vtp?ssl=true"}) {
      Map<String, String> env = prod();
      env.put("DATABASE_URL", url);
      assertThat(AppConfig.fromEnv(env).database()).as(url).isNotNull();
    }
    // A name that merely looks local is not resolved: only loopback literals count.
    Map<String, String> env = prod();
    env.put("DATABASE_URL", "postgresql://vtp:s3cret@127.0.0.1.example.com/vtp");
    assertThatThrownBy(() -> AppConfig.fromEnv(env)).isInstanceOf(ConfigException.class);
  }

  @Test
  void fromEnv_previousSecret_isCheckedAndMasked() {
    Map<String, String> env = prod();
    env.put("JWT_SECRET_PREVIOUS", "Pr3v10us-s3cr3t-of-32-bytes-or-more-xyz");
    AppConfig c = AppConfig.fromEnv(env);
    assertThat(new String(c.previousSecret(), java.nio.charset.StandardCharsets.UTF_8))
        .isEqualTo("Pr3v10us-s3cr3t-of-32-bytes-or-more-xyz");
    assertThat(c.toString()).contains("previousSecret=****").doesNotContain("Pr3v10us");
    assertThat(AppConfig.fromEnv(prod()).previousSecret()).isNull();

    env.put("JWT_SECRET_PREVIOUS", "short");
    assertThatThrownBy(() -> AppConfig.fromEnv(env))
        .hasMessage("JWT_SECRET_PREVIOUS must be at least 32 bytes but has 5");
    env.put("JWT_SECRET_PREVIOUS", env.get("JWT_SECRET"));
    assertThatThrownBy(() -> AppConfig.fromEnv(env)).hasMessageStartingWith(
        "JWT_SECRET_PREVIOUS must differ from JWT_SECRET");
    assertThatThrownBy(() -> AppConfig.fromEnv(Map.of("JWT_SECRET", "dev-but-short")))
        .hasMessage("JWT_SECRET must be at least 32 bytes (it keys the session id hashes) but has 13");
  }

  @Test
  void fromEnv_fileVariables_readSecretsFromFilesLikeSwarmSecrets(@TempDir Path dir) throws IOException {
    // Swarm mounts each secret as a file under /run/secrets; `docker secret create x -` often keeps a newline.
    Map<String, String> env = prod();
    Map<String, String> values = Map.of(
        "JWT_SECRET", env.remove("JWT_SECRET"),
        "DATABASE_URL", env.remove("DATABASE_URL"),
        "REDIS_URL", env.remove("REDIS_URL"),
        "REDIS_CACHE_URL", "redis://vtp:c4che@redis-cache:6379",
        "READ_DATABASE_URL", "postgresql://vtp:r3plica@replica:5432/vtp?sslmode=require",
        "JWT_SECRET_PREVIOUS", "Pr3v10us-s3cr3t-of-32-bytes-or-more-xyz");
    assertThat(values.keySet()).isEqualTo(AppConfig.FILE_VARIABLES);
    for (Map.Entry<String, String> e : values.entrySet()) {
      Path f = dir.resolve(e.getKey().toLowerCase(java.util.Locale.ROOT));
      Files.writeString(f, e.getValue() + "\n");
      env.put(e.getKey() + "_FILE", f.toString());
    }
    AppConfig c = AppConfig.fromEnv(env);
    assertThat(new String(c.secret(), StandardCharsets.UTF_8)).isEqualTo(values.get("JWT_SECRET"));
    assertThat(new String(c.previousSecret(), StandardCharsets.UTF_8)).isEqualTo(values.get("JWT_SECRET_PREVIOUS"));
    assertThat(c.database().password()).isEqualTo("s3cret");
    assertThat(c.readDatabase().password()).isEqualTo("r3plica");
    assertThat(c.redis().password()).isEqualTo("r3dis");
    assertThat(c.redisCache().password()).isEqualTo("c4che");
    assertThat(c.separateCacheRedis()).isTrue();

    // Only secrets: PORT_FILE means nothing (a typo must not silently read a file).
    Map<String, String> notSecret = prod();
    notSecret.put("PORT_FILE", dir.resolve("jwt_secret").toString());
    assertThat(AppConfig.fromEnv(notSecret).port()).isEqualTo(8080);
  }

  @Test
  void fromEnv_fileVariables_refuseAmbiguityAndUnreadableOrEmptyFiles(@TempDir Path dir) throws IOException {
    Path secret = Files.writeString(dir.resolve("jwt"), "k2Jd8sLq0Zp4Xv7Bn1Mc5Rt9Wy3Ua6Ge2Hf8Ij0Ko4\n");
    Map<String, String> both = prod();
    both.put("JWT_SECRET_FILE", secret.toString());
    assertThatThrownBy(() -> AppConfig.fromEnv(both)).isInstanceOf(ConfigException.class)
        .hasMessage("JWT_SECRET and JWT_SECRET_FILE are both set: set only one of them");

    Map<String, String> missing = prod();
    missing.remove("REDIS_URL");
    missing.put("REDIS_URL_FILE", dir.resolve("absent").toString());
    assertThatThrownBy(() -> AppConfig.fromEnv(missing)).isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("REDIS_URL_FILE must name a readable UTF-8 file but " + dir.resolve("absent")
            + " could not be read (NoSuchFileException)");

    Map<String, String> empty = prod();
    empty.remove("DATABASE_URL");
    empty.put("DATABASE_URL_FILE", Files.writeString(dir.resolve("empty"), " \n").toString());
    assertThatThrownBy(() -> AppConfig.fromEnv(empty)).isInstanceOf(ConfigException.class)
        .hasMessage("DATABASE_URL_FILE must name a file holding the value but " + dir.resolve("empty") + " is empty");

    Map<String, String> huge = prod();
    huge.remove("JWT_SECRET");
    huge.put("JWT_SECRET_FILE", Files.writeString(dir.resolve("huge"), "x".repeat(64 * 1024 + 1)).toString());
    assertThatThrownBy(() -> AppConfig.fromEnv(huge)).isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("JWT_SECRET_FILE must name a file of at most 65536 bytes");

    // The file's value passes the same rules as the variable's: a short secret is still refused, by its name.
    Map<String, String> weak = prod();
    weak.remove("JWT_SECRET");
    weak.put("JWT_SECRET_FILE", Files.writeString(dir.resolve("weak"), "too-short\n").toString());
    assertThatThrownBy(() -> AppConfig.fromEnv(weak))
        .hasMessage("JWT_SECRET must be at least 32 bytes when APP_ENV=production but has 9");
  }
}
