package io.vtp.app;

import static io.vtp.app.TestApps.get;
import static io.vtp.app.TestApps.registerAndLogin;
import static org.assertj.core.api.Assertions.assertThat;

import io.vtp.testkit.PostgresDatabase;
import io.vtp.testkit.RedisServer;
import io.vtp.testkit.VtpServers;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import redis.clients.jedis.UnifiedJedis;

/**
 * {@code JWT_SECRET} keys the HMAC that names sessions in Redis, and {@code JWT_SECRET_PREVIOUS} keeps sessions made
 * under the secret before a rotation: real app instances, real Redis.
 */
@ExtendWith(VtpServers.class)
class AppSessionSecretIT {
  private static final String OLD = "old-secret-0123456789-0123456789-0123456789";
  private static final String NEW = "new-secret-0123456789-0123456789-0123456789";
  private static final String OTHER = "other-secret-0123456789-0123456789-01234567";

  @Test
  void sessionsAreNamedByTheHmacUnderJwtSecret_andSurviveARotationOnlyWithThePreviousSecret(PostgresDatabase db,
      RedisServer redis) throws Exception {
    String token;
    App before = TestApps.start(env(db, redis, "backend-1", Map.of("JWT_SECRET", OLD)));
    try {
      token = registerAndLogin(before, "rotation@example.com", "student");
    } finally {
      before.shutdown();
    }
    assertThat(token).hasSize(59);
    String tag = token.substring(0, 16);
    String secretPart = token.substring(16);
    try (UnifiedJedis jedis = redis.newClient()) {
      Map<String, String> record = jedis.hgetAll("vtp:session:{" + tag + "}:s");
      assertThat(record).containsKey("m:" + hmac(OLD, secretPart))
          .doesNotContainKey("m:" + sha256(secretPart));
    }

    // Without the old secret the session is unknown: a secret change alone logs everyone out.
    App stranger = TestApps.start(env(db, redis, "backend-2", Map.of("JWT_SECRET", OTHER)));
    try {
      assertThat(get(stranger, "/api/v1/auth/me", token).statusCode()).isEqualTo(401);
    } finally {
      stranger.shutdown();
    }
    // With it as JWT_SECRET_PREVIOUS the session goes on, and is moved to the new secret's name.
    App after = TestApps.start(env(db, redis, "backend-3", Map.of("JWT_SECRET", NEW, "JWT_SECRET_PREVIOUS", OLD)));
    try {
      assertThat(get(after, "/api/v1/auth/me", token).statusCode()).isEqualTo(200);
    } finally {
      after.shutdown();
    }
    try (UnifiedJedis jedis = redis.newClient()) {
      Map<String, String> record = jedis.hgetAll("vtp:session:{" + tag + "}:s");
      assertThat(record).containsKey("m:" + hmac(NEW, secretPart)).doesNotContainKey("m:" + hmac(OLD, secretPart));
    }
  }

  private static Map<String, String> env(PostgresDatabase db, RedisServer redis, String instance,
      Map<String, String> secrets) {
    Map<String, String> env = TestApps.env(db, redis, instance);
    env.putAll(secrets);
    return env;
  }

  private static String hmac(String key, String data) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    byte[] digest = mac.doFinal(data.getBytes(StandardCharsets.US_ASCII));
    return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
  }

  private static String sha256(String data) throws Exception {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(
        MessageDigest.getInstance("SHA-256").digest(data.getBytes(StandardCharsets.US_ASCII)));
  }
}
