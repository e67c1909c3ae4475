package io.vtp.cache;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vtp.cache.internal.CacheConfig;
import io.vtp.cache.internal.RedisCacheAsideImpl;
import io.vtp.redis.internal.Names;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.random.RandomGenerator;
import redis.clients.jedis.UnifiedJedis;

/**
 * Builds {@link CacheAside} instances over Redis (standalone, Sentinel or Cluster: any Jedis 8 {@link UnifiedJedis}).
 *
 * <h2>Redis keys</h2>
 * An entry lives at {@code <keyPrefix><name>:{<key>}} and its load lease at {@code <keyPrefix><name>:{<key>}:lease}
 * (the braces put both in one Cluster slot); invalidations are published on {@code <keyPrefix><name>:invalidations}.
 * The value is a versioned JSON envelope; the Redis time-to-live is the (jittered) freshness plus the stale grace.
 *
 * <h2>Failures</h2>
 * Every Redis failure (error, timeout, {@code CLUSTERDOWN}, unexpected or corrupt reply) makes the read fall
 * through to the loader; it is counted in {@link CacheStats#backendErrors()} and logged at most once per
 * {@link Builder#errorLogInterval(Duration)}. After {@link Builder#circuitBreaker(int, Duration) failureThreshold}
 * consecutive failures the breaker opens and reads skip Redis for {@code openDuration}, then one probe decides.
 * The cost of one failed call is the client's socket timeout: give the {@code UnifiedJedis} a timeout of tens of
 * milliseconds (the per-call budget). Loads that bypass Redis are bounded by a semaphore
 * ({@link Builder#bypass(int, Duration)}).
 *
 * <h2>Staleness bound with L1</h2>
 * An invalidation removes the entry from Redis, then publishes it; other instances drop their L1 copy when the
 * message arrives (pub/sub delivery, typically well under a millisecond on a LAN). An L1 copy never outlives
 * {@link Builder#l1(long, Duration) l1Ttl}; the L1 is not used while the listener is disconnected and is cleared
 * when it (re)subscribes, and a value read from Redis is not put into L1 when an invalidation arrived during the
 * read. So the worst case (Redis unreachable at invalidation time, or a listener connection hung without error) is
 * {@code l1Ttl}; the usual case is the pub/sub delivery time.
 *
 * <p>This class only holds the factory methods.
 */
public final class RedisCacheAside {
  private RedisCacheAside() {}

  /**
   * Starts a builder for values of a plain class.
   *
   * @param redis the client; owned by the caller, who closes it after the cache
   * @param type the value class; deserialised with exactly this type, never a type named by the stored data
   * @param <V> the value type
   * @return a new builder; never {@code null}
   * @throws NullPointerException when an argument is {@code null}
   */
  public static <V> Builder<V> builder(UnifiedJedis redis, Class<V> type) {
    Objects.requireNonNull(type, "type");
    return new Builder<>(redis, type.getSimpleName(), mapper -> mapper.constructType(type));
  }

  /**
   * Starts a builder for generic values, e.g. {@code new TypeReference<List<Long>>() {}}.
   *
   * @param redis the client; owned by the caller
   * @param type the value type
   * @param <V> the value type
   * @return a new builder; never {@code null}
   * @throws NullPointerException when an argument is {@code null}
   */
  public static <V> Builder<V> builder(UnifiedJedis redis, TypeReference<V> type) {
    Objects.requireNonNull(type, "type");
    return new Builder<>(redis, type.getType().getTypeName(), mapper -> mapper.constructType(type));
  }

  /**
   * Configures one cache, the same way as every VTP Scale builder: setters only store the value (and reject
   * {@code null} with a {@link NullPointerException} naming the parameter); {@link #build()} checks every value and
   * throws an {@link IllegalArgumentException} in the form {@code cache '<name>': <field> must <rule> but was
   * <value>}, e.g. {@code cache 'courses': ttl must be > 0 but was PT0S}. The built cache never changes.
   *
   * <p>Not thread-safe: configure it on one thread, then share the built cache, which is thread-safe.
   *
   * @param <V> the value type
   */
  public static final class Builder<V> {
    private static final String COMPONENT = "cache";

