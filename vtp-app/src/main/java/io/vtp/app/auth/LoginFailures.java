package io.vtp.app.auth;

import io.vtp.app.http.ApiException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.params.SetParams;

/**
 * Failed logins per account <em>and</em> client address, with exponential back-off: after {@code threshold}
 * failures of one pair within an hour, that pair is refused (429 with {@code Retry-After}) for 5 s, then 10 s, 20 s,
 * ... up to 15 min after each further failure. Only failures count and only for the address they came from, so
 * nobody can lock another user out from elsewhere; a success clears the pair. The per-address limit on all login
 * attempts ({@code RATE_LIMIT_LOGIN_PER_MINUTE}) still bounds guessing across accounts.
 *
 * <p>State lives in Redis (any instance sees every failure) under keys named by a SHA-256 of the pair, never the
 * email itself. Fails closed like the login limit: when Redis cannot answer, the login is a 503.
 *
 * <p>Thread-safe.
 */
public final class LoginFailures {
  private static final String PREFIX = "vtp:login-fail:";
  static final long FIRST_BACKOFF_MS = 5000;
  static final long MAX_BACKOFF_MS = 15 * 60 * 1000;
  private static final long COUNT_TTL_MS = 60 * 60 * 1000;

  private final UnifiedJedis redis;
  private final int threshold;

  /**
   * Creates the tracker.
   *
   * @param redis the shared client
   * @param threshold failures before back-off; at least 1
   */
  public LoginFailures(UnifiedJedis redis, int threshold) {
    if (threshold < 1) {
      throw new IllegalArgumentException("login failures: threshold must be >= 1 but was " + threshold);
    }
    this.redis = redis;
    this.threshold = threshold;
  }

  /**
   * Refuses a pair that is backing off; call before checking the password.
   *
   * @throws ApiException 429 with {@code Retry-After} while backing off; 503 when Redis cannot answer
   */
  public void check(String account, String address) {
    long ttl;
    try {
      ttl = redis.pttl(key(account, address) + ":block");
    } catch (JedisException e) {
      throw ApiException.unavailable("login failures cannot be checked right now", 5);
    }
    if (ttl > 0) {
      long retry = Math.max(1, (ttl + 999) / 1000);
      throw new ApiException(429, "Too many requests", "too many failed logins for this account from this address; "
          + "retry after " + retry + " s", List.of(), Map.of("Retry-After", Long.toString(retry)));
    }
  }

  /** Counts a failure (best effort: a Redis error here only loses one count). */
  public void failed(String account, String address) {
    String key = key(account, address);
    try {
      long n = redis.incr(key);
      redis.pexpire(key, COUNT_TTL_MS);
      if (n >= threshold) {
        long shift = Math.min(30, n - threshold);
        long backoff = Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS << shift);
        redis.set(key + ":block", "1", SetParams.setParams().px(backoff));
      }
    } catch (JedisException e) {
      // the per-address login limit still applies
    }
  }

  /** Clears the pair after a successful login. */
  public void succeeded(String account, String address) {
    String key = key(account, address);
    try {
      redis.del(key, key + ":block");
    } catch (JedisException e) {
      // the count expires on its own
    }
  }

  private static String key(String account, String address) {
    try {
      byte[] h = MessageDigest.getInstance("SHA-256").digest((account.toLowerCase(Locale.ROOT) + "\n" + address)
          .getBytes(StandardCharsets.UTF_8));
      // One hash tag: both keys of a pair live in one Redis Cluster slot, so the DEL of both is legal there.
      return PREFIX + "{" + HexFormat.of().formatHex(h, 0, 16) + "}";
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every Java platform", e);
    }
  }
}
