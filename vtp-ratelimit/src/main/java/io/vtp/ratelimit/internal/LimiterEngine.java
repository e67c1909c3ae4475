package io.vtp.ratelimit.internal;

import io.vtp.ratelimit.Algorithm;
import io.vtp.ratelimit.Decision;
import io.vtp.ratelimit.FailureMode;
import io.vtp.ratelimit.Outcome;
import io.vtp.ratelimit.RateLimitListener;
import io.vtp.ratelimit.RateLimitPolicy;
import io.vtp.redis.PipelinedCall;
import io.vtp.redis.RedisScript;
import io.vtp.redis.internal.CircuitBreaker;
import io.vtp.redis.internal.ListenerGuard;
import io.vtp.redis.internal.ThrottledLog;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisException;

/**
 * The limiter itself: validation, local deny cache, one EVALSHA with a bounded wait (on the caller's thread with a
 * per-call socket timeout where the client allows it, see {@link DirectRedisCall}, else on a worker pool), circuit
 * breaker, failure modes and metrics. {@link SingleRateLimiter} and {@link MultiPolicyRateLimiter} are thin views of it.
 *
 * <p>Thread-safe.
 */
final class LimiterEngine {
  private static final Logger LOG = LoggerFactory.getLogger(LimiterEngine.class);
  static final RedisScript SCRIPT = RedisScript.fromResource(LimiterEngine.class, "ratelimit.lua");
  /** The single-policy GCRA script: the default limiter's hot path, with as little Lua work as possible. */
  static final RedisScript GCRA_SCRIPT = RedisScript.fromResource(LimiterEngine.class, "gcra.lua");
  private static final int QUEUE_CAPACITY = 1024;
  private static final int FALLBACK_MAX_KEYS = 100_000;

  private final EngineConfig config;
  private final String name;
  private final RateLimitPolicy[] policies;
  private final char[] algSuffix;
  private final RedisScript script;
  private final List<String> policyArgs;
  private final long maxPermits;
  private final UnifiedJedis jedis;
  private final DirectRedisCall direct;
  private final ExecutorService executor;
  private final boolean ownsExecutor;
  private final long timeoutNanos;
  private final CircuitBreaker breaker;
  private final LocalDenyCache denyCache;
  private final LocalFallback fallback;
  private final ThrottledLog degradedLog;
  private final ListenerGuard<RateLimitListener> listenerGuard;
  private final RateLimitListener listener;
  private final Clock clock;
  private volatile boolean closed;

  LimiterEngine(EngineConfig config) {
    this.config = config;
    this.name = config.name();
    this.policies = config.policies().toArray(new RateLimitPolicy[0]);
    this.jedis = config.jedis();
    this.clock = config.clock();
    this.listener = config.listener();
    this.timeoutNanos = config.timeout().toNanos();
    this.algSuffix = new char[policies.length];
    List<String> args = new ArrayList<>();
    long max = Long.MAX_VALUE;
    for (int i = 0; i < policies.length; i++) {
      RateLimitPolicy p = policies[i];
      long windowMicros = p.window().toNanos() / 1000;
      args.add(algorithmCode(p.algorithm()));
      args.add(Long.toString(p.limit()));
      args.add(Long.toString(windowMicros));
      args.add(Long.toString(p.burst()));
      args.add(Long.toString(Gcra.interval(windowMicros, p.limit())));
      algSuffix[i] = p.algorithm() == Algorithm.GCRA ? 'g' : p.algorithm() == Algorithm.SLIDING_WINDOW ? 's' : 'f';
      max = Math.min(max, p.maxPermits());
    }
    if (policies.length == 1 && policies[0].algorithm() == Algorithm.GCRA) {
      long interval = Long.parseLong(args.get(4));
      this.script = GCRA_SCRIPT;
      this.policyArgs = List.of(args.get(4), Long.toString(policies[0].burst() * interval));
    } else {
      this.script = SCRIPT;
      this.policyArgs = List.copyOf(args);
    }
    this.maxPermits = max;
    if (config.redisCalls() == EngineConfig.RedisCalls.CALLER_THREAD) {
      this.executor = null;
      this.ownsExecutor = false;
    } else if (config.executor() != null) {
      this.executor = config.executor();
      this.ownsExecutor = false;
    } else {
      this.executor = newExecutor(name, config.executorThreads());
      this.ownsExecutor = true;
    }
    this.direct = config.redisCalls() == EngineConfig.RedisCalls.EXECUTOR && config.executor() == null
        ? DirectRedisCall.forClient(jedis, executor) : null;
    this.breaker = new CircuitBreaker(clock, config.breakerFailures(), config.breakerOpen());
    this.denyCache = new LocalDenyCache(config.shadow() ? 0 : config.denyCacheSize());
    this.fallback = config.failureMode() == FailureMode.LOCAL_FALLBACK
        ? new LocalFallback(config.policies(), config.expectedInstances(), FALLBACK_MAX_KEYS)
        : null;
    this.degradedLog = new ThrottledLog(LOG, clock, config.fallbackLogInterval());
    this.listenerGuard = new ListenerGuard<>(listener, "rate limit '" + name + "'", LOG, clock);
  }

