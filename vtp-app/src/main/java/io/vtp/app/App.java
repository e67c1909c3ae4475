package io.vtp.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.javalin.compression.CompressionStrategy;
import io.javalin.json.JavalinJackson;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vtp.app.auth.AuthService;
import io.vtp.app.auth.Passwords;
import io.vtp.app.auth.UserRepository;
import io.vtp.app.config.AppConfig;
import io.vtp.app.db.Databases;
import io.vtp.app.db.Migrations;
import io.vtp.app.db.SchemaValidationException;
import io.vtp.app.http.Cors;
import io.vtp.app.http.ErrorResponses;
import io.vtp.app.http.JsonBodies;
import io.vtp.app.http.OriginPolicy;
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
import io.vtp.javalin.ClientAddressPlugin;
import io.vtp.javalin.ClientAddresses;
import io.vtp.javalin.HealthPlugin;
import io.vtp.javalin.MetricsPlugin;
import io.vtp.javalin.SessionPlugin;
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
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
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
  /** Courses kept in each instance's L1 (a course is well under a kilobyte). */
  private static final int COURSE_L1_ENTRIES = 10_000;

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
  private final io.vtp.app.tracing.Tracing tracing;
  private final AtomicBoolean stopped = new AtomicBoolean();

  private App(AppConfig config, io.vtp.app.tracing.Tracing tracing, io.vtp.app.logging.AccessLogMode access)
      throws Exception {
    this.config = config;
    this.tracing = tracing;
    io.vtp.app.tracing.RequestTrace requestTrace = new io.vtp.app.tracing.RequestTrace(tracing, access);
    Clock clock = Clock.systemUTC();
    this.meters = AppMeters.create(config.instanceId());

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
    AppMeters.bindRedisPool(redis, meters);
    // Sessions and limiter state must never be evicted because cache entries filled the memory: the cache may have
    // a Redis of its own (allkeys-lru with a maxmemory), the session Redis then runs noeviction.
    this.cacheRedis = config.separateCacheRedis() ? RedisClients.create(config.redisCache(), redisOptions) : redis;
    EvictionPolicyCheck.warnIfEvicting(redis, config.instanceId(), config.separateCacheRedis());

    ObjectMapper json = JsonBodies.mapper();
    RedisSessionStore.Builder sessionStore = RedisSessionStore.builder(redis)
        .name("sessions")
        .idleTimeout(config.sessionIdleTimeout())
        .absoluteLifetime(config.sessionAbsoluteTimeout())
        .maxSessionsPerUser(config.security().sessionMaxPerUser())
        .listener(SessionStoreMetrics.create(meters, "sessions"))
        // Sessions are named in Redis by HMAC-SHA256 under the deployment secret: Redis write access alone cannot
        // plant one. JWT_SECRET_PREVIOUS keeps sessions named under the secret before a rotation.
        .idHashKey(config.secret(),
            config.previousSecret() == null ? new byte[0][] : new byte[][] {config.previousSecret()});
    if (config.security().sessionReplicaAcks() > 0) { // SESSION_REPLICA_ACKS: logins and logouts survive a failover
      sessionStore.replicaAcknowledgement(config.security().sessionReplicaAcks(),
          config.security().sessionReplicaAckTimeout());
    }
    SessionStore sessions = sessionStore.build();
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
    RedisCacheAside.Builder<Course> courseCacheBuilder = RedisCacheAside.builder(cacheRedis, Course.class)
        .name("courses").ttl(CacheTtl.MEDIUM);
    if (!config.courseL1Ttl().isZero()) {
      // A course read from memory costs no Redis command; updates reach every instance's L1 by pub/sub, and
      // COURSE_CACHE_L1_TTL bounds the staleness when that message is lost.
      courseCacheBuilder.l1(COURSE_L1_ENTRIES, config.courseL1Ttl());
    }
    this.courseCache = courseCacheBuilder.build();
    this.pageCache = RedisCacheAside.builder(cacheRedis, new com.fasterxml.jackson.core.type.TypeReference<List<Long>>() {})
        .name("course-pages").ttl(CacheTtl.SHORT).build();
    this.countCache = RedisCacheAside.builder(cacheRedis, Long.class).name("course-count").ttl(CacheTtl.SHORT).build();
    CacheMetrics.create(meters, courseCache.name(), courseCache);
    CacheMetrics.create(meters, pageCache.name(), pageCache);
    // With tracing on, cache reads and loads and their SQL get spans; off, the plain objects (no per-call cost).
    io.vtp.cache.course.CourseService tracedStore = tracing.enabled()
        ? new io.vtp.app.tracing.TracedCourseService(courseStore, tracing) : courseStore;
    CachedCourseService courses = new CachedCourseService(tracedStore, traced(courseCache, tracing),
        traced(pageCache, tracing));

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
      migrated = Migrations.migrateWithRetry(databases.primary(), Duration.ofSeconds(30));
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
        config.security(), tracing);
    ClientAddressPlugin clientPlugin = new ClientAddressPlugin(c -> c.trustedProxies = config.trustedProxies());
    ClientAddresses clients = clientPlugin.addresses();
    Cors cors = new Cors(config.corsOrigins());
    Guard guard = new Guard(auth, apiLimiter, json, clock, tracing);
    this.fleet = new io.vtp.app.web.FleetView(redis, guard, json, config.instanceId(), meters, rooms::connections,
        health::isDraining);
    OriginPolicy origins = new OriginPolicy(config.corsOrigins(), clients, List.of(Guard.SECURE_COOKIE, Guard.COOKIE));
    WsUpgradeCheck upgradeCheck = new WsUpgradeCheck(origins, clients);
    AuthRoutes authRoutes = new AuthRoutes(auth, guard, loginLimiter, json, accountLimits);
    EnrolmentRoutes enrolmentRoutes = new EnrolmentRoutes(enrolments, revocations, guard, json);
    AdminRoutes adminRoutes = new AdminRoutes(auth, guard, json);
    CourseRoutes courseRoutes = new CourseRoutes(courses, traced(countCache, tracing), tracedStore, databases.reads(),
        guard, json);

    this.javalin = Javalin.create(cfg -> {
      cfg.startup.showJavalinBanner = false;
      cfg.startup.showOldJavalinVersionWarning = false;
      cfg.jsonMapper(new JavalinJackson(json, false));
      cfg.http.maxRequestSize = config.maxBodyBytes();
      cfg.http.defaultContentType = "application/json";
      // nginx compresses (gzip on, >= 1 KiB, deployment/nginx): compressing here too only costs CPU per request
      // (Javalin checks every response's type against its list before deciding).
      cfg.http.compressionStrategy = CompressionStrategy.NONE;
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
      // The generic parts come from vtp-javalin: client address behind the trusted proxies, the session cookie,
      // the public health endpoints (checks without details), http.server.requests by route template.
      cfg.registerPlugin(clientPlugin);
      cfg.registerPlugin(new SessionPlugin(s -> {
        s.store = sessions;
        s.cookieName = Guard.COOKIE;
        s.cookieMaxAge = config.sessionAbsoluteTimeout();
      }));
      cfg.registerPlugin(new HealthPlugin(h -> h.registry = health));
      cfg.registerPlugin(new MetricsPlugin(m -> m.registry = meters));
      cfg.routes.before(ctx -> {
        Requests.begin(ctx, config.instanceId());
        requestTrace.begin(ctx, Requests.requestId(ctx));
        if (cors.enabled() && cors.apply(ctx)) {
          ctx.skipRemainingHandlers();
          return;
        }
        origins.checkStateChange(ctx);
      });
      if (cors.enabled()) {
        cfg.routes.options("/*", ctx -> { });
      }
      ErrorResponses.register(cfg.routes, json, config.instanceId());
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
        // Health and metrics requests (probes, scrapes) are never logged: ACCESS_LOG chooses among the others.
        boolean log = !route.equals("/metrics") && !route.startsWith("/health");
        requestTrace.end(ctx, route, Requests.requestId(ctx), log ? Requests.clientIp(ctx) : null, ms, log);
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
    return start(config, io.vtp.app.tracing.Tracing.off(), io.vtp.app.logging.AccessLogMode.parse("all"));
  }

  /**
   * Builds and starts an instance with tracing and an access log mode.
   *
   * @param config the configuration
   * @param tracing the tracing (closed by {@link #shutdown()})
   * @param access which requests the access log writes
   * @return the running app
   * @throws io.vtp.app.db.SchemaValidationException see {@link #start(AppConfig)}
   * @throws Exception when the server cannot start (port taken, ...)
   */
  public static App start(AppConfig config, io.vtp.app.tracing.Tracing tracing,
      io.vtp.app.logging.AccessLogMode access) throws Exception {
    App app = new App(config, tracing, access);
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
    tracing.close();
    LOG.info("instance={} stopped", config.instanceId());
  }

  @Override
  public void close() {
    shutdown();
  }

  private static <V> CacheAside<V> traced(CacheAside<V> cache, io.vtp.app.tracing.Tracing tracing) {
    return tracing.enabled() ? new io.vtp.app.tracing.TracedCacheAside<>(cache, tracing) : cache;
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
