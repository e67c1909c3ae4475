package io.vtp.spring.boot.cache;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code vtp.cache.*}: the Spring {@code CacheManager} over vtp-cache, one cache per configured name.
 *
 * <pre>
 * vtp.cache.caches.courses.type=com.example.Course
 * vtp.cache.caches.courses.ttl=10m
 * vtp.cache.caches.course-ids.type=java.util.List&lt;java.lang.Long&gt;
 * </pre>
 *
 * <p>Not thread-safe while Spring binds it; read-only afterwards.
 */
@ConfigurationProperties("vtp.cache")
public class VtpCacheProperties {

  /** Whether the starter provides the CacheManager (only when the service has @EnableCaching and no other). */
  private boolean enabled = true;

  /**
   * Strict mode: start-up fails when a caching annotation names a cache that vtp.cache.caches does not configure.
   * Off: such names are left to Spring (getCache answers null).
   */
  private boolean strict = true;

  /** Prefix of every cache key in Redis. */
  private String keyPrefix = "vtp:cache:";

  /** The caches by name (1 to 64 characters of [A-Za-z0-9._-]). */
  private Map<String, CacheSpec> caches = new LinkedHashMap<>();

  /** Creates the defaults; Spring binds the rest. */
  public VtpCacheProperties() {
  }

  /**
   * Returns whether the CacheManager is provided.
   *
   * @return whether the CacheManager is provided
   */
  public boolean isEnabled() {
    return enabled;
  }

  /**
   * Sets whether the CacheManager is provided.
   *
   * @param enabled whether it is provided
   */
  public void setEnabled(boolean enabled) {
    this.enabled = enabled;
  }

  /**
   * Returns whether unknown cache names fail at start-up.
   *
   * @return whether strict mode is on
   */
  public boolean isStrict() {
    return strict;
  }

  /**
   * Sets strict mode.
   *
   * @param strict whether unknown cache names fail at start-up
   */
  public void setStrict(boolean strict) {
    this.strict = strict;
  }

  /**
   * Returns the key prefix.
   *
   * @return the prefix; null only when bound so
   */
  public String getKeyPrefix() {
    return keyPrefix;
  }

  /**
   * Sets the key prefix.
   *
   * @param keyPrefix the prefix; may be null (then rejected at start-up)
   */
  public void setKeyPrefix(String keyPrefix) {
    this.keyPrefix = keyPrefix;
  }

  /**
   * Returns the caches by name.
   *
   * @return the live map; never null
   */
  public Map<String, CacheSpec> getCaches() {
    return caches;
  }

  /**
   * Replaces the caches.
   *
   * @param caches the caches by name; not null
   */
  public void setCaches(Map<String, CacheSpec> caches) {
    this.caches = caches;
  }

  /** One cache. Not thread-safe while bound. */
  public static class CacheSpec {

    /**
     * The value type, read back as exactly this type (required): a class name, or a Jackson canonical type such as
     * java.util.List&lt;com.example.Course&gt;. Values are JSON; stored data never names a class.
     */
    private String type;

    /** How long a loaded value is fresh, before jitter. */
    private Duration ttl = Duration.ofMinutes(30);

    /** How long a cached null ("not found") is kept. */
    private Duration notFoundTtl = Duration.ofMinutes(1);

    /** How long after expiry a value may still be served when the method fails (stale-if-error); 0 turns it off. */
    private Duration staleGrace = Duration.ofMinutes(5);

    /** Relative TTL jitter, 0 to 0.5. */
    private double jitter = 0.10;

    /** Version of the value's shape; bump it on an incompatible change so old entries read as misses. */
    private int valueVersion = 1;

    /**
     * How long other instances wait for the instance that loads a missed key before loading it themselves
     * (must be shorter than lease-ttl).
     */
    private Duration leaseWait = Duration.ofSeconds(1);

    /** How long a load lease lives if its holder dies. */
    private Duration leaseTtl = Duration.ofSeconds(5);

    /**
     * While Redis is unavailable, how many loads may run against the source at once; past it a read waits up to
     * bypass-wait, then fails with 503 + Retry-After (servlet applications) so a Redis outage cannot become a
     * database stampede.
     */
    private int bypassPermits = 16;