  EngineConfig config() {
    return config;
  }

  String name() {
    return name;
  }

  Decision decide(List<String> keys, int permits) {
    long started = System.nanoTime();
    Decision decision = decideValid(redisKeys(keys, permits), permits);
    notifyDecision(decision.outcome(), System.nanoTime() - started);
    return decision;
  }

  /**
   * The decision of {@link #decide} as a call that can share a round trip: validation, the local deny cache and the
   * breaker are consulted now; the script is queued on the shared pipeline.
   */
  PipelinedCall<Decision> prepare(List<String> keys, int permits) {
    long started = System.nanoTime();
    String[] redisKeys = redisKeys(keys, permits);
    long before = nowMicros();
    Decision local = locallyDenied(redisKeys, permits, before);
    if (local == null && !breaker.allow()) {
      local = degraded(redisKeys, permits, before, "circuit breaker open");
    }
    if (local != null) {
      notifyDecision(local.outcome(), System.nanoTime() - started);
      return PipelinedCall.answered(local);
    }
    return new SharedCall(redisKeys, permits, before, started);
  }

  /** One decision queued on a shared pipeline ({@link io.vtp.redis.RoundTrip}). */
  private final class SharedCall extends PipelinedCall<Decision> {
    private final String[] redisKeys;
    private final int permits;
    private final long before;
    private final long started;
    private RedisScript.Queued queued;

    SharedCall(String[] redisKeys, int permits, long before, long started) {
      super(jedis);
      this.redisKeys = redisKeys;
      this.permits = permits;
      this.before = before;
      this.started = started;
    }

    @Override
    protected boolean needsRedis() {
      return true;
    }

    @Override
    protected void queue(AbstractPipeline pipeline) {
      queued = script.queue(pipeline, Arrays.asList(redisKeys), args(permits));
    }

    @Override
    protected Decision complete(JedisException failure) {
      Decision d;
      RuntimeException error = failure;
      Object reply = null;
      if (error == null) {
        try {
          reply = queued.reply(jedis);
        } catch (RuntimeException e) {
          error = e;
        }
      }
      if (error != null) {
        breaker.onFailure();
        notifyError(error);
        d = degraded(redisKeys, permits, before, error.getClass().getSimpleName() + ": " + error.getMessage());
      } else {
        breaker.onSuccess();
        d = fromReply(reply, redisKeys, permits, before);
      }
      notifyDecision(d.outcome(), System.nanoTime() - started);
      return d;
    }
  }

  private String[] redisKeys(List<String> keys, int permits) {
    Objects.requireNonNull(keys, "keys");
    if (closed) {
      throw new IllegalStateException("rate limit '" + name + "' is closed");
    }
    if (keys.size() != policies.length) {
      throw new IllegalArgumentException("rate limit '" + name + "': expected " + policies.length
          + " keys, one per policy " + Arrays.stream(policies).map(RateLimitPolicy::name).toList() + ", but got "
          + keys.size());
    }
    if (permits < 1 || permits > maxPermits) {
      throw new IllegalArgumentException("rate limit '" + name + "': permits must be >= 1 and <= " + maxPermits
          + " (the smallest burst or limit) but was " + permits);
    }
    String[] redisKeys = new String[policies.length];
    for (int i = 0; i < policies.length; i++) {
      if (config.multi()) {
        String field = "key for policy '" + policies[i].name() + "'";
        String encoded = KeyCodec.encode(name, field, keys.get(i));
        redisKeys[i] = KeyCodec.multiKey(config.keyPrefix(), name, policies[i].name(), encoded, algSuffix[i]);
      } else {
        redisKeys[i] = KeyCodec.singleKey(config.keyPrefix(), name, KeyCodec.encode(name, "key", keys.get(i)),
            algSuffix[i]);
      }
    }
    return redisKeys;
  }

