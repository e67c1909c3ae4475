package io.vtp.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.javalin.http.HttpResponseException;
import io.javalin.json.JavalinJackson;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vtp.app.auth.AuthService;
import io.vtp.app.auth.Passwords;
import io.vtp.app.auth.UserRepository;
import io.vtp.app.config.AppConfig;
import io.vtp.app.db.Databases;
import io.vtp.app.db.Migrations;
import io.vtp.app.db.SchemaValidationException;
import io.vtp.app.http.ApiException;
import io.vtp.app.http.ClientInfo;
import io.vtp.app.http.Cors;
import io.vtp.app.http.JsonBodies;
import io.vtp.app.http.OriginPolicy;
import io.vtp.app.http.Problems;
import io.vtp.app.http.Requests;
import io.vtp.app.rooms.Enrolments;
import io.vtp.app.rooms.Revocations;
import io.vtp.app.rooms.RoomHub;
import io.vtp.app.rooms.RoomPolicy;
import io.vtp.app.web.AccountLimits;
import io.vtp.app.web.AdminRoutes;
import io.vtp.app.web.EnrolmentRoutes;
import io.vtp.app.web.AuthRoutes;
import io.vtp.app.web.CourseRoutes;
import io.vtp.app.web.Guard;
import io.vtp.app.web.HealthRoutes;
import io.vtp.app.web.WsUpgradeCheck;
import io.vtp.cache.CacheAside;
import io.vtp.cache.CacheTtl;
import io.vtp.cache.RedisCacheAside;
import io.vtp.cache.course.CachedCourseService;
import io.vtp.cache.course.Course;
import io.vtp.cache.course.JdbcCourseService;
import io.vtp.cache.micrometer.CacheMetrics;
import io.vtp.health.Criticality;
import io.vtp.health.HealthChecks;
import io.vtp.health.HealthRegistry;
import io.vtp.health.micrometer.HealthMetrics;
import io.vtp.ratelimit.FailureMode;
import io.vtp.ratelimit.MultiRateLimiter;
import io.vtp.ratelimit.RateLimitPolicy;
import io.vtp.ratelimit.RateLimiter;
import io.vtp.ratelimit.RedisRateLimiter;
import io.vtp.ratelimit.micrometer.RateLimitMetrics;
import io.vtp.redis.RedisClientOptions;
import io.vtp.redis.RedisClients;
import io.vtp.session.RedisSessionStore;
import io.vtp.session.SessionStore;
import io.vtp.session.micrometer.SessionStoreMetrics;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.RedisClusterClient;
import redis.clients.jedis.UnifiedJedis;

/**
 * The reference backend: one stateless instance of many behind nginx. Everything shared lives in PostgreSQL
 * (users, courses) and Redis (sessions, cache, rate-limit counters, room fan-out; the cache optionally in a Redis of
 * its own, REDIS_CACHE_URL); nothing in this process is
 * needed by another instance.
 *
 * <p>Lifecycle: {@link #start(AppConfig)} migrates the schema with Flyway (safe when every instance starts at once;
 * an unreachable database is retried for 30 s, then the instance starts without; a schema that fails validation
 * stops the start), starts the health checks and the HTTP server. {@link #shutdown()} drains: readiness fails at
 * once, the instance keeps serving for the drain delay, then stops accepting, finishes in-flight requests (bounded
 * by the shutdown timeout), closes WebSockets with 1001 and closes the pools.
 *
 * <p>Thread-safe.
 */
