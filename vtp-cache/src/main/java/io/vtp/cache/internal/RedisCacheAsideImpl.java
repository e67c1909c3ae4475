package io.vtp.cache.internal;

import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vtp.cache.BulkLoader;
import io.vtp.cache.CacheAside;
import io.vtp.cache.CacheLoader;
import io.vtp.cache.CacheStats;
import io.vtp.cache.Loaded;
import io.vtp.cache.internal.EnvelopeCodec.Envelope;
import io.vtp.redis.PipelinedCall;
import io.vtp.redis.internal.ThrottledLog;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisException;

/**
 * The Redis cache-aside: wires one cache's parts and checks the callers' arguments. The single-key read is
 * {@link ReadPath}, the bulk read {@link BulkPath}, both over the load lease ({@link Leases}) and the loader side
 * ({@link Loads}); {@link Invalidations} keeps Redis and every instance's L1 right after writes; {@link RedisAccess}
 * holds the client and the circuit breaker; {@link CacheCounters} the statistics. Thread-safe.
 *
 * @param <V> the value type
 */
public final class RedisCacheAsideImpl<V> implements CacheAside<V> {
  private static final Logger LOG = LoggerFactory.getLogger("io.vtp.cache.RedisCacheAside");

  private final CacheConfig cfg;
  private final String name;
  private final KeyScheme keys;
  private final CacheCounters counters = new CacheCounters();
  private final RedisAccess redis;
  private final L1Cache<V> l1;
  private final InvalidationListener listener;
  private final Invalidations invalidations;
  private final ReadPath<V> reads;
  private final BulkPath<V> bulk;
  private final AtomicBoolean closed = new AtomicBoolean();

  /**
   * Creates the cache; use {@code RedisCacheAside.builder} instead. With L1 it starts the invalidation listener
   * and waits up to 2 s for its first subscription.
   *
   * @param redis the caller's client; not {@code null}
   * @param cfg validated configuration
   * @param mapper the base mapper (copied and locked down)
   * @param type resolves the value type against the mapper
   * @throws NullPointerException when {@code redis} is {@code null}
   */
  public RedisCacheAsideImpl(UnifiedJedis redis, CacheConfig cfg, ObjectMapper mapper,
      Function<ObjectMapper, JavaType> type) {
    Objects.requireNonNull(redis, "redis");
    this.cfg = cfg;
    this.name = cfg.name();
    this.keys = new KeyScheme(cfg.keyPrefix(), cfg.name(), cfg.maxKeyLength());
    EnvelopeCodec<V> codec = new EnvelopeCodec<>(mapper, type, cfg.valueVersion());
    ThrottledLog errorLog = new ThrottledLog(LOG, cfg.clock(), cfg.errorLogInterval());
    this.redis = new RedisAccess(redis, cfg, LOG, errorLog, counters);
    if (cfg.l1Enabled()) {
      this.l1 = new L1Cache<>(cfg.l1MaximumSize(), cfg.l1Ttl());
      this.listener = new InvalidationListener(redis, keys.channel(), l1, errorLog, name);
      listener.start(Duration.ofSeconds(2));
    } else {
      this.l1 = null;
      this.listener = null;
    }
    Leases leases = new Leases(this.redis, keys, cfg, counters);
    Loads<V> loads = new Loads<>(cfg, codec, counters, LOG, errorLog);
    this.invalidations = new Invalidations(this.redis, keys, name, l1, errorLog, counters);
    this.reads = new ReadPath<>(cfg, keys, codec, this.redis, leases, loads, invalidations, l1, counters, errorLog);
    this.bulk = new BulkPath<>(cfg, keys, codec, this.redis, leases, loads, invalidations, l1, counters);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public Optional<V> get(String key, CacheLoader<V> loader) {
    return get(key, cfg.ttl(), loader);
  }

  @Override
  public Optional<V> get(String key, Duration ttl, CacheLoader<V> loader) {
    String part = keys.part(key);
    Objects.requireNonNull(ttl, "ttl");
    Objects.requireNonNull(loader, "loader");
    if (ttl.isZero() || ttl.isNegative()) {
      throw new IllegalArgumentException("cache '" + name + "': ttl must be > 0 but was " + ttl);
    }
    return Optional.ofNullable(reads.get(part, key, ttl, loader).value());
  }

  @Override
  public Optional<Loaded<V>> peek(String key) {
    Envelope<V> entry = reads.peek(keys.part(key));
    return entry == null ? Optional.empty() : Optional.of(Loaded.ofNullable(entry.value()));
  }

  @Override
  public PipelinedCall<Optional<Loaded<V>>> readCall(String key) {
    String part = keys.part(key);
    Envelope<V> local = reads.peekL1(part);
    if (local != null) {
      return PipelinedCall.answered(Optional.of(Loaded.ofNullable(local.value())));
    }
    if (!reads.peekAllowed()) {
      return PipelinedCall.answered(Optional.empty());
    }
    return new ReadCall(part);
  }

  /** The {@code GET} of one entry in a shared round trip; see {@link #readCall(String)}. */
  private final class ReadCall extends PipelinedCall<Optional<Loaded<V>>> {
    private final String part;
    private final long epoch;
    private Response<String> raw;

    ReadCall(String part) {
      super(redis.client());
      this.part = part;
      this.epoch = reads.l1Epoch();
    }

    @Override
    protected boolean needsRedis() {
      return true;
    }

    @Override
    protected void queue(AbstractPipeline pipeline) {
      raw = pipeline.get(keys.valueKey(part));
    }

    @Override
    protected Optional<Loaded<V>> complete(JedisException failure) {
      String value = null;
      RuntimeException error = failure;
      if (error == null) {
        try {
          value = raw.get();
        } catch (JedisDataException e) {
          error = e; // WRONGTYPE, a cluster redirection: a miss here, the full read decides
        }
      }
      Envelope<V> entry = reads.peekForRead(part, value, error, epoch);
      return entry == null ? Optional.empty() : Optional.of(Loaded.ofNullable(entry.value()));
    }
  }

  @Override
  public Map<String, V> getAll(Collection<String> requested, BulkLoader<V> loader) {
    return bulk.getAll(requested, loader);
  }

  @Override
  public void invalidate(String key) {
    invalidations.invalidate(keys.part(key));
  }

  @Override
  public void invalidateAll() {
    invalidations.invalidateAll();
  }

  @Override
  public CacheStats stats() {
    return counters.snapshot(redis.circuitOpen());
  }

  /**
   * Returns the L1's estimated size, for metrics.
   *
   * @return the number of entries; 0 without L1
   */
  public long l1Size() {
    return l1 == null ? 0 : l1.size();
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true) && listener != null) {
      listener.close();
    }
  }

  @Override
  public String toString() {
    return "RedisCacheAside[" + name + ", l1=" + (l1 != null) + ", circuit=" + (redis.circuitOpen() ? "open" : "closed")
        + "]";
  }
}