    private final UnifiedJedis redis;
    private final String typeName;
    private final java.util.function.Function<ObjectMapper, JavaType> typeResolver;
    private String name;
    private String keyPrefix = "vtp:cache:";
    private Duration ttl = CacheTtl.MEDIUM.duration();
    private Duration notFoundTtl = Duration.ofMinutes(1);
    private double jitter = 0.10;
    private Duration staleGrace = Duration.ofMinutes(5);
    private double earlyRefreshBeta = 1.0;
    private Duration leaseTtl = Duration.ofSeconds(5);
    private Duration leaseWait = Duration.ofSeconds(1);
    private int valueVersion = 1;
    private int maxKeyLength = 128;
    private ObjectMapper objectMapper;
    private Clock clock = Clock.systemUTC();
    private RandomGenerator random = () -> ThreadLocalRandom.current().nextLong();
    private int failureThreshold = 5;
    private Duration openDuration = Duration.ofSeconds(5);
    private int bypassPermits = 16;
    private Duration bypassWait = Duration.ofSeconds(1);
    private Duration errorLogInterval = Duration.ofSeconds(30);
    private long l1MaximumSize;
    private Duration l1Ttl;

    private Builder(UnifiedJedis redis, String typeName, java.util.function.Function<ObjectMapper, JavaType> typeResolver) {
      this.redis = Objects.requireNonNull(redis, "redis");
      this.typeName = typeName;
      this.typeResolver = typeResolver;
    }

    /**
     * Sets the cache's name (required): part of every key and of the metric tags.
     *
     * @param name 1 to 64 characters of {@code [A-Za-z0-9._-]}
     * @return this builder
     * @throws NullPointerException when {@code name} is {@code null}
     */
    public Builder<V> name(String name) {
      this.name = Objects.requireNonNull(name, "name");
      return this;
    }

    /**
     * Sets the prefix of every key (default {@code vtp:cache:}), e.g. an application's own.
     *
     * @param keyPrefix at most 128 printable ASCII characters without spaces or braces (braces would change the
     *     hash tag that keeps an entry and its lease in one Redis Cluster slot); may be empty
     * @return this builder
     * @throws NullPointerException when {@code keyPrefix} is {@code null}
     */
    public Builder<V> keyPrefix(String keyPrefix) {
      this.keyPrefix = Objects.requireNonNull(keyPrefix, "keyPrefix");
      return this;
    }

    /**
     * Sets how long a loaded value is fresh (default {@link CacheTtl#MEDIUM}), before jitter.
     *
     * @param ttl positive
     * @return this builder
     * @throws NullPointerException when {@code ttl} is {@code null}
     */
    public Builder<V> ttl(Duration ttl) {
      this.ttl = Objects.requireNonNull(ttl, "ttl");
      return this;
    }

    /**
     * Sets how long a loaded value is fresh from a preset.
     *
     * @param ttl the preset
     * @return this builder
     * @throws NullPointerException when {@code ttl} is {@code null}
     */
    public Builder<V> ttl(CacheTtl ttl) {
      return ttl(Objects.requireNonNull(ttl, "ttl").duration());
    }

    /**
     * Sets how long "not found" is cached (default 1 minute), before jitter.
     *
     * @param notFoundTtl positive
     * @return this builder
     * @throws NullPointerException when {@code notFoundTtl} is {@code null}
     */
    public Builder<V> notFoundTtl(Duration notFoundTtl) {
      this.notFoundTtl = Objects.requireNonNull(notFoundTtl, "notFoundTtl");
      return this;
    }

    /**
     * Sets the relative time-to-live jitter (default 0.10, i.e. ±10%), so entries written together do not expire
     * together.
     *
     * @param jitter from 0 (none) to 0.5
     * @return this builder
     */
    public Builder<V> jitter(double jitter) {
      this.jitter = jitter;
      return this;
    }

    /**
     * Sets how long after expiry a value is kept to be served when the loader fails (stale-if-error; default 5
     * minutes). Expired values are never served while the loader works.
     *
     * @param staleGrace zero (off) or positive
     * @return this builder
     * @throws NullPointerException when {@code staleGrace} is {@code null}
     */
    public Builder<V> staleGrace(Duration staleGrace) {
      this.staleGrace = Objects.requireNonNull(staleGrace, "staleGrace");
      return this;
    }

    /**
     * Sets the XFetch parameter of probabilistic early refresh (default 1.0; Vattani et al., VLDB 2015): a read
     * refreshes a fresh value early when {@code now - loadTime * beta * ln(random) >= expiry}, so hot keys are
     * reloaded by one caller shortly before they expire, the others keep reading the current value.
     *
     * @param beta 0 (off) to 10; above 1 refreshes earlier
     * @return this builder
     */
    public Builder<V> earlyRefreshBeta(double beta) {
      this.earlyRefreshBeta = beta;
      return this;
    }

