package io.vtp.bench;

import io.vtp.bench.session.SessionBenchmark;
import io.vtp.redis.RedisScript;
import io.vtp.session.RedisSessionStore;
import io.vtp.session.Session;
import io.vtp.session.SessionStore;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The physical floors the other benchmarks are reported against, each the least that the round trips and Redis
 * commands of an operation cost through the same pooled client, with nothing of a library around them:
 * <ul>
 *   <li>{@link #rawGet}: one {@code GET} of a 100-byte value, the reference every ratio in the report is taken to,
 *       and the floor of a session find and of a cache hit;</li>
 *   <li>{@link #rawCompareAndSet}: one {@code EVALSHA} reading one one-byte hash field, comparing and writing it,
 *       the least a write that Redis must check can cost;</li>
 *   <li>{@link #rawGetThenCompareAndSet}: the floor of a session find then update: a {@code GET} of as many bytes
 *       as the session's record, then the session store's own compare-and-set script ({@code cas.lua} of
 *       {@code vtp-session}, the update's fast path) writing a record of the same size;</li>
 *   <li>{@link #rawTimeGetSet}: the floor of a rate limit decision on the Redis clock: one {@code EVALSHA} of a
 *       script doing nothing but {@code TIME}, {@code GET} and {@code SET ... PX} on one of 10,000 keys.</li>
 * </ul>
 *
 * <p>Run (1 and 8 threads):
 * <pre>
 * ./mvnw -q -pl vtp-bench -am package -DskipTests
 * java -jar vtp-bench/target/benchmarks.jar RawGetBenchmark -t 1
 * java -jar vtp-bench/target/benchmarks.jar RawGetBenchmark -t 8
 * </pre>
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 3)
public class RawGetBenchmark {
  private static final RedisScript COMPARE_AND_SET = RedisScript.of("compare-and-set",
      "if redis.call('HGET', KEYS[1], 'v') == ARGV[1] then return redis.call('HSET', KEYS[1], 'v', ARGV[2]) end "
          + "return -1");
  private static final List<String> FROM_B = List.of("b", "a");
  private static final List<String> FROM_A = List.of("a", "b");
  /** The session store's own update fast path, the very script {@code vtpFindThenUpdate} runs. */
  private static final RedisScript SESSION_CAS = RedisScript.fromResource(RedisSessionStore.class,
      "/io/vtp/session/internal/cas.lua");
  /** The least a decision on the Redis clock can do: read the clock, read the state, write it with an expiry. */
  private static final RedisScript TIME_GET_SET = RedisScript.of("time-get-set",
      "local t = redis.call('TIME') local v = redis.call('GET', KEYS[1]) "
          + "redis.call('SET', KEYS[1], t[1] .. t[2], 'PX', ARGV[1]) if v then return 1 end return 0");
  private static final List<String> TTL_MS = List.of("60000");
  static final int LIMITER_KEYS = 10_000;

  /**
   * One GET.
   *
   * @param redis the shared Redis and client
   * @return the value, so JMH keeps the call
   */
  @Benchmark
  public String rawGet(BenchRedis redis) {
    return redis.client().get(BenchRedis.GET_KEY);
  }

  /**
   * The write floor for a script-checked write (the session store's update): one {@code EVALSHA} of the least such
   * a script can do, read one field of a small hash, compare, write it. Each thread flips its own hash between two
   * values, so the compare always matches.
   *
   * @param redis the shared Redis and client
   * @param key this thread's hash
   * @return the script's reply, so JMH keeps the call
   */
  @Benchmark
  public Object rawCompareAndSet(BenchRedis redis, CasKey key) {
    key.flip = !key.flip;
    return COMPARE_AND_SET.eval(redis.client(), List.of(key.key), key.flip ? FROM_B : FROM_A);
  }

  /** One hash per benchmark thread, for {@link #rawCompareAndSet}. */
  @State(Scope.Thread)
  public static class CasKey {
    final String key = "bench:raw:cas:" + UUID.randomUUID();
    boolean flip;

    /**
     * Writes the value the first compare expects.
     *
     * @param redis the shared Redis and client
     */
    @Setup(Level.Trial)
    public void seed(BenchRedis redis) {
      redis.client().hset(key, "v", "b");
    }
  }

  /**
   * The floor of a session find then update ({@code SessionBenchmark.vtpFindThenUpdate}): a {@code GET} of as many
   * bytes as the find's {@code HMGET} returns, then one {@code EVALSHA} of the session store's {@code cas.lua}
   * with the same arguments its update sends (the record's two fields, the meta read, the new meta, the new JSON).
   * Each thread flips its own record between two versions, so the compare always matches.
   *
   * @param redis the shared Redis and client
   * @param record this thread's record
   * @param hole keeps the value read
   * @return the script's reply (1: written), so JMH keeps the call
   * @throws IllegalStateException when the compare did not match (the floor would then skip its write)
   */
  @Benchmark
  public Object rawGetThenCompareAndSet(BenchRedis redis, SessionRecord record, Blackhole hole) {
    hole.consume(redis.client().get(record.getKey));
    record.flip = !record.flip;
    Object written = SESSION_CAS.eval(redis.client(), record.hashKeys, record.flip ? record.toSecond : record.toFirst);
    if (!Long.valueOf(1).equals(written)) {
      throw new IllegalStateException("the floor's compare-and-set wrote nothing: " + written);
    }
    return written;
  }

  /**
   * The floor of a rate limit decision ({@code RateLimitBenchmark.vtpSpread}): one {@code EVALSHA} of a script
   * that reads the Redis clock, reads one key and writes it with a 60 s expiry, walking over 10,000 keys as the
   * limiter benchmark does.
   *
   * @param redis the shared Redis and client
   * @param cursor this thread's walk over the keys
   * @return the script's reply, so JMH keeps the call
   */
  @Benchmark
  public Object rawTimeGetSet(BenchRedis redis, LimiterCursor cursor) {
    return TIME_GET_SET.eval(redis.client(), List.of(cursor.nextKey()), TTL_MS);
  }

  /**
   * One session-sized record per benchmark thread, for {@link #rawGetThenCompareAndSet}: its bytes are taken from
   * a real session, created and updated once through {@code vtp-session} with the attributes of
   * {@code SessionBenchmark} (plus the {@code n} its find-then-update writes), so the floor reads and writes as
   * much as the contender does.
   */
  @State(Scope.Thread)
  public static class SessionRecord {
    String getKey;
    List<String> hashKeys;
    List<String> toSecond;
    List<String> toFirst;
    /** The record's two fields' sizes in bytes (meta, JSON), for tests. */
    int metaBytes;
    int dataBytes;
    boolean flip;

    /**
     * Creates a session, copies its record to this floor's own keys, and prepares the two versions to flip
     * between.
     *
     * @param redis the shared Redis and client
     */
    @Setup(Level.Trial)
    public void seed(BenchRedis redis) {
      String id = UUID.randomUUID().toString();
      String prefix = "bench:floor:session:" + id + ":";
      SessionStore store = RedisSessionStore.builder(redis.client()).name("bench-floor").keyPrefix(prefix).build();
      Session session = store.create("floor-user", SessionBenchmark.ATTRIBUTES);
      store.update(session, m -> m.put("n", 100_000L)).orElseThrow();
      Set<String> records = redis.client().keys(prefix + "*:s");
      if (records.size() != 1) {
        throw new IllegalStateException("expected one session record under " + prefix + " but found " + records);
      }
      Map<String, String> fields = redis.client().hgetAll(records.iterator().next());
      String metaField = fields.keySet().stream().filter(f -> f.startsWith("m:")).findFirst().orElseThrow();
      String dataField = "d:" + metaField.substring(2);
      String meta = fields.get(metaField);
      String data = fields.get(dataField);
      if (data == null) {
        throw new IllegalStateException("the session record has no " + dataField + ": " + fields.keySet());
      }
      // Two metas of the same length: versions 2 and 3 (the update above wrote version 2).
      String rest = meta.substring(meta.indexOf(':'));
      String first = "2" + rest;
      String second = "3" + rest;
      getKey = "bench:floor:session-get:" + id;
      String hashKey = "bench:floor:session-record:" + id;
      redis.client().set(getKey, meta + data);
      redis.client().hset(hashKey, Map.of(metaField, first, dataField, data));
      hashKeys = List.of(hashKey);
      toSecond = List.of(metaField, dataField, first, second, data);
      toFirst = List.of(metaField, dataField, second, first, data);
      metaBytes = meta.length();
      dataBytes = data.length();
      flip = false;
    }
  }

  /** Each thread's walk over the limiter floor's keys. */
  @State(Scope.Thread)
  public static class LimiterCursor {
    private static final String[] KEYS = new String[LIMITER_KEYS];

    static {
      for (int i = 0; i < LIMITER_KEYS; i++) {
        KEYS[i] = "bench:floor:rl:user" + i;
      }
    }

    int next = ThreadLocalRandom.current().nextInt(LIMITER_KEYS);

    String nextKey() {
      next = next + 1 == LIMITER_KEYS ? 0 : next + 1;
      return KEYS[next];
    }
  }
}
