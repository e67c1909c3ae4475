package io.vtp.ratelimit;

import io.vtp.ratelimit.internal.EngineConfig;
import io.vtp.ratelimit.internal.MultiPolicyRateLimiter;
import io.vtp.ratelimit.internal.SingleRateLimiter;
import io.vtp.redis.internal.Names;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import redis.clients.jedis.UnifiedJedis;

/**
 * Builds Redis-backed rate limiters.
 *
 * <p>Every decision is one {@code EVALSHA} of one Lua script that reads the Redis server clock ({@code TIME}), so
 * the clocks of the service's instances never matter, and writes every key with an expiry equal to its time to full
 * recovery. Keys look like {@code rl:<name>:{k:<key>}:g}; a user key longer than 200 characters is replaced by its
 * SHA-256.
 *
 * <p><b>Timeout.</b> A decision never waits longer than {@link Builder#timeout(Duration)} for Redis. With a
 * {@link redis.clients.jedis.RedisClient} (the default path) the call runs on the caller's thread: the limiter takes
 * a connection from the client's pool itself, waiting at most the timeout when all are busy, shortens that
 * connection's socket timeout to what is left of the budget and restores it before giving the connection back; a
 * connection whose call timed out is destroyed, so a late reply is never read by anyone. A call that would make the
 * pool open a new connection (connecting is bounded only by the client's timeouts) goes to a small worker pool of
 * the limiter's own instead, as do all calls with other clients (cluster, Sentinel) or when
 * {@link Builder#executor(ExecutorService)} is given: the caller waits on the worker's future for at most the
 * timeout; a call that timed out while queued is dropped, one already running finishes on its worker and may still
 * consume permits. {@link Builder#callerThreadRedisCalls()} uses the client as it is, bounded only by the client's
 * own timeouts.
 *
 * <p><b>When Redis is unavailable</b> (error, timeout, open circuit breaker) the {@link FailureMode} answers; the
 * outcome says which ({@link Outcome#degraded()}), the listener counts it and the limiter logs one warning per
 * {@link Builder#fallbackLogInterval(Duration)}. After {@code circuitBreaker} consecutive failures Redis is skipped
 * for the open duration, then probed by one call.
 *
 * <pre>{@code
 * RateLimiter api = RedisRateLimiter.builder(jedis)
 *     .name("api").limit(100).window(Duration.ofMinutes(1))
 *     .build();
 * MultiRateLimiter login = RedisRateLimiter.builder(jedis)
 *     .name("login").failureMode(FailureMode.FAIL_CLOSED)
 *     .buildMulti(RateLimitPolicy.of("user", 5, Duration.ofMinutes(1)),
 *                 RateLimitPolicy.of("ip", 100, Duration.ofMinutes(1)));
 * Decision d = login.tryAcquire(List.of(userId, clientIp));
 * }</pre>
 */
public final class RedisRateLimiter {
  private RedisRateLimiter() {}

  /**
   * Starts a builder.
   *
   * @param jedis the Redis client (standalone, Sentinel or Cluster); shared, never closed by the limiter
   * @return a new builder; never {@code null}
   * @throws NullPointerException when {@code jedis} is {@code null}
   */
  public static Builder builder(UnifiedJedis jedis) {
    return new Builder(Objects.requireNonNull(jedis, "jedis"));
  }

  /**
   * Configures and creates a limiter, the same way as every VTP Scale builder: setters only store the value (and
   * reject {@code null} with a {@link NullPointerException} naming the parameter); {@link #build()} and
   * {@link #buildMulti} check every value and throw an {@link IllegalArgumentException} in the form
   * {@code rate limit '<name>': <field> must <rule> but was <value>}, e.g.
   * {@code rate limit 'api': limit must be > 0 and <= 1000000000 but was 0}. A required setting that was never
   * made is an {@link IllegalStateException} (the builder is incomplete; no value was wrong), as in every module:
   * {@code rate limit '<name>': <field> must be set (e.g. ...)}.
   *
   * <p>Not thread-safe: configure it on one thread; the limiters it builds are thread-safe.
   */
  public static final class Builder {
    private static final String COMPONENT = "rate limit";