    /**
     * Sets the cross-instance load lease: one instance loads a missed key while others poll Redis for its value up
     * to {@code wait}, then load it themselves (without writing it back). The lease expires after {@code ttl}
     * even if its holder died. Defaults: 5 s and 1 s.
     *
     * @param ttl lease lifetime; at least 1 ms
     * @param wait how long other instances wait for the holder; zero or positive, and less than {@code ttl}
     * @return this builder
     * @throws NullPointerException when {@code ttl} or {@code wait} is {@code null}
     */
    public Builder<V> lease(Duration ttl, Duration wait) {
      this.leaseTtl = Objects.requireNonNull(ttl, "ttl");
      this.leaseWait = Objects.requireNonNull(wait, "wait");
      return this;
    }

    /**
     * Sets the version of the value's shape (default 1). Bump it when {@code V} changes incompatibly: entries
     * written with another version read as a miss during a rolling deploy, never as an exception.
     *
     * @param valueVersion from 0
     * @return this builder
     */
    public Builder<V> valueVersion(int valueVersion) {
      this.valueVersion = valueVersion;
      return this;
    }

    /**
     * Sets the longest key used as is (default 128); longer keys, and keys with other characters than
     * {@code [A-Za-z0-9_.:-]}, are replaced by their SHA-256.
     *
     * @param maxKeyLength 16 to 512
     * @return this builder
     */
    public Builder<V> maxKeyLength(int maxKeyLength) {
      this.maxKeyLength = maxKeyLength;
      return this;
    }

    /**
     * Sets the Jackson mapper for values (default: a plain {@code JsonMapper}). The cache uses a copy with default
     * typing off and a polymorphic type validator that allows no class, so stored data can never name a class to
     * instantiate; register the modules your value type needs (e.g. JavaTimeModule) before passing it.
     *
     * @param objectMapper the mapper; not {@code null}
     * @return this builder
     * @throws NullPointerException when {@code objectMapper} is {@code null}
     */
    public Builder<V> objectMapper(ObjectMapper objectMapper) {
      this.objectMapper = Objects.requireNonNull(objectMapper, "objectMapper");
      return this;
    }

    /**
     * Sets the clock for freshness, early refresh and the breaker (default UTC system clock).
     *
     * @param clock the clock; not {@code null}
     * @return this builder
     * @throws NullPointerException when {@code clock} is {@code null}
     */
    public Builder<V> clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Sets the randomness for time-to-live jitter and early refresh (default: {@link ThreadLocalRandom}). Lease
     * tokens do not use it. Must be thread-safe.
     *
     * @param random the generator; not {@code null}
     * @return this builder
     * @throws NullPointerException when {@code random} is {@code null}
     */
    public Builder<V> random(RandomGenerator random) {
      this.random = Objects.requireNonNull(random, "random");
      return this;
    }

    /**
     * Sets the circuit breaker (defaults: 5 consecutive failures, open for 5 s).
     *
     * @param failureThreshold consecutive Redis failures that open it; 1 to 1000
     * @param openDuration how long it stays open before one probe; positive
     * @return this builder
     * @throws NullPointerException when {@code openDuration} is {@code null}
     */
    public Builder<V> circuitBreaker(int failureThreshold, Duration openDuration) {
      this.openDuration = Objects.requireNonNull(openDuration, "openDuration");
      this.failureThreshold = failureThreshold;
      return this;
    }

    /**
     * Bounds the loads that run straight against the source while Redis is unavailable (defaults: 16 at once,
     * wait up to 1 s for a slot, then {@link CacheOverloadedException}).
     *
     * @param permits concurrent bypass loads; 1 to 10000
     * @param wait how long a read waits for a slot; zero or positive
     * @return this builder
     * @throws NullPointerException when {@code wait} is {@code null}
     */
    public Builder<V> bypass(int permits, Duration wait) {
      this.bypassWait = Objects.requireNonNull(wait, "wait");
      this.bypassPermits = permits;
      return this;
    }

    /**
     * Sets how often a continuing Redis problem is logged (default 30 s); failures in between are only counted.
     *
     * @param interval positive
     * @return this builder
     * @throws NullPointerException when {@code interval} is {@code null}
     */
    public Builder<V> errorLogInterval(Duration interval) {
      this.errorLogInterval = Objects.requireNonNull(interval, "interval");
      return this;
    }

    /**
     * Enables the in-process L1 (needs {@code com.github.ben-manes.caffeine:caffeine} on the class path). A hit in
     * L1 costs no Redis command. Every instance of this cache name must run this library (they publish
     * invalidations); see the class documentation for the staleness bound, which is at most {@code ttl}.
     *
     * @param maximumSize entries kept; 1 to 10,000,000
     * @param ttl how long an entry may stay in L1 (also bounded by the entry's own freshness); positive
     * @return this builder
     * @throws NullPointerException when {@code ttl} is {@code null}
     */
    public Builder<V> l1(long maximumSize, Duration ttl) {
      this.l1Ttl = Objects.requireNonNull(ttl, "ttl");
      this.l1MaximumSize = maximumSize;
      return this;
    }