  /** The local deny cache's answer, or {@code null} when Redis must decide. */
  private Decision locallyDenied(String[] redisKeys, int permits, long before) {
    if (denyCache.enabled()) {
      for (int i = 0; i < redisKeys.length; i++) {
        LocalDenyCache.Entry e = denyCache.find(redisKeys[i], permits, before);
        if (e != null) {
          RateLimitPolicy p = policies[e.policy()];
          Decision local = new Decision(Outcome.LOCAL_DENIED, p.name(), p.limit(), p.window(), 0,
              micros(Math.max(0, e.resetAtMicros() - before)), micros(e.untilMicros() - before), List.of());
          return policies.length == 1 ? local : withPolicies(local, List.of(local));
        }
      }
    }
    return null;
  }

  private Decision decideValid(String[] redisKeys, int permits) {
    long before = nowMicros();
    Decision local = locallyDenied(redisKeys, permits, before);
    if (local != null) {
      return local;
    }
    if (!breaker.allow()) {
      return degraded(redisKeys, permits, before, "circuit breaker open");
    }
    Object reply;
    try {
      reply = call(Arrays.asList(redisKeys), args(permits));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      breaker.release();
      return degraded(redisKeys, permits, before, "interrupted while waiting for Redis");
    } catch (TimeoutException e) {
      breaker.onFailure();
      notifyError(e);
      return degraded(redisKeys, permits, before, "no answer within " + config.timeout().toMillis() + " ms");
    } catch (RuntimeException e) {
      breaker.onFailure();
      notifyError(e);
      return degraded(redisKeys, permits, before, e.getClass().getSimpleName() + ": " + e.getMessage());
    }
    breaker.onSuccess();
    return fromReply(reply, redisKeys, permits, before);
  }

  private Decision fromReply(Object reply, String[] redisKeys, int permits, long before) {
    List<?> values = (List<?>) reply;
    boolean all = number(values.get(0)) == 1;
    Decision[] per = new Decision[policies.length];
    for (int i = 0; i < policies.length; i++) {
      int b = 1 + 4 * i;
      boolean ok = number(values.get(b)) == 1;
      long remaining = number(values.get(b + 1));
      long reset = number(values.get(b + 2));
      long retry = number(values.get(b + 3));
      RateLimitPolicy p = policies[i];
      per[i] = new Decision(ok ? Outcome.ALLOWED : Outcome.DENIED, p.name(), p.limit(), p.window(), remaining,
          micros(reset), micros(retry), List.of());
      if (!ok && denyCache.enabled()) {
        // 'before' precedes the script's own clock reading, so the entry never outlives Redis' denial.
        denyCache.put(redisKeys[i], new LocalDenyCache.Entry(before + retry, before + reset, permits, i), before);
      }
    }
    Outcome outcome = all ? Outcome.ALLOWED : config.shadow() ? Outcome.SHADOW_DENIED : Outcome.DENIED;
    return aggregate(outcome, per);
  }

  private Decision degraded(String[] redisKeys, int permits, long before, String reason) {
    FailureMode mode = config.failureMode();
    long held = degradedLog.tryAcquire();
    if (held >= 0) {
      LOG.warn("rate limit '{}': Redis unavailable ({}); answering {} (held back {} similar warnings since the "
          + "last one)", name, reason, mode, held);
    }
    Decision[] per = new Decision[policies.length];
    Outcome outcome;
    switch (mode) {
      case FAIL_OPEN -> {
        outcome = Outcome.FAIL_OPEN;
        for (int i = 0; i < policies.length; i++) {
          RateLimitPolicy p = policies[i];
          per[i] = new Decision(outcome, p.name(), p.limit(), p.window(), p.limit(), Duration.ZERO, Duration.ZERO,
              List.of());
        }
      }
      case FAIL_CLOSED -> {
        outcome = Outcome.FAIL_CLOSED;
        Duration retry = Duration.ofMillis(Math.max(1000, breaker.remainingOpenMillis()));
        for (int i = 0; i < policies.length; i++) {
          RateLimitPolicy p = policies[i];
          per[i] = new Decision(outcome, p.name(), p.limit(), p.window(), 0, retry, retry, List.of());
        }
      }
      default -> {
        Gcra.Result[] results = fallback.decide(redisKeys, permits, before);
        boolean all = true;
        for (int i = 0; i < policies.length; i++) {
          Gcra.Result r = results[i];
          RateLimitPolicy p = policies[i];
          all &= r.allowed();
          per[i] = new Decision(r.allowed() ? Outcome.FALLBACK_ALLOWED : Outcome.FALLBACK_DENIED, p.name(),
              fallback.limit(i), p.window(), r.remaining(), micros(r.resetAfter()), micros(r.retryAfter()),
              List.of());
        }
        outcome = all ? Outcome.FALLBACK_ALLOWED : config.shadow() ? Outcome.SHADOW_DENIED : Outcome.FALLBACK_DENIED;
      }
    }
    return aggregate(outcome, per);
  }