    private final UnifiedJedis jedis;
    private String name;
    private Long limit;
    private Duration window;
    private Long burst;
    private Algorithm algorithm = Algorithm.GCRA;
    private FailureMode failureMode = FailureMode.FAIL_OPEN;
    private Integer expectedInstances;
    private Duration timeout = Duration.ofMillis(100);
    private boolean callerThread;
    private ExecutorService executor;
    private int executorThreads = 8;
    private int breakerFailures = 5;
    private Duration breakerOpen = Duration.ofSeconds(1);
    private boolean shadow;
    private int denyCacheSize = 100_000;
    private Duration fallbackLogInterval = Duration.ofMinutes(1);
    private RateLimitListener listener = RateLimitListener.noop();
    private Clock clock = Clock.systemUTC();
    private String keyPrefix = "rl:";

    private Builder(UnifiedJedis jedis) {
      this.jedis = jedis;
    }

    /**
     * Sets the limiter's name (required): 1 to 64 characters of {@code [A-Za-z0-9._-]}, checked when built. It is
     * part of every Redis key, so two limiters with the same name and policy share their counts.
     *
     * @param name the name
     * @return this builder
     * @throws NullPointerException when {@code name} is {@code null}
     */
    public Builder name(String name) {
      this.name = Objects.requireNonNull(name, "name");
      return this;
    }

    /**
     * Sets the permits per window (required for {@link #build()}).
     *
     * @param limit 1 to 1,000,000,000
     * @return this builder
     */
    public Builder limit(long limit) {
      this.limit = limit;
      return this;
    }

    /**
     * Sets the window (required for {@link #build()}).
     *
     * @param window 1 ms to 366 days
     * @return this builder
     * @throws NullPointerException when {@code window} is {@code null}
     */
    public Builder window(Duration window) {
      this.window = Objects.requireNonNull(window, "window");
      return this;
    }

    /**
     * Sets the permits available at once (GCRA only); defaults to the limit.
     *
     * @param burst 1 to 1,000,000,000
     * @return this builder
     */
    public Builder burst(long burst) {
      this.burst = burst;
      return this;
    }

    /**
     * Sets the algorithm; defaults to {@link Algorithm#GCRA}.
     *
     * @param algorithm the algorithm
     * @return this builder
     * @throws NullPointerException when {@code algorithm} is {@code null}
     */
    public Builder algorithm(Algorithm algorithm) {
      this.algorithm = Objects.requireNonNull(algorithm, "algorithm");
      return this;
    }

    /**
     * Sets what to answer when Redis is unavailable; defaults to {@link FailureMode#FAIL_OPEN}.
     * {@link FailureMode#LOCAL_FALLBACK} also needs {@link #expectedInstances(int)}.
     *
     * @param failureMode the mode
     * @return this builder
     * @throws NullPointerException when {@code failureMode} is {@code null}
     */
    public Builder failureMode(FailureMode failureMode) {
      this.failureMode = Objects.requireNonNull(failureMode, "failureMode");
      return this;
    }

    /**
     * Sets how many service instances share the limit; the local fallback allows {@code limit / instances}.
     *
     * @param instances 1 to 10,000
     * @return this builder
     */
    public Builder expectedInstances(int instances) {
      this.expectedInstances = instances;
      return this;
    }

    /**
     * Sets the longest a decision waits for Redis; defaults to 100 ms.
     *
     * @param timeout 1 ms to 10 s
     * @return this builder
     * @throws NullPointerException when {@code timeout} is {@code null}
     */
    public Builder timeout(Duration timeout) {
      this.timeout = Objects.requireNonNull(timeout, "timeout");
      return this;
    }

    /**
     * Runs Redis calls through the client as it is, on the caller's thread: the wait is then bounded only by the
     * Redis client's own connect, socket and pool-wait timeouts, which must be no longer than
     * {@link #timeout(Duration)}. Only needed for clients without the default per-call bound (see the class
     * documentation), to skip the worker hand-off.
     *
     * @return this builder
     */
    public Builder callerThreadRedisCalls() {
      this.callerThread = true;
      return this;
    }

    /**
     * Runs Redis calls on the given executor instead of a pool of the limiter's own. The limiter never shuts it
     * down.
     *
     * @param executor the executor
     * @return this builder
     * @throws NullPointerException when {@code executor} is {@code null}
     */
    public Builder executor(ExecutorService executor) {
      this.executor = Objects.requireNonNull(executor, "executor");
      return this;
    }

    /**
     * Sets the size of the limiter's own worker pool; defaults to 8 (daemon threads, idle ones end after 30 s).
     *
     * @param threads 1 to 1,024
     * @return this builder
     */
    public Builder executorThreads(int threads) {
      this.executorThreads = threads;
      return this;
    }

