package io.vtp.spring.boot.cache.internal;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.type.TypeFactory;
import io.vtp.cache.CacheAside;
import io.vtp.cache.RedisCacheAside;
import io.vtp.spring.boot.cache.VtpCacheProperties;
import io.vtp.spring.boot.cache.VtpCacheProperties.CacheSpec;
import io.vtp.spring.boot.metrics.VtpMetrics;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import redis.clients.jedis.UnifiedJedis;

/**
 * Builds the caches of {@code vtp.cache.caches.*}; every misconfiguration fails here, at start-up, with one
 * message naming the property and the rule.
 */
public final class CacheFactory {
  private CacheFactory() {
  }

  /**
   * Builds one cache per configured name and binds each to the metrics.
   *
   * @param props the properties; not null
   * @param redis the shared client; not null
   * @param mapper the service's Jackson 2 mapper, or null for a plain one (vtp-cache locks a copy down)
   * @param metrics the metrics binding; not null
   * @return the caches, in configuration order; never null
   * @throws IllegalStateException when a property is missing or breaks its rule
   */
  public static List<CacheAside<Object>> build(VtpCacheProperties props, UnifiedJedis redis, ObjectMapper mapper,
      VtpMetrics metrics) {
    if (props.getKeyPrefix() == null) {
      throw new IllegalStateException("vtp.cache.key-prefix: must be set (e.g. vtp:cache:)");
    }
    List<CacheAside<Object>> built = new ArrayList<>();
    try {
      for (Map.Entry<String, CacheSpec> e : props.getCaches().entrySet()) {
        CacheAside<Object> cache = build(e.getKey(), e.getValue(), props.getKeyPrefix(), redis, mapper);
        built.add(cache);
        metrics.bindCache(cache);
      }
    } catch (RuntimeException e) {
      built.forEach(CacheAside::close);
      throw e;
    }
    return built;
  }

  private static CacheAside<Object> build(String name, CacheSpec spec, String keyPrefix, UnifiedJedis redis,
      ObjectMapper mapper) {
    String at = "vtp.cache.caches." + name;
    if (spec.getType() == null || spec.getType().isBlank()) {
      throw new IllegalStateException(at + ".type: must be set to the value type, a class name or a Jackson "
          + "canonical type (e.g. com.example.Course or java.util.List<com.example.Course>)");
    }
    JavaType type;
    try {
      type = TypeFactory.defaultInstance().withClassLoader(Thread.currentThread().getContextClassLoader())
          .constructFromCanonical(spec.getType().trim());
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException(at + ".type: '" + spec.getType() + "' is not a loadable type: "
          + e.getMessage(), e);
    }
    for (Map.Entry<String, Object> d : Map.<String, Object>of("ttl", nullSafe(spec.getTtl()), "not-found-ttl",
        nullSafe(spec.getNotFoundTtl()), "stale-grace", nullSafe(spec.getStaleGrace()), "lease-ttl",
        nullSafe(spec.getLeaseTtl()), "lease-wait", nullSafe(spec.getLeaseWait()), "bypass-wait", nullSafe(spec.getBypassWait())).entrySet()) {
      if (d.getValue() == Missing.VALUE) {
        throw new IllegalStateException(at + "." + d.getKey() + ": must be set");
      }
    }
    RedisCacheAside.Builder<Object> b = RedisCacheAside.builder(redis, new DeclaredType(type)).name(name)
        .keyPrefix(keyPrefix).ttl(spec.getTtl()).notFoundTtl(spec.getNotFoundTtl()).staleGrace(spec.getStaleGrace())
        .jitter(spec.getJitter()).valueVersion(spec.getValueVersion())
        .lease(spec.getLeaseTtl(), spec.getLeaseWait()).bypass(spec.getBypassPermits(), spec.getBypassWait());
    if (mapper != null) {
      b.objectMapper(mapper);
    }
    try {
      return b.build();
    } catch (IllegalArgumentException | IllegalStateException e) {
      // The library names the cache and the field ("cache 'x': ttl must be > 0 but was PT0S"); the prefix says
      // where to fix it.
      throw new IllegalStateException(at + ": " + e.getMessage(), e);
    }
  }

  private static Object nullSafe(Object value) {
    return value == null ? Missing.VALUE : value;
  }

  private enum Missing {
    VALUE
  }

  /** A type reference to a type known only at run time (from the properties). */
  private static final class DeclaredType extends TypeReference<Object> {
    private final JavaType type;

    DeclaredType(JavaType type) {
      this.type = type;
    }

    @Override
    public Type getType() {
      return type;
    }
  }
}