  private static Decision aggregate(Outcome outcome, Decision[] per) {
    Decision binding = per[0];
    boolean anyDenied = false;
    for (Decision d : per) {
      anyDenied |= !d.allowed();
    }
    for (Decision d : per) {
      if (anyDenied) {
        if (!d.allowed() && (binding.allowed() || d.retryAfter().compareTo(binding.retryAfter()) > 0)) {
          binding = d;
        }
      } else if (d.remaining() < binding.remaining()) {
        binding = d;
      }
    }
    Decision top = new Decision(outcome, binding.policy(), binding.limit(), binding.window(), binding.remaining(),
        binding.resetAfter(), outcome.allowed() && outcome != Outcome.SHADOW_DENIED ? Duration.ZERO
            : binding.retryAfter(), List.of());
    return per.length == 1 ? top : withPolicies(top, List.of(per));
  }

  private static Decision withPolicies(Decision d, List<Decision> per) {
    return new Decision(d.outcome(), d.policy(), d.limit(), d.window(), d.remaining(), d.resetAfter(),
        d.retryAfter(), per);
  }

  private List<String> args(int permits) {
    List<String> args = new ArrayList<>(2 + policyArgs.size());
    args.add("");
    args.add(Integer.toString(permits));
    args.addAll(policyArgs);
    return args;
  }

  private Object call(List<String> keys, List<String> args) throws InterruptedException, TimeoutException {
    if (direct != null && direct.canRunNow()) {
      return direct.eval(script, keys, args, timeoutNanos);
    }
    if (executor == null) {
      return script.eval(jedis, keys, args);
    }
    Future<Object> future;
    try {
      future = executor.submit(() -> script.eval(jedis, keys, args));
    } catch (RejectedExecutionException e) {
      throw new IllegalStateException("rate limit '" + name + "': " + QUEUE_CAPACITY
          + " Redis calls already waiting; not queueing more", e);
    }
    try {
      return future.get(timeoutNanos, TimeUnit.NANOSECONDS);
    } catch (TimeoutException | InterruptedException e) {
      // A queued call is dropped; a running one finishes on its worker within the client's socket timeout.
      future.cancel(false);
      throw e;
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException re) {
        throw re;
      }
      if (cause instanceof Error err) {
        throw err;
      }
      throw new IllegalStateException(cause);
    }
  }

  /** Runs the script with an explicit "now" (tests compare it with {@link Gcra}). */
  List<Long> evalAt(long nowMicros, List<String> redisKeys, int permits) {
    List<String> args = args(permits);
    args.set(0, Long.toString(nowMicros));
    List<?> reply = (List<?>) script.eval(jedis, redisKeys, args);
    List<Long> out = new ArrayList<>(reply.size());
    reply.forEach(v -> out.add(number(v)));
    return out;
  }

  private void notifyDecision(Outcome outcome, long nanos) {
    try {
      listener.onDecision(name, outcome, nanos);
    } catch (RuntimeException e) {
      listenerFailed(e);
    }
  }

  private void notifyError(Throwable error) {
    try {
      listener.onRedisError(name, error);
    } catch (RuntimeException e) {
      listenerFailed(e);
    }
  }

  private void listenerFailed(RuntimeException e) {
    listenerGuard.failed(e);
  }

  private long nowMicros() {
    return clock.millis() * 1000;
  }

  void close() {
    closed = true;
    if (ownsExecutor) {
      executor.shutdownNow();
    }
  }

  int denyCacheSize() {
    return denyCache.size();
  }

  private static long number(Object value) {
    if (value instanceof Long l) {
      return l;
    }
    if (value instanceof Number n) {
      return n.longValue();
    }
    throw new IllegalStateException("unexpected reply element from ratelimit.lua: " + value);
  }

  private static Duration micros(long micros) {
    return Duration.ofNanos(Math.max(0, micros) * 1000);
  }

  private static String algorithmCode(Algorithm algorithm) {
    return switch (algorithm) {
      case GCRA -> "1";
      case SLIDING_WINDOW -> "2";
      case FIXED_WINDOW -> "3";
    };
  }

  private static ExecutorService newExecutor(String name, int threads) {
    AtomicInteger n = new AtomicInteger();
    ThreadFactory factory = r -> {
      Thread t = new Thread(r, "vtp-ratelimit-" + name + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
    ThreadPoolExecutor pool = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS,
        new LinkedBlockingQueue<>(QUEUE_CAPACITY), factory);
    pool.allowCoreThreadTimeOut(true);
    return pool;
  }
}