    /** How long a read waits for a bypass slot while Redis is unavailable. */
    private Duration bypassWait = Duration.ofSeconds(1);

    /** Creates the defaults; Spring binds the rest. */
    public CacheSpec() {
    }

    /**
     * Returns the value type.
     *
     * @return the type; null when not set
     */
    public String getType() {
      return type;
    }

    /**
     * Sets the value type.
     *
     * @param type a class name or Jackson canonical type; may be null
     */
    public void setType(String type) {
      this.type = type;
    }

    /**
     * Returns the freshness.
     *
     * @return the TTL; null only when bound so
     */
    public Duration getTtl() {
      return ttl;
    }

    /**
     * Sets the freshness.
     *
     * @param ttl the TTL; may be null (then rejected at start-up)
     */
    public void setTtl(Duration ttl) {
      this.ttl = ttl;
    }

    /**
     * Returns how long a cached null is kept.
     *
     * @return the TTL; null only when bound so
     */
    public Duration getNotFoundTtl() {
      return notFoundTtl;
    }

    /**
     * Sets how long a cached null is kept.
     *
     * @param notFoundTtl the TTL; may be null (then rejected at start-up)
     */
    public void setNotFoundTtl(Duration notFoundTtl) {
      this.notFoundTtl = notFoundTtl;
    }

    /**
     * Returns the stale grace.
     *
     * @return the grace; null only when bound so
     */
    public Duration getStaleGrace() {
      return staleGrace;
    }

    /**
     * Sets the stale grace.
     *
     * @param staleGrace the grace; may be null (then rejected at start-up)
     */
    public void setStaleGrace(Duration staleGrace) {
      this.staleGrace = staleGrace;
    }

    /**
     * Returns the jitter.
     *
     * @return the jitter
     */
    public double getJitter() {
      return jitter;
    }

    /**
     * Sets the jitter.
     *
     * @param jitter 0 to 0.5
     */
    public void setJitter(double jitter) {
      this.jitter = jitter;
    }

    /**
     * Returns the value version.
     *
     * @return the version
     */
    public int getValueVersion() {
      return valueVersion;
    }

    /**
     * Sets the value version.
     *
     * @param valueVersion from 0
     */
    public void setValueVersion(int valueVersion) {
      this.valueVersion = valueVersion;
    }

    /**
     * Returns the lease wait.
     *
     * @return the wait; null only when bound so
     */
    public Duration getLeaseWait() {
      return leaseWait;
    }

    /**
     * Sets the lease wait.
     *
     * @param leaseWait the wait; may be null (then rejected at start-up)
     */
    public void setLeaseWait(Duration leaseWait) {
      this.leaseWait = leaseWait;
    }

    /**
     * Returns the lease lifetime.
     *
     * @return the lifetime; null only when bound so
     */
    public Duration getLeaseTtl() {
      return leaseTtl;
    }

    /**
     * Returns how many loads may bypass an unavailable Redis at once.
     *
     * @return the permits
     */
    public int getBypassPermits() {
      return bypassPermits;
    }

    /**
     * Sets how many loads may bypass an unavailable Redis at once.
     *
     * @param bypassPermits 1 to 10000
     */
    public void setBypassPermits(int bypassPermits) {
      this.bypassPermits = bypassPermits;
    }

    /**
     * Returns how long a read waits for a bypass slot.
     *
     * @return the wait; null only when bound so
     */
    public Duration getBypassWait() {
      return bypassWait;
    }

    /**
     * Sets how long a read waits for a bypass slot.
     *
     * @param bypassWait the wait; may be null (then rejected at start-up)
     */
    public void setBypassWait(Duration bypassWait) {
      this.bypassWait = bypassWait;
    }

    /**
     * Sets the lease lifetime.
     *
     * @param leaseTtl the lifetime; may be null (then rejected at start-up)
     */
    public void setLeaseTtl(Duration leaseTtl) {
      this.leaseTtl = leaseTtl;
    }
  }
}