    /**
     * Checks every setting and builds the cache; with L1 it also starts the invalidation listener (one Redis
     * connection, one daemon thread).
     *
     * @return the cache; close it to stop the listener; never {@code null}
     * @throws IllegalStateException when {@link #name(String)} was never set, or L1 is enabled without Caffeine
     * @throws IllegalArgumentException when a value breaks its rule or two values conflict, as
     *     {@code cache '<name>': <field> must <rule> but was <value>}
     */
    public CacheAside<V> build() {
      if (name == null) {
        throw new IllegalStateException("cache of " + typeName + ": name must be set (e.g. .name(\"courses\"))");
      }
      validate();
      if (l1Ttl != null && !caffeinePresent()) {
        throw new IllegalStateException("cache '" + name + "': l1 needs Caffeine; add the dependency "
            + "com.github.ben-manes.caffeine:caffeine (it is optional in vtp-cache)");
      }
      ObjectMapper mapper = objectMapper == null ? new ObjectMapper() : objectMapper;
      return new RedisCacheAsideImpl<>(redis, new CacheConfig(name, keyPrefix, ttl, notFoundTtl, jitter, staleGrace,
          earlyRefreshBeta, leaseTtl, leaseWait, valueVersion, maxKeyLength, clock, random, failureThreshold,
          openDuration, bypassPermits, bypassWait, errorLogInterval, l1MaximumSize, l1Ttl), mapper, typeResolver);
    }

    private static boolean caffeinePresent() {
      try {
        Class.forName("com.github.benmanes.caffeine.cache.Caffeine", false, RedisCacheAside.class.getClassLoader());
        return true;
      } catch (ClassNotFoundException e) {
        return false;
      }
    }

    /** Checks every value, in setter order; the name first, as every message names the cache. */
    private void validate() {
      Names.checkName(COMPONENT, name);
      Names.checkKeyPrefix(COMPONENT, name, keyPrefix);
      positive("ttl", ttl);
      positive("notFoundTtl", notFoundTtl);
      check(jitter >= 0 && jitter <= 0.5, "jitter", jitter, "be within [0, 0.5]");
      notNegative("staleGrace", staleGrace);
      check(earlyRefreshBeta >= 0 && earlyRefreshBeta <= 10, "earlyRefreshBeta", earlyRefreshBeta,
          "be within [0, 10]");
      positive("leaseTtl", leaseTtl);
      check(leaseTtl.toMillis() >= 1, "leaseTtl", leaseTtl, "be at least 1 ms");
      notNegative("leaseWait", leaseWait);
      check(leaseWait.compareTo(leaseTtl) < 0, "leaseWait", leaseWait, "be < leaseTtl (" + leaseTtl + ")");
      check(valueVersion >= 0, "valueVersion", valueVersion, "be >= 0");
      check(maxKeyLength >= 16 && maxKeyLength <= 512, "maxKeyLength", maxKeyLength, "be within [16, 512]");
      check(failureThreshold >= 1 && failureThreshold <= 1000, "failureThreshold", failureThreshold,
          "be within [1, 1000]");
      positive("openDuration", openDuration);
      check(bypassPermits >= 1 && bypassPermits <= 10_000, "bypassPermits", bypassPermits, "be within [1, 10000]");
      notNegative("bypassWait", bypassWait);
      positive("errorLogInterval", errorLogInterval);
      if (l1Ttl != null) {
        check(l1MaximumSize >= 1 && l1MaximumSize <= 10_000_000, "l1MaximumSize", l1MaximumSize,
            "be within [1, 10000000]");
        positive("l1Ttl", l1Ttl);
      }
    }

    private void positive(String field, Duration value) {
      check(!value.isNegative() && !value.isZero(), field, value, "be > 0");
    }

    private void notNegative(String field, Duration value) {
      check(!value.isNegative(), field, value, "be >= 0");
    }

    private void check(boolean ok, String field, Object value, String rule) {
      if (!ok) {
        throw Names.invalid(COMPONENT, name, field, rule, value);
      }
    }

    @Override
    public String toString() {
      return "RedisCacheAside.Builder[name=" + name + ", type=" + typeName + ", keyPrefix=" + keyPrefix + ", ttl="
          + ttl + ", notFoundTtl=" + notFoundTtl + ", jitter=" + jitter + ", staleGrace=" + staleGrace + ", l1="
          + (l1Ttl == null ? "off" : l1MaximumSize + "/" + l1Ttl) + "]";
    }
  }
}
