package io.vtp.bench.session;

import io.vtp.bench.BenchRedis;
import io.vtp.session.RedisSessionStore;
import io.vtp.session.Session;
import io.vtp.session.SessionStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.RedisTemplate;
import org.springframework.data.redis.serializer.RedisSerializer;
import org.springframework.session.SessionRepository;
import org.springframework.session.data.redis.RedisSessionRepository;

/**
 * {@code vtp-session} against Spring Session Data Redis's {@code RedisSessionRepository} (its default, non-indexed
 * repository; Lettuce, JDK serialization, as configured without Spring Boot), against the raw {@code GET} floor.
 * Each thread has its own session (so updates never conflict), holding three small attributes.
 *
 * <ul>
 *   <li>{@code vtpCreate}: {@code SessionStore.create}: one EVALSHA (with at most 100 sessions per user, so
 *       each create also evicts the oldest once the user has 100);</li>
 *   <li>{@code vtpFind}: {@code SessionStore.find}: one plain HMGET for a session this store has seen (one EVALSHA
 *       when the idle slide is due, once a minute);</li>
 *   <li>{@code vtpFindThenUpdate}: find, then {@code update(session, change)}: two round trips (HMGET, EVALSHA);</li>
 *   <li>{@code vtpUpdateById}: {@code update(id, change)} of a session this store has seen: one EVALSHA (no
 *       Spring Session counterpart: its save needs the session read first);</li>
 *   <li>{@code springFindById}: {@code findById}: one HGETALL;</li>
 *   <li>{@code springFindThenSave}: {@code findById}, {@code setAttribute}, {@code save}.</li>
 * </ul>
 * Spring Session is given a longer warm-up, as it needs it (Lettuce and Spring's converters are slow to warm).
 *
 * <p>Run, reading each result as a ratio to {@code RawGetBenchmark.rawGet} of the same run:
 * <pre>
 * ./mvnw -q -pl vtp-bench -am package -DskipTests
 * java -jar vtp-bench/target/benchmarks.jar 'RawGet|SessionBenchmark' -t 1
 * java -jar vtp-bench/target/benchmarks.jar 'RawGet|SessionBenchmark' -t 8
 * </pre>
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 8)
@Measurement(iterations = 3, time = 3)
public class SessionBenchmark {
  /**
   * The attributes every benchmark session holds (and the session-sized floor,
   * {@code RawGetBenchmark.rawGetThenCompareAndSet}, reads and writes as many bytes of).
   */
  public static final Map<String, Object> ATTRIBUTES = Map.of("role", "member", "locale", "en-GB", "cart",
      List.of("sku-1", "sku-2"));

  /** The two stores, on the same Redis. */
  @State(Scope.Benchmark)
  public static class Stores {
    SessionStore vtp;
    /** For {@code vtpCreate}: at most 100 sessions per user, so a long run evicts instead of filling Redis. */
    SessionStore vtpCapped;
    SessionRepository<org.springframework.session.Session> spring;
    LettuceConnectionFactory lettuce;

    /**
     * Builds both stores.
     *
     * @param redis the shared Redis and client
     */
    @Setup(Level.Trial)
    public void start(BenchRedis redis) {
      vtp = RedisSessionStore.builder(redis.client()).name("bench").keyPrefix("bench:vtp-session:").build();
      vtpCapped = RedisSessionStore.builder(redis.client()).name("bench-create").keyPrefix("bench:vtp-create:")
          .maxSessionsPerUser(100).build();
      lettuce = new LettuceConnectionFactory(new RedisStandaloneConfiguration(redis.server().host(),
          redis.server().port()));
      lettuce.afterPropertiesSet();
      lettuce.start();
      RedisTemplate<String, Object> template = new RedisTemplate<>();
      template.setConnectionFactory(lettuce);
      template.setKeySerializer(RedisSerializer.string());
      template.setHashKeySerializer(RedisSerializer.string());
      template.afterPropertiesSet();
      @SuppressWarnings("unchecked") // RedisSessionRepository's session type is not public
      SessionRepository<org.springframework.session.Session> repository =
          (SessionRepository<org.springframework.session.Session>) (SessionRepository<?>) new RedisSessionRepository(template);
      spring = repository;
    }

    /** Closes the Spring connection factory. */
    @TearDown(Level.Trial)
    public void stop() {
      lettuce.destroy();
    }
  }

  /** One session per thread in each store. */
  @State(Scope.Thread)
  public static class Sessions {
    private static final AtomicInteger USERS = new AtomicInteger();
    String user;
    Session vtp;
    String springId;
    long counter;

    /**
     * Creates this thread's sessions.
     *
     * @param stores the stores
     */
    @Setup(Level.Trial)
    public void create(Stores stores) {
      user = "bench-user-" + USERS.incrementAndGet();
      vtp = stores.vtp.create(user, ATTRIBUTES);
      org.springframework.session.Session s = stores.spring.createSession();
      s.setAttribute("role", "member");
      s.setAttribute("locale", "en-GB");
      s.setAttribute("cart", new ArrayList<>(List.of("sku-1", "sku-2")));
      stores.spring.save(s);
      springId = s.getId();
    }
  }

  /**
   * vtp-session create (a new session for this thread's user; the oldest of its 100 is evicted once full).
   *
   * @param stores the stores
   * @param sessions this thread's sessions
   * @return the new session
   */
  @Benchmark
  public Object vtpCreate(Stores stores, Sessions sessions) {
    return stores.vtpCapped.create(sessions.user, ATTRIBUTES);
  }

  /**
   * vtp-session find.
   *
   * @param stores the stores
   * @param sessions this thread's sessions
   * @return the session
   */
  @Benchmark
  public Object vtpFind(Stores stores, Sessions sessions) {
    return stores.vtp.find(sessions.vtp.id()).orElseThrow();
  }

  /**
   * vtp-session find, then update of one attribute.
   *
   * @param stores the stores
   * @param sessions this thread's sessions
   * @return the updated session
   */
  @Benchmark
  public Object vtpFindThenUpdate(Stores stores, Sessions sessions) {
    Session s = stores.vtp.find(sessions.vtp.id()).orElseThrow();
    long n = ++sessions.counter;
    return stores.vtp.update(s, m -> m.put("n", n)).orElseThrow();
  }

  /**
   * vtp-session update by id of one attribute (this store saw the session: one round trip).
   *
   * @param stores the stores
   * @param sessions this thread's sessions
   * @return the updated session
   */
  @Benchmark
  public Object vtpUpdateById(Stores stores, Sessions sessions) {
    long n = ++sessions.counter;
    return stores.vtp.update(sessions.vtp.id(), m -> m.put("n", n)).orElseThrow();
  }

  /**
   * Spring Session findById.
   *
   * @param stores the stores
   * @param sessions this thread's sessions
   * @return the session
   */
  @Benchmark
  public Object springFindById(Stores stores, Sessions sessions) {
    return stores.spring.findById(sessions.springId);
  }

  /**
   * Spring Session findById, setAttribute, save.
   *
   * @param stores the stores
   * @param sessions this thread's sessions
   * @return the session
   */
  @Benchmark
  public Object springFindThenSave(Stores stores, Sessions sessions) {
    org.springframework.session.Session s = stores.spring.findById(sessions.springId);
    s.setAttribute("n", ++sessions.counter);
    stores.spring.save(s);
    return s;
  }
}