public final class App implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(App.class);
  private static final Logger ACCESS = LoggerFactory.getLogger("io.vtp.app.access");

  private final AppConfig config;
  private final PrometheusMeterRegistry meters;
  private final Databases databases;
  private final UnifiedJedis redis;
  /** The cache's client: {@link #redis} itself unless REDIS_CACHE_URL names another Redis. */
  private final UnifiedJedis cacheRedis;
  private final HealthRegistry health;
  private final RateLimiter apiLimiter;
  private final MultiRateLimiter loginLimiter;
  private final CacheAside<Course> courseCache;
  private final CacheAside<java.util.List<Long>> pageCache;
  private final CacheAside<Long> countCache;
  private final RoomHub rooms;
  private final ManagementServer management;
  private final AccountLimits accountLimits;
  private final io.vtp.app.web.FleetView fleet;
  private final Javalin javalin;
  private final AtomicBoolean stopped = new AtomicBoolean();

  private App(AppConfig config) throws Exception {
    this.config = config;
    Clock clock = Clock.systemUTC();
    this.meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    meters.config().commonTags("instance", config.instanceId());
    new JvmMemoryMetrics().bindTo(meters);
    new JvmGcMetrics().bindTo(meters);
    new JvmThreadMetrics().bindTo(meters);
    new ClassLoaderMetrics().bindTo(meters);
    new ProcessorMetrics().bindTo(meters);
    new UptimeMetrics().bindTo(meters);

    this.databases = new Databases(config, meters);
    RedisClientOptions redisOptions = RedisClientOptions.builder()
        .poolSize(config.redisPoolSize())
        .minIdle(config.redisMinIdle())
        .connectTimeout(Duration.ofMillis(500))
        .socketTimeout(Duration.ofMillis(500))
        .poolWait(Duration.ofSeconds(1))
        .clientName("vtp-" + config.instanceId())
        .build();
    this.redis = RedisClients.create(config.redis(), redisOptions);
    bindRedisPoolMetrics(redis, meters);
    // Sessions and limiter state must never be evicted because cache entries filled the memory: the cache may have
    // a Redis of its own (allkeys-lru with a maxmemory), the session Redis then runs noeviction.
    this.cacheRedis = config.separateCacheRedis() ? RedisClients.create(config.redisCache(), redisOptions) : redis;
    EvictionPolicyCheck.warnIfEvicting(redis, config.instanceId(), config.separateCacheRedis());

    ObjectMapper json = JsonBodies.mapper();
    SessionStore sessions = RedisSessionStore.builder(redis)
        .name("sessions")
        .idleTimeout(config.sessionIdleTimeout())
        .absoluteLifetime(config.sessionAbsoluteTimeout())
        .maxSessionsPerUser(config.security().sessionMaxPerUser())
        .listener(SessionStoreMetrics.create(meters, "sessions"))
        // Sessions are named in Redis by HMAC-SHA256 under the deployment secret: Redis write access alone cannot
        // plant one. JWT_SECRET_PREVIOUS keeps sessions named under the secret before a rotation.
        .idHashKey(config.secret(),
            config.previousSecret() == null ? new byte[0][] : new byte[][] {config.previousSecret()})
        .build();
    Revocations revocations = new Revocations(redis, json, meters);
    this.accountLimits = AccountLimits.create(config, redis, meters);
    AuthService auth = new AuthService(new UserRepository(databases.primary()), sessions,
        new Passwords(config.passwordIterations()), config.security().selfRegisterRoles(), accountLimits.hashes(),
        revocations);

    this.apiLimiter = RedisRateLimiter.builder(redis)
        .name("api").limit(config.apiLimitPerMinute()).window(Duration.ofMinutes(1))
        .failureMode(FailureMode.FAIL_OPEN).timeout(config.rateLimitTimeout())
        .listener(RateLimitMetrics.create(meters, "api"))
        .build();
    this.loginLimiter = RedisRateLimiter.builder(redis)
        .name("login").failureMode(FailureMode.FAIL_CLOSED).timeout(config.rateLimitTimeout().multipliedBy(2))
        .listener(RateLimitMetrics.create(meters, "login"))
        // Per account, only failures count, per account and address (LoginFailures in AccountLimits).
        .buildMulti(RateLimitPolicy.of("login-ip", config.loginLimitPerMinute(), Duration.ofMinutes(1)));

    // Cache loaders read the primary: a lagging replica must never be cached right after an invalidation.
    // The replica (READ_DATABASE_URL) serves the uncached read-only queries (the course count).
    JdbcCourseService courseStore = new JdbcCourseService(databases.primary());
    this.courseCache = RedisCacheAside.builder(cacheRedis, Course.class).name("courses").ttl(CacheTtl.MEDIUM).build();
    this.pageCache = RedisCacheAside.builder(cacheRedis, new com.fasterxml.jackson.core.type.TypeReference<List<Long>>() {})
        .name("course-pages").ttl(CacheTtl.SHORT).build();
    this.countCache = RedisCacheAside.builder(cacheRedis, Long.class).name("course-count").ttl(CacheTtl.SHORT).build();
    CacheMetrics.create(meters, courseCache.name(), courseCache);
    CacheMetrics.create(meters, pageCache.name(), pageCache);
    CachedCourseService courses = new CachedCourseService(courseStore, courseCache, pageCache);

    HealthRegistry.Builder healthBuilder = HealthRegistry.builder()
        .instanceId(config.instanceId())
        .register(HealthChecks.postgres(databases.primary()))
        .register(HealthChecks.redis(redis, Criticality.NON_CRITICAL));
    if (cacheRedis != redis) {
      // The cache degrades to the database without its Redis: never a reason to take the instance out.
      healthBuilder.register(HealthChecks.redis("redis-cache", cacheRedis, Criticality.NON_CRITICAL));
    }
    this.health = healthBuilder.build();
    HealthMetrics.create(meters, "app", health);
    this.management = new ManagementServer(config, health, meters);

    boolean migrated;
    try {
      migrated = migrateWithRetry(databases);
    } catch (SchemaValidationException e) {
      LOG.error("instance={} {}", config.instanceId(), e.getMessage());
      for (AutoCloseable c : List.<AutoCloseable>of(apiLimiter, loginLimiter, accountLimits, courseCache, pageCache, countCache,
          health, cacheRedis, redis, databases)) {
        closeQuietly(c);
      }
      meters.close();
      throw e;
    }
    if (migrated && config.seedDemoData()) {
      DemoData.seed(auth, courses, databases.primary());
    }

    Enrolments enrolments = new Enrolments(databases.primary());
    this.rooms = new RoomHub(redis, auth, json, config.instanceId(), clock, meters, new RoomPolicy(enrolments),
        config.security());
    ClientInfo clients = new ClientInfo(config.trustedProxies());
    Cors cors = new Cors(config.corsOrigins());
    Guard guard = new Guard(auth, apiLimiter, json, clock);
    this.fleet = new io.vtp.app.web.FleetView(redis, guard, json, config.instanceId(), meters, rooms::connections,
        health::isDraining);
    HealthRoutes healthRoutes = new HealthRoutes(health, meters, false);
    OriginPolicy origins = new OriginPolicy(config.corsOrigins(), clients, List.of(Guard.SECURE_COOKIE, Guard.COOKIE));
    WsUpgradeCheck upgradeCheck = new WsUpgradeCheck(origins, clients);
    AuthRoutes authRoutes = new AuthRoutes(auth, guard, loginLimiter, json, config, accountLimits);
    EnrolmentRoutes enrolmentRoutes = new EnrolmentRoutes(enrolments, revocations, guard, json);
    AdminRoutes adminRoutes = new AdminRoutes(auth, guard, json);
    CourseRoutes courseRoutes = new CourseRoutes(courses, countCache, courseStore, databases.reads(), guard, json);
    // A builder per timer (builders are mutable, so never shared between threads), registered once per method,
    // route and status and then looked up without building tags on every request.
    Map<String, Timer> requestTimers = new ConcurrentHashMap<>();
    Function<String[], Timer> requestTimer = t -> Timer.builder("http.server.requests")
        .description("HTTP requests by route template, method and status")
        .publishPercentileHistogram()
        .serviceLevelObjectives(Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250))
        .tags(t).register(meters);

    this.javalin = Javalin.create(cfg -> {
      cfg.startup.showJavalinBanner = false;
      cfg.startup.showOldJavalinVersionWarning = false;
      cfg.jsonMapper(new JavalinJackson(json, false));
      cfg.http.maxRequestSize = config.maxBodyBytes();
      cfg.http.defaultContentType = "application/json";
      cfg.jetty.host = config.host();
      cfg.jetty.port = config.port();
      cfg.jetty.modifyServer(server -> {
        // Graceful stop: close the listener, let in-flight requests finish within the shutdown timeout.
        server.insertHandler(new GracefulHandler());
        server.setStopTimeout(config.shutdownTimeout().toMillis());
        server.setStopAtShutdown(false);
      });
      cfg.jetty.modifyHttpConfiguration(http -> {
        http.setSendServerVersion(false);
        http.setSendXPoweredBy(false);
        http.setRequestHeaderSize(16 * 1024);
      });
      cfg.routes.before(ctx -> {
        Requests.begin(ctx, clients, config.instanceId());
        if (cors.enabled() && cors.apply(ctx)) {
          ctx.skipRemainingHandlers();
          return;
        }
        origins.checkStateChange(ctx);
      });
      if (cors.enabled()) {
        cfg.routes.options("/*", ctx -> { });
      }
      cfg.routes.exception(ApiException.class, (e, ctx) -> Problems.write(ctx, json, e));
      cfg.routes.exception(HttpResponseException.class, (e, ctx) -> Problems.write(ctx, json, e.getStatus(),
          statusTitle(e.getStatus()), e.getMessage(), List.of()));
      cfg.routes.exception(Exception.class, (e, ctx) -> {
        LOG.error("instance={} request={} {} {} failed: {}", config.instanceId(), Requests.requestId(ctx),
            ctx.method(), ctx.path(), e.toString(), e);
        Problems.write(ctx, json, 500, "Internal error", "the request failed; quote request id "
            + Requests.requestId(ctx), List.of());
      });
      cfg.routes.error(404, ctx -> {
        if (ctx.result() == null || ctx.result().isEmpty()) {
          Problems.write(ctx, json, 404, "Not found", "no route for " + ctx.method() + " " + ctx.path(), List.of());
        }
      });
      cfg.routes.error(405, ctx -> Problems.write(ctx, json, 405, "Method not allowed",
          ctx.method() + " is not allowed on " + ctx.path(), List.of()));
      healthRoutes.register(cfg.routes);
      authRoutes.register(cfg.routes);
      courseRoutes.register(cfg.routes);
      cfg.routes.wsBeforeUpgrade("/ws/rooms/{roomId}", upgradeCheck::check);
      enrolmentRoutes.register(cfg.routes);
      adminRoutes.register(cfg.routes);
      new io.vtp.app.web.WebPage(guard, config.instanceId(), config.seedDemoData() ? DemoData.ACCOUNTS : List.of())
          .register(cfg.routes);
      fleet.register(cfg.routes);
      cfg.routes.ws("/ws/rooms/{roomId}", rooms::configure);
      cfg.requestLogger.http((ctx, ms) -> {
        String route;
        try {
          route = ctx.endpoint().path;
        } catch (RuntimeException e) {
          route = "NOT_FOUND";
        }
        int status = ctx.statusCode();
        String method = ctx.method().name();
        String uri = route;
        requestTimers.computeIfAbsent(method + ' ' + status + ' ' + uri, k -> requestTimer.apply(new String[] {
            "method", method, "uri", uri, "status", Integer.toString(status),
            "outcome", status >= 500 ? "SERVER_ERROR" : status >= 400 ? "CLIENT_ERROR" : "SUCCESS"}))
            .record((long) (ms * 1_000_000), TimeUnit.NANOSECONDS);
        if (!route.equals("/metrics") && !route.startsWith("/health") && ACCESS.isInfoEnabled()) {
          long tenths = Math.round(ms * 10);
          ACCESS.info("instance={} request={} client={} {} {} {} {}.{}ms", config.instanceId(),
              Requests.requestId(ctx), Requests.clientIp(ctx), method, ctx.path(), status, tenths / 10, tenths % 10);
        }
      });
    });
  }

  /**
   * Builds and starts an instance.
   *
   * @param config the configuration
   * @return the running app
   * @throws io.vtp.app.db.SchemaValidationException when the database's migration history disagrees with this
   *     build's migrations (an applied migration was edited or removed); everything opened so far is closed
   * @throws Exception when the server cannot start (port taken, ...)
   */
  public static App start(AppConfig config) throws Exception {
    App app = new App(config);
    app.health.start();
    app.javalin.start();
    app.management.start();
    for (org.eclipse.jetty.server.Connector c : app.javalin.jettyServer().server().getConnectors()) {
      if (c instanceof org.eclipse.jetty.server.AbstractConnector) {
        // Once stopping, Jetty closes connections idle this long; the stop waits for every connection to close, so
        // this bounds how long idle keep-alive connections (nginx's) hold it up. A request that is still moving
        // (reading its body, writing its response) is not idle and gets the whole shutdown timeout.
        ((org.eclipse.jetty.server.AbstractConnector) c).setShutdownIdleTimeout(
            Math.min(1000, config.shutdownTimeout().toMillis()));
      }
    }
    LOG.info("instance={} listening on {}:{} ({}), management on {}:{}", config.instanceId(), config.host(),
        app.port(), config.production() ? "production" : "development", config.managementHost(),
        app.managementPort());
    return app;
  }

  private static boolean migrateWithRetry(Databases databases) {
    // All instances may start together, and the database may still be starting: retry for a while, then go on
    // unready (readiness reports the database) rather than crash-loop.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (true) {
      try {
        Migrations.migrate(databases.primary());
        return true;
      } catch (SchemaValidationException e) {
        throw e; // the database disagrees with this build's migrations: no retry can fix that
      } catch (RuntimeException e) {
        if (System.nanoTime() > deadline) {
          LOG.error("database migrations failed, starting unready: {}", e.toString());
          return false;
        }
        LOG.warn("database not ready for migrations ({}); retrying", e.toString());
        try {
          Thread.sleep(500);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          return false;
        }
      }
    }
  }

  private static void bindRedisPoolMetrics(UnifiedJedis redis, MeterRegistry meters) {
    if (redis instanceof RedisClient) {
      var pool = ((RedisClient) redis).getPool();
      Gauge.builder("redis.pool.active", pool, p -> p.getNumActive()).register(meters);
      Gauge.builder("redis.pool.idle", pool, p -> p.getNumIdle()).register(meters);
      Gauge.builder("redis.pool.pending", pool, p -> p.getNumWaiters()).register(meters);
    } else if (redis instanceof RedisClusterClient) {
      RedisClusterClient cluster = (RedisClusterClient) redis;
      Gauge.builder("redis.pool.active", cluster,
          c -> c.getClusterNodes().values().stream().mapToInt(p -> p.getNumActive()).sum()).register(meters);
      Gauge.builder("redis.pool.idle", cluster,
          c -> c.getClusterNodes().values().stream().mapToInt(p -> p.getNumIdle()).sum()).register(meters);
      Gauge.builder("redis.pool.pending", cluster,
          c -> c.getClusterNodes().values().stream().mapToInt(p -> p.getNumWaiters()).sum()).register(meters);
    }
  }

  private static String statusTitle(int status) {
    switch (status) {
      case 400:
        return "Invalid request";
      case 404:
        return "Not found";
      case 405:
        return "Method not allowed";
      case 413:
        return "Payload too large";
      case 415:
        return "Unsupported media type";
      default:
        return status >= 500 ? "Server error" : "Request error";
    }
  }

  /** Returns the port the server listens on. */
  public int port() {
    return javalin.port();
  }

  /** Returns the management port ({@code /metrics} and detailed health). */
  public int managementPort() {
    return management.port();
  }

  /** Returns the health registry (for tests and the drain protocol). */
  public HealthRegistry health() {
    return health;
  }

  /** Returns the configuration. */
  public AppConfig config() {
    return config;
  }

  /** Returns the meter registry. */
  public MeterRegistry meters() {
    return meters;
  }

  /**
   * Drains and stops: readiness fails at once; the instance keeps serving for the drain delay (so load balancers
   * notice), then stops accepting and finishes in-flight requests within the shutdown timeout, closes WebSockets
   * with 1001 and closes the pools. Idempotent.
   */
  public void shutdown() {
    if (!stopped.compareAndSet(false, true)) {
      return;
    }
    LOG.info("instance={} draining for {}", config.instanceId(), config.drainDelay());
    health.startDraining();
    try {
      Thread.sleep(config.drainDelay().toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    rooms.goingAway();
    try {
      javalin.stop();
    } catch (RuntimeException e) {
      LOG.warn("instance={} requests still running after the shutdown timeout {} were cut: {}", config.instanceId(),
          config.shutdownTimeout(), e.toString());
    }
    rooms.close();
    closeQuietly(management);
    closeQuietly(fleet);
    closeQuietly(apiLimiter);
    closeQuietly(loginLimiter);
    closeQuietly(accountLimits);
    closeQuietly(courseCache);
    closeQuietly(pageCache);
    closeQuietly(countCache);
    health.close();
    if (cacheRedis != redis) {
      closeQuietly(cacheRedis);
    }
    closeQuietly(redis);
    databases.close();
    meters.close();
    LOG.info("instance={} stopped", config.instanceId());
  }

  @Override
  public void close() {
    shutdown();
  }

  private static void closeQuietly(AutoCloseable c) {
    try {
      c.close();
    } catch (Exception e) {
      LOG.debug("closing {} failed: {}", c, e.toString());
    }
  }

  @Override
  public String toString() {
    return "App[" + config.instanceId() + "]";
  }
}