    /**
     * Configures the circuit breaker; defaults to 5 consecutive failures and 1 s open.
     *
     * @param consecutiveFailures failures in a row that open it, 1 to 1,000
     * @param openFor how long it skips Redis before one probe call, 1 ms to 10 min
     * @return this builder
     * @throws NullPointerException when {@code openFor} is {@code null}
     */
    public Builder circuitBreaker(int consecutiveFailures, Duration openFor) {
      this.breakerFailures = consecutiveFailures;
      this.breakerOpen = Objects.requireNonNull(openFor, "openFor");
      return this;
    }

    /**
     * Turns shadow mode on or off: decide and count as usual, but let denied requests through as
     * {@link Outcome#SHADOW_DENIED}. The local deny cache is off in shadow mode so every would-be denial is
     * counted. Defaults to off.
     *
     * @param shadow whether to never deny
     * @return this builder
     */
    public Builder shadow(boolean shadow) {
      this.shadow = shadow;
      return this;
    }

    /**
     * Sets how many denied keys are remembered locally, so they are denied without a Redis call until their
     * retry time; 0 turns the cache off. Defaults to 100,000.
     *
     * @param maxEntries 0 to 10,000,000
     * @return this builder
     */
    public Builder localDenyCache(int maxEntries) {
      this.denyCacheSize = maxEntries;
      return this;
    }

    /**
     * Sets how often at most a warning is logged while Redis is unavailable; defaults to 1 minute.
     *
     * @param interval 1 ms to 1 day
     * @return this builder
     * @throws NullPointerException when {@code interval} is {@code null}
     */
    public Builder fallbackLogInterval(Duration interval) {
      this.fallbackLogInterval = Objects.requireNonNull(interval, "interval");
      return this;
    }

