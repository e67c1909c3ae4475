package io.vtp.cache.internal;

import io.vtp.cache.internal.EnvelopeCodec.Envelope;
import io.vtp.cache.internal.RedisAccess.ScriptCall;
import io.vtp.redis.RedisScript;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The cross-instance load lease of one cache, over three scripts: {@code acquire.lua} reads an entry or takes its
 * lease, {@code put.lua} writes a loaded entry only while the writer still holds the lease, {@code release.lua}
 * gives a lease up without writing. An invalidation deletes the lease, so a load that raced with it is not written.
 * Thread-safe.
 */
final class Leases {
  private static final RedisScript ACQUIRE = RedisScript.fromResource(Leases.class, "acquire.lua");
  private static final RedisScript PUT = RedisScript.fromResource(Leases.class, "put.lua");
  private static final RedisScript RELEASE = RedisScript.fromResource(Leases.class, "release.lua");

  private final RedisAccess redis;
  private final KeyScheme keys;
  private final CacheCounters counters;
  private final Clock clock;
  private final long staleGraceMillis;
  private final String leaseMillis;

  Leases(RedisAccess redis, KeyScheme keys, CacheConfig cfg, CacheCounters counters) {
    this.redis = redis;
    this.keys = keys;
    this.counters = counters;
    this.clock = cfg.clock();
    this.staleGraceMillis = cfg.staleGrace().toMillis();
    this.leaseMillis = Long.toString(Math.max(1, cfg.leaseTtl().toMillis()));
  }

  /** Returns a new random lease token (not from the configured randomness: tokens must not repeat in tests). */
  static String newToken() {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    return Long.toHexString(r.nextLong()) + Long.toHexString(r.nextLong());
  }

  /**
   * Reads the entry of {@code part} or takes its lease, in one {@code EVALSHA}.
   *
   * @param skip an entry to treat as absent (the caller's own expired, corrupt or due-for-refresh copy), or
   *     {@code null} for none
   * @throws RuntimeException on a Redis failure or an unexpected reply; the caller reports it as {@code lease}
   */
  Acquired acquire(String part, String token, String skip) {
    ScriptCall call = acquireCall(part, token, skip);
    return Acquired.decode(ACQUIRE.eval(redis.client(), call.keys(), call.args()));
  }

  /**
   * The {@code acquire.lua} call for {@code part}, for a pipeline; decode each reply with {@link Acquired#decode}.
   *
   * @param skip an entry to treat as absent, or {@code null} for none
   */
  ScriptCall acquireCall(String part, String token, String skip) {
    List<String> args = skip == null ? List.of(token, leaseMillis) : List.of(token, leaseMillis, skip);
    return new ScriptCall(ACQUIRE, List.of(keys.valueKey(part), keys.leaseKey(part)), args);
  }

  /** Writes a loaded entry if this caller still holds the lease (counted as a put), which releases it. */
  void put(Write write) {
    try {
      ScriptCall call = write.call(this);
      Object written = PUT.eval(redis.client(), call.keys(), call.args());
      redis.succeeded();
      if (Long.valueOf(1L).equals(written)) {
        counters.puts.increment();
      }
    } catch (RuntimeException e) {
      redis.failed("put", e);
    }
  }

  /** Gives up a lease without writing, if this caller still holds it. */
  void release(Release release) {
    try {
      ScriptCall call = release.call(this);
      RELEASE.eval(redis.client(), call.keys(), call.args());
    } catch (RuntimeException e) {
      redis.failed("release", e);
    }
  }

  /** Ends many leases in one pipeline: each by writing its entry or by releasing it. */
  void endAll(List<LeaseEnd> ends) {
    if (ends.isEmpty()) {
      return;
    }
    List<ScriptCall> calls = new ArrayList<>(ends.size());
    ends.forEach(end -> calls.add(end.call(this)));
    try {
      List<Object> replies = redis.evalPipelined(calls);
      redis.succeeded();
      for (int i = 0; i < ends.size(); i++) {
        if (ends.get(i) instanceof Write && Long.valueOf(1L).equals(replies.get(i))) {
          counters.puts.increment();
        }
      }
    } catch (RuntimeException e) {
      redis.failed("put", e);
    }
  }

  /** Releases many leases in one pipeline, after a failed bulk load. */
  void releaseAll(List<Release> releases) {
    if (releases.isEmpty()) {
      return;
    }
    List<ScriptCall> calls = new ArrayList<>(releases.size());
    releases.forEach(r -> calls.add(r.call(this)));
    try {
      redis.evalPipelined(calls);
    } catch (RuntimeException e) {
      redis.failed("release", e);
    }
  }

  /** How a lease holder ends its lease: by writing what it loaded ({@link Write}) or not ({@link Release}). */
  sealed interface LeaseEnd permits Write, Release {
    ScriptCall call(Leases leases);
  }

  /** Ends a lease by writing {@code entry} ({@code put.lua}); its Redis TTL is its freshness plus the grace. */
  record Write(String part, String token, Envelope<?> entry) implements LeaseEnd {
    @Override
    public ScriptCall call(Leases leases) {
      long ttlMillis = Math.max(1, entry.freshUntil() - leases.clock.millis()) + leases.staleGraceMillis;
      return new ScriptCall(PUT, List.of(leases.keys.valueKey(part), leases.keys.leaseKey(part)),
          List.of(token, entry.raw(), Long.toString(ttlMillis)));
    }
  }

  /** Ends a lease without writing ({@code release.lua}). */
  record Release(String part, String token) implements LeaseEnd {
    @Override
    public ScriptCall call(Leases leases) {
      return new ScriptCall(RELEASE, List.of(leases.keys.leaseKey(part)), List.of(token));
    }
  }

  /**
   * A decoded {@code acquire.lua} reply.
   *
   * @param outcome what the script found
   * @param entry the raw entry for {@link Outcome#FOUND}; {@code null} otherwise
   */
  record Acquired(Outcome outcome, String entry) {
    /** The script's three answers; the codes are those of its reply's first element. */
    enum Outcome {
      /** {@code {1, entry}}: an entry other than the skipped one exists. */
      FOUND,
      /** {@code {2}}: this caller now holds the lease; it must load, then end the lease ({@link LeaseEnd}). */
      LEASED,
      /** {@code {3}}: another caller holds the lease. */
      BUSY
    }

    private static final Acquired LEASED = new Acquired(Outcome.LEASED, null);
    private static final Acquired BUSY = new Acquired(Outcome.BUSY, null);

    /**
     * Decodes a reply as Jedis returns it.
     *
     * @throws IllegalStateException when the reply is not one of the script's three shapes
     */
    static Acquired decode(Object raw) {
      if (raw instanceof List<?> list && !list.isEmpty() && list.get(0) instanceof Long code) {
        if (code == 1 && list.size() == 2) {
          Object v = list.get(1);
          if (v instanceof byte[] bytes) {
            return new Acquired(Outcome.FOUND, new String(bytes, StandardCharsets.UTF_8));
          }
          if (v instanceof String s) {
            return new Acquired(Outcome.FOUND, s);
          }
        } else if (code == 2 && list.size() == 1) {
          return LEASED;
        } else if (code == 3 && list.size() == 1) {
          return BUSY;
        }
      }
      throw new IllegalStateException("unexpected reply from acquire.lua: " + raw);
    }
  }
}