    /**
     * Sets the metrics listener, e.g. {@code io.vtp.ratelimit.micrometer.RateLimitMetrics}; defaults to
     * {@link RateLimitListener#noop()}.
     *
     * @param listener the listener; not {@code null}
     * @return this builder
     * @throws NullPointerException when {@code listener} is {@code null}
     */
    public Builder listener(RateLimitListener listener) {
      this.listener = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /**
     * Sets the clock for what is decided locally: the deny cache, the circuit breaker, the fallback limiter and
     * log throttling. Decisions in Redis always use the Redis server clock. Defaults to
     * {@link Clock#systemUTC()}.
     *
     * @param clock the clock
     * @return this builder
     * @throws NullPointerException when {@code clock} is {@code null}
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Sets the prefix of every Redis key; defaults to {@code rl:}.
     *
     * @param keyPrefix at most 128 printable ASCII characters without spaces or braces (braces would change the
     *     hash tag); may be empty
     * @return this builder
     * @throws NullPointerException when {@code keyPrefix} is {@code null}
     */
    public Builder keyPrefix(String keyPrefix) {
      this.keyPrefix = Objects.requireNonNull(keyPrefix, "keyPrefix");
      return this;
    }

    /**
     * Builds a single-policy limiter from {@code name}, {@code limit}, {@code window}, {@code burst} and
     * {@code algorithm}.
     *
     * @return a new limiter; close it when done; never {@code null}
     * @throws IllegalStateException when {@code name}, {@code limit} or {@code window} was never set, or
     *     {@code expectedInstances} was not set with {@link FailureMode#LOCAL_FALLBACK}
     * @throws IllegalArgumentException when a setting breaks its rule or two settings conflict, as
     *     {@code rate limit '<name>': <field> must <rule> but was <value>}
     */
    public RateLimiter build() {
      String n = checkName();
      if (limit == null) {
        throw missing(n, "limit must be set (e.g. .limit(100))");
      }
      if (window == null) {
        throw missing(n, "window must be set (e.g. .window(Duration.ofMinutes(1)))");
      }
      RateLimitPolicy policy = new RateLimitPolicy(n, limit, window, burst == null ? limit : burst, algorithm);
      return new SingleRateLimiter(config(n, List.of(policy), false));
    }

    /**
     * Builds a limiter that checks several policies per request in one atomic Redis call, all or nothing. The
     * builder's {@code limit}, {@code window}, {@code burst} and {@code algorithm} must not be set: the policies
     * carry their own.
     *
     * @param first the first policy
     * @param more further policies; names must be distinct
     * @return a new limiter; close it when done; never {@code null}
     * @throws IllegalStateException when {@code name} was never set, or {@code expectedInstances} was not set with
     *     {@link FailureMode#LOCAL_FALLBACK}
     * @throws IllegalArgumentException when a setting breaks its rule, or policy names repeat, as
     *     {@code rate limit '<name>': <field> must <rule> but was <value>}
     * @throws NullPointerException when {@code first}, {@code more} or an element of {@code more} is {@code null}
     */
    public MultiRateLimiter buildMulti(RateLimitPolicy first, RateLimitPolicy... more) {
      Objects.requireNonNull(first, "first");
      Objects.requireNonNull(more, "more");
      String n = checkName();
      if (limit != null || window != null || burst != null || algorithm != Algorithm.GCRA) {
        throw invalid(n, "limit, window, burst and algorithm belong to the policies of a multi-policy limiter; "
            + "do not set them on the builder");
      }
      List<RateLimitPolicy> policies = new ArrayList<>();
      policies.add(first);
      for (int i = 0; i < more.length; i++) {
        policies.add(Objects.requireNonNull(more[i], "more[" + i + "]"));
      }
      Set<String> names = new HashSet<>();
      for (RateLimitPolicy p : policies) {
        if (!names.add(p.name())) {
          throw invalid(n, "policy names must be distinct but '" + p.name() + "' repeats");
        }
      }
      if (policies.size() > 16) {
        throw invalid(n, "policies must be at most 16 but were " + policies.size());
      }
      return new MultiPolicyRateLimiter(config(n, policies, true));
    }

    private String checkName() {
      if (name == null) {
        throw new IllegalStateException(COMPONENT + ": name must be set (e.g. .name(\"api\"))");
      }
      return Names.checkName(COMPONENT, name);
    }

    private EngineConfig config(String n, List<RateLimitPolicy> policies, boolean multi) {
      Names.checkKeyPrefix(COMPONENT, n, keyPrefix);
      if (failureMode == FailureMode.LOCAL_FALLBACK && expectedInstances == null) {
        throw missing(n, "expectedInstances must be set with LOCAL_FALLBACK (the fallback allows limit / "
            + "instances per instance)");
      }
      int instances = expectedInstances == null ? 1 : expectedInstances;
      if (instances < 1 || instances > 10_000) {
        throw invalid(n, "expectedInstances must be >= 1 and <= 10000 but was " + instances);
      }
      checkDuration(n, "timeout", timeout, Duration.ofMillis(1), Duration.ofSeconds(10));
      if (executorThreads < 1 || executorThreads > 1024) {
        throw invalid(n, "executorThreads must be >= 1 and <= 1024 but was " + executorThreads);
      }
      if (callerThread && executor != null) {
        throw invalid(n, "executor and callerThreadRedisCalls() exclude each other; choose one");
      }
      if (breakerFailures < 1 || breakerFailures > 1000) {
        throw invalid(n, "circuitBreaker consecutiveFailures must be >= 1 and <= 1000 but was " + breakerFailures);
      }
      checkDuration(n, "circuitBreaker openFor", breakerOpen, Duration.ofMillis(1), Duration.ofMinutes(10));
      if (denyCacheSize < 0 || denyCacheSize > 10_000_000) {
        throw invalid(n, "localDenyCache must be >= 0 and <= 10000000 but was " + denyCacheSize);
      }
      checkDuration(n, "fallbackLogInterval", fallbackLogInterval, Duration.ofMillis(1), Duration.ofDays(1));
      return new EngineConfig(n, List.copyOf(policies), multi, jedis, keyPrefix, failureMode, instances, timeout,
          callerThread ? EngineConfig.RedisCalls.CALLER_THREAD : EngineConfig.RedisCalls.EXECUTOR, executor,
          executorThreads, breakerFailures, breakerOpen, shadow, denyCacheSize, fallbackLogInterval, listener,
          clock);
    }

    private static void checkDuration(String n, String field, Duration value, Duration min, Duration max) {
      if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
        throw invalid(n, field + " must be >= " + min + " and <= " + max + " but was " + value);
      }
    }

    private static IllegalArgumentException invalid(String name, String rule) {
      return new IllegalArgumentException(COMPONENT + " '" + name + "': " + rule);
    }

    /** A required setting was never made: the builder is incomplete, no value was wrong. */
    private static IllegalStateException missing(String name, String rule) {
      return new IllegalStateException(COMPONENT + " '" + name + "': " + rule);
    }
  }
}
