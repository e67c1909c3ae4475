package io.vtp.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vtp.app.config.AppConfig;
import io.vtp.app.config.ConfigException;
import io.vtp.cache.CacheAside;
import io.vtp.cache.CacheStats;
import io.vtp.cache.micrometer.CacheMetrics;
import io.vtp.health.CheckOutcome;
import io.vtp.health.Criticality;
import io.vtp.health.HealthCheck;
import io.vtp.health.HealthRegistry;
import io.vtp.health.micrometer.HealthMetrics;
import io.vtp.ratelimit.Outcome;
import io.vtp.ratelimit.micrometer.RateLimitMetrics;
import io.vtp.session.micrometer.SessionStoreMetrics;
import java.io.IOException;
import java.lang.reflect.Proxy;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Static checks of everything under {@code deployment/} that cannot run on this machine (no Docker engine, no
 * cluster): the Dockerfile, docker-compose.scaled.yml, the Kubernetes manifests, the Prometheus configuration and
 * alert rules (with {@code promtool}), the Grafana dashboards, and the nginx configuration rendered for compose (with
 * {@code nginx -t}), including the two Redis roles (the session Redis never evicts, the cache Redis does and persists
 * nothing). Fast: no server is started except {@code nginx -t} and {@code promtool}. The Swarm stack has its own
 * class, {@link SwarmStackTest}, which shares the helpers here.
 */
class DeploymentManifestsTest {
  static final Path ROOT = Deployment.repoRoot();
  static final Path DEPLOY = ROOT.resolve("deployment");
  /** The REDIS_PASSWORD compose substitution generates (hex, as .env.example tells the operator). */
  private static final String COMPOSE_REDIS_PASSWORD = hex(24);
  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * Connections every budget keeps free: superuser_reserved_connections (3), migrations, psql, backups, exporters.
   */
  static final int RESERVE = 10;

  /** What the app serves (vtp-javalin's HealthPlugin); probes must point at one of these. Cross-checked against the source. */
  private static final Set<String> APP_PROBE_PATHS = Set.of("/health", "/health/live", "/health/ready");

  /**
   * Every environment variable AppConfig reads (from reading AppConfig.fromEnv; {@link #appConfigVariables_matchTheSource}
   * keeps the list equal to the source).
   */
  static final Set<String> APP_CONFIG_VARIABLES = Set.of("APP_ENV", "PORT", "HOST", "INSTANCE_ID",
      "DATABASE_URL", "READ_DATABASE_URL", "REDIS_URL", "REDIS_CACHE_URL", "JWT_SECRET", "CORS_ORIGINS", "LOG_LEVEL",
      "TRUSTED_PROXIES",
      "DB_MAX_OPEN_CONNS", "DB_MAX_IDLE_CONNS", "DB_CONN_MAX_LIFETIME", "REDIS_POOL_SIZE", "REDIS_MIN_IDLE_CONNS",
      "RATE_LIMIT_API_PER_MINUTE", "RATE_LIMIT_LOGIN_PER_MINUTE", "RATE_LIMIT_TIMEOUT", "DRAIN_DELAY", "SHUTDOWN_TIMEOUT", "MAX_BODY_BYTES",
      "PASSWORD_HASH_ITERATIONS", "SESSION_IDLE_TIMEOUT", "SESSION_ABSOLUTE_TIMEOUT", "SEED_DEMO_DATA",
      "MANAGEMENT_PORT", "MANAGEMENT_HOST",
      // SecurityConfig
      "SELF_REGISTER_ROLES", "RATE_LIMIT_REGISTER_PER_MINUTE", "PASSWORD_HASH_CONCURRENCY",
      "LOGIN_FAILURES_BEFORE_BACKOFF", "SESSION_MAX_PER_USER", "SESSION_REPLICA_ACKS", "SESSION_REPLICA_ACK_TIMEOUT",
      "WS_MESSAGES_PER_SECOND", "WS_MESSAGE_BURST",
      "WS_MAX_CONNECTIONS_PER_USER", "WS_REVALIDATE_INTERVAL",
      "DATABASE_ALLOW_PLAINTEXT", "JWT_SECRET_PREVIOUS",
      // LogConfig and Tracing
      "LOG_FORMAT", "LOG_LEVELS", "ACCESS_LOG", "OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_SERVICE_NAME",
      "OTEL_TRACES_SAMPLER_ARG");

  /**
   * Prometheus names vtp-app exports, from reading App (http.server.requests with a percentile histogram, Redis
   * pool gauges, JVM binders), Databases (HikariCP's Micrometer tracker), the library modules' CacheMetrics,
   * RateLimitMetrics, SessionStoreMetrics and HealthMetrics, and RoomHub; confirmed by scraping {@code /metrics} of
   * an instance started with deployment/local/vtp. The {@code vtp_} names of the library modules are also checked
   * against a scrape of their binders ({@link #libraryMetrics_areExactlyWhatTheBindersRegister}).
   * vtp_ratelimit_redis_errors_total appears on the first Redis error.
   */
  private static final Set<String> APP_METRICS = Set.of(
      "http_server_requests_seconds_bucket", "http_server_requests_seconds_count", "http_server_requests_seconds_sum",
      "http_server_requests_seconds_max",
      "hikaricp_connections", "hikaricp_connections_active", "hikaricp_connections_idle",
      "hikaricp_connections_pending", "hikaricp_connections_max", "hikaricp_connections_min",
      "hikaricp_connections_timeout_total", "hikaricp_connections_acquire_seconds_count",
      "hikaricp_connections_acquire_seconds_sum", "hikaricp_connections_acquire_seconds_max",
      "hikaricp_connections_creation_seconds_count", "hikaricp_connections_creation_seconds_sum",
      "hikaricp_connections_usage_seconds_count", "hikaricp_connections_usage_seconds_sum",
      "redis_pool_active", "redis_pool_idle", "redis_pool_pending",
      "vtp_cache_gets_total", "vtp_cache_l1_gets_total", "vtp_cache_puts_total", "vtp_cache_evictions_total",
      "vtp_cache_load_total", "vtp_cache_load_duration_seconds_count", "vtp_cache_load_duration_seconds_sum",
      "vtp_cache_loads_coalesced_total", "vtp_cache_stale_served_total", "vtp_cache_early_refreshes_total",
      "vtp_cache_backend_errors_total", "vtp_cache_bypass_total", "vtp_cache_circuit_open",
      "vtp_ratelimit_decisions_total", "vtp_ratelimit_decision_latency_seconds_count",
      "vtp_ratelimit_decision_latency_seconds_sum", "vtp_ratelimit_decision_latency_seconds_max",
      "vtp_ratelimit_redis_errors_total",
      "vtp_session_operations_seconds_count", "vtp_session_operations_seconds_sum",
      "vtp_session_operations_seconds_max", "vtp_session_update_conflicts_total", "vtp_session_corrupt_total",
      "vtp_session_evictions_total", "vtp_session_not_replicated_total",
      "vtp_health_status", "vtp_health_draining", "vtp_health_check_status",
      "vtp_health_check_duration_seconds_count", "vtp_health_check_duration_seconds_sum",
      "vtp_health_check_duration_seconds_max", "vtp_health_check_failures_total",
      "ws_connections", "ws_messages_relayed_total", "ws_publish_errors_total",
      "jvm_memory_used_bytes", "jvm_memory_max_bytes", "jvm_memory_committed_bytes", "jvm_threads_live_threads",
      "jvm_gc_pause_seconds_count", "jvm_gc_pause_seconds_sum", "process_cpu_usage", "system_cpu_usage",
      "process_uptime_seconds");
  /** nginx/nginx-prometheus-exporter (stub_status) and Prometheus' own synthetic series. */
  private static final Set<String> OTHER_METRICS = Set.of("up", "nginx_up", "nginx_connections_accepted",
      "nginx_connections_active", "nginx_connections_handled", "nginx_connections_reading",
      "nginx_connections_waiting", "nginx_connections_writing", "nginx_http_requests_total");

  private static final List<String> COMPOSE_BACKENDS = List.of("backend1", "backend2", "backend3");

  // ---------------------------------------------------------------- YAML everywhere

  @Test
  void yaml_everyFileUnderDeploymentParses() throws IOException {
    List<Path> files = yamlFiles();
    assertThat(files.stream().map(p -> DEPLOY.relativize(p).toString())).contains(
        "docker-compose.scaled.yml", "prometheus/prometheus.yml", "prometheus/alerts.yml",
        "prometheus/alerts.test.yml", "grafana/provisioning/datasources/prometheus.yml",
        "grafana/provisioning/dashboards/vtp.yml", "k8s/backend-deployment.yaml", "k8s/hpa.yaml",
        "k8s/redis-cache-deployment.yaml", "swarm/vtp-stack.yml", "swarm/prometheus.yml");
    for (Path f : files) {
      List<JsonNode> docs = docs(f);
      assertThat(docs).as("YAML documents in %s", f).isNotEmpty();
      for (JsonNode d : docs) {
        assertThat(d.isObject()).as("every document in %s is a mapping", f).isTrue();
      }
    }
  }

  // ---------------------------------------------------------------- Dockerfile

  @Test
  void dockerfile_buildsTheAppJarAndRunsItNonRootWithAWorkingHealthCheck() throws IOException {
    String docker = Files.readString(ROOT.resolve("Dockerfile"));
    List<String> froms = lines(docker, "FROM ");
    assertThat(froms).hasSize(2);
    assertThat(froms.get(0)).isEqualTo("FROM eclipse-temurin:17-jdk AS build");
    assertThat(froms.get(1)).isEqualTo("FROM eclipse-temurin:17-jre");
    String joined = docker.replace("\\\n", " ");
    assertThat(joined).containsPattern("mvnw [^\\n]*-DskipTests -DskipITs[^\\n]* package -pl vtp-app -am");
    assertThat(Files.exists(ROOT.resolve("mvnw"))).isTrue();
    // The jar the build copies is the one vtp-app's shade plugin writes.
    String appPom = Files.readString(ROOT.resolve("vtp-app/pom.xml"));
    assertThat(appPom).contains("<finalName>vtp-app</finalName>");
    assertThat(joined).contains("vtp-app/target/vtp-app.jar").contains("COPY --from=build");
    Matcher user = Pattern.compile("(?m)^USER (\\d+):(\\d+)$").matcher(docker);
    assertThat(user.find()).as("USER uid:gid, numeric").isTrue();
    assertThat(Integer.parseInt(user.group(1))).isPositive();
    // HEALTHCHECK runs a class that exists in the app's jar; no curl/wget needed.
    String health = lines(joined, "HEALTHCHECK ").get(0);
    assertThat(health).contains("io.vtp.app.HealthProbe").contains("/app/vtp-app.jar").doesNotContain("curl")
        .doesNotContain("wget");
    assertThat(ROOT.resolve("vtp-app/src/main/java/io/vtp/app/HealthProbe.java")).exists();
    // Exec form: java is PID 1 and receives SIGTERM (the drain).
    assertThat(lines(docker, "ENTRYPOINT ").get(0)).isEqualTo("ENTRYPOINT [\"java\", \"-jar\", \"/app/vtp-app.jar\"]");
  }

  @Test
  void dockerignore_keepsBuildOutputOutButNothingTheBuildNeeds() throws IOException {
    List<String> patterns = Files.readAllLines(ROOT.resolve(".dockerignore")).stream().map(String::trim)
        .filter(l -> !l.isEmpty() && !l.startsWith("#")).collect(Collectors.toList());
    assertThat(ignored(patterns, "vtp-app/target/vtp-app.jar")).isTrue();
    assertThat(ignored(patterns, ".git/HEAD")).isTrue();
    assertThat(ignored(patterns, "deployment/local/.run/pids/nginx.pid")).isTrue();
    List<String> needed = new ArrayList<>(List.of("mvnw", "pom.xml", ".mvn/wrapper/maven-wrapper.properties"));
    for (String module : modules()) {
      needed.add(module + "/pom.xml");
      needed.add(module + "/src/main/java/io/vtp/X.java");
    }
    for (String path : needed) {
      assertThat(ignored(patterns, path)).as(".dockerignore must not exclude %s", path).isFalse();
    }
  }

  // ---------------------------------------------------------------- docker-compose.scaled.yml

  @Test
  void compose_servicesHealthChecksRestartAndDependencies() throws IOException {
    JsonNode services = compose().path("services");
    assertThat(names(services)).containsExactlyInAnyOrder("nginx", "backend1", "backend2", "backend3", "postgres",
        "redis", "redis-cache", "nginx-exporter", "prometheus", "grafana");
    for (String name : names(services)) {
      JsonNode s = services.get(name);
      assertThat(s.path("restart").asText()).as("%s restart", name).isEqualTo("unless-stopped");
      if (!name.equals("nginx-exporter")) { // a scratch image: no shell or client to probe with
        assertThat(s.path("healthcheck").path("test").size()).as("%s healthcheck", name).isGreaterThan(1);
      }
    }
    for (String b : COMPOSE_BACKENDS) {
      JsonNode s = services.get(b);
      assertThat(s.path("build").path("context").asText()).isEqualTo("..");
      assertThat(DEPLOY.resolve("..").resolve(s.path("build").path("dockerfile").asText()).normalize()).exists();
      assertThat(text(s.path("healthcheck").path("test"))).contains("io.vtp.app.HealthProbe", "/health/ready");
      assertThat(s.at("/deploy/resources/limits/cpus").asText()).isEqualTo("1.0");
      assertThat(s.at("/deploy/resources/limits/memory").asText()).isEqualTo("512M");
      assertThat(s.at("/depends_on/postgres/condition").asText()).isEqualTo("service_healthy");
      assertThat(s.at("/depends_on/redis/condition").asText()).isEqualTo("service_healthy");
      assertThat(s.at("/depends_on/redis-cache/condition").asText()).isEqualTo("service_healthy");
      assertThat(s.path("ports").isMissingNode()).as("backends are reached through nginx only").isTrue();
      assertThat(services.get("nginx").at("/depends_on/" + b + "/condition").asText()).isEqualTo("service_healthy");
    }
    assertThat(services.at("/postgres/image").asText()).startsWith("postgres:15");
    assertThat(text(services.at("/postgres/healthcheck/test"))).contains("pg_isready");
    assertThat(services.at("/redis/image").asText()).startsWith("redis:7");
    assertThat(text(services.at("/redis/command"))).contains("--appendonly yes");
    assertThat(text(services.at("/redis/healthcheck/test"))).contains("ping");
    // Published ports: nginx's listen port (from the rendered config), Prometheus and Grafana.
    assertThat(text(services.at("/nginx/ports"))).isEqualTo("80:8080");
    assertThat(Files.readString(DEPLOY.resolve("nginx/nginx.compose.conf"))).contains("listen 0.0.0.0:8080 ");
    // Prometheus (no authentication) on loopback only, and without the HTTP reload/stop API.
    assertThat(text(services.at("/prometheus/ports"))).isEqualTo("127.0.0.1:9090:9090");
    assertThat(text(services.at("/prometheus/command"))).doesNotContain("--web.enable-lifecycle");
    // Plain HTTP: the file says loudly that it is not a production setup.
    assertThat(Files.readString(DEPLOY.resolve("docker-compose.scaled.yml"))).contains("NOT FOR PRODUCTION");
    assertThat(text(services.at("/grafana/ports"))).isEqualTo("3001:3000");
    // Every bind-mounted file or directory exists in the repository.
    for (String name : names(services)) {
      for (JsonNode v : services.get(name).path("volumes")) {
        String src = v.asText().split(":")[0];
        if (src.startsWith("./")) {
          assertThat(DEPLOY.resolve(src).normalize()).as("%s mounts %s", name, src).exists();
        }
      }
    }
  }

  @Test
  void compose_backendEnvironmentIsAValidProductionConfigAndUsesOnlyAppVariables() throws IOException {
    JsonNode services = compose().path("services");
    Map<String, String> dotenv = dotenvExample();
    Map<String, String> first = null;
    for (int i = 0; i < COMPOSE_BACKENDS.size(); i++) {
      Map<String, String> env = strings(services.get(COMPOSE_BACKENDS.get(i)).path("environment"));
      assertThat(APP_CONFIG_VARIABLES).as("variables AppConfig reads").containsAll(env.keySet());
      assertThat(env).containsKeys("DATABASE_URL", "REDIS_URL", "JWT_SECRET", "INSTANCE_ID")
          .containsEntry("APP_ENV", "production").containsEntry("INSTANCE_ID", "backend-" + (i + 1));
      Map<String, String> rest = new HashMap<>(env);
      rest.remove("INSTANCE_ID");
      if (first == null) {
        first = rest;
      } else {
        assertThat(rest).as("backends differ only in INSTANCE_ID").isEqualTo(first);
      }
      Map<String, String> resolved = new HashMap<>();
      env.forEach((k, v) -> resolved.put(k, substitute(v, dotenv)));
      AppConfig config = AppConfig.fromEnv(resolved);
      assertThat(io.vtp.app.logging.LogConfig.fromEnv(resolved).json()).as("compose logs JSON lines").isTrue();
      assertThat(config.production()).isTrue();
      assertThat(config.instanceId()).isEqualTo("backend-" + (i + 1));
      assertThat(config.port()).isEqualTo(8080);
      assertThat(config.managementPort()).isEqualTo(9464);
      assertThat(config.database().toString()).contains("postgres");
      // Only nginx's fixed address may set forwarded headers.
      String nginxIp = services.at("/nginx/networks/vtp/ipv4_address").asText();
      assertThat(config.trustedProxies()).containsExactly(nginxIp + "/32");
    }
    // The exporter (and only it, besides loopback) may read stub_status.
    String exporterIp = services.at("/nginx-exporter/networks/vtp/ipv4_address").asText();
    assertThat(Files.readString(DEPLOY.resolve("nginx/nginx.compose.conf"))).contains("allow " + exporterIp + ";");
    assertThat(text(services.at("/nginx-exporter/command"))).contains("http://nginx:8080/nginx_status");
  }

  @Test
  void compose_everyVariableIsInEnvExampleAndNoSecretIsCommitted() throws IOException {
    String compose = Files.readString(DEPLOY.resolve("docker-compose.scaled.yml"));
    Set<String> used = new TreeSet<>();
    Matcher m = Pattern.compile("\\$\\{([A-Z_]+)").matcher(compose);
    while (m.find()) {
      used.add(m.group(1));
    }
    Map<String, String> dotenv = dotenvExample();
    assertThat(dotenv.keySet()).as("deployment/.env.example declares exactly the variables compose uses")
        .containsExactlyInAnyOrderElementsOf(used);
    for (String secret : List.of("JWT_SECRET", "POSTGRES_PASSWORD", "REDIS_PASSWORD", "GRAFANA_PASSWORD")) {
      assertThat(dotenv.get(secret)).as("%s is generated by the operator, never committed", secret).isEmpty();
      assertThat(compose).contains("${" + secret + ":?");
    }
  }

  @Test
  void compose_connectionBudgetFitsPostgresMaxConnections() throws IOException {
    JsonNode services = compose().path("services");
    int maxConnections = pgSetting(text(services.at("/postgres/command")), "max_connections", 100);
    assertThat(pgSetting(text(services.at("/postgres/command")), "superuser_reserved_connections", 3))
        .isLessThanOrEqualTo(RESERVE);
    int needed = 0;
    for (String b : COMPOSE_BACKENDS) {
      Map<String, String> env = strings(services.get(b).path("environment"));
      needed += poolsPerInstance(env) * Integer.parseInt(env.getOrDefault("DB_MAX_OPEN_CONNS", "25"));
    }
    assertThat(needed + RESERVE).as("3 backends x pool + %d reserved <= max_connections %d", RESERVE,
        maxConnections).isLessThanOrEqualTo(maxConnections);
  }

  @Test
  void budget_theOriginalTenTimesTwentyFiveDoesNotFitTheDefault() {
    // The arithmetic the checks use, on the original's numbers: 10 pods x 25 + reserve > 100.
    assertThat(10 * 25 + RESERVE).isGreaterThan(100);
  }

  // ---------------------------------------------------------------- nginx for compose

  @Test
  void nginx_committedComposeConfigIsExactlyAFreshRender(@TempDir Path tmp) throws Exception {
    Path fresh = tmp.resolve("nginx.compose.conf");
    run(List.of(DEPLOY.resolve("render-compose-nginx.sh").toString(), fresh.toString()), 60);
    assertThat(Files.readString(fresh))
        .as("deployment/nginx/nginx.compose.conf is stale: run deployment/render-compose-nginx.sh and commit it")
        .isEqualTo(Files.readString(DEPLOY.resolve("nginx/nginx.compose.conf")));
    // Its upstreams are exactly the compose backends on their PORT.
    Set<String> upstream = new TreeSet<>();
    Matcher m = Pattern.compile("server (\\S+) max_fails").matcher(Files.readString(fresh));
    while (m.find()) {
      upstream.add(m.group(1));
    }
    assertThat(upstream).containsExactly("backend1:8080", "backend2:8080", "backend3:8080");
  }

  @Test
  void nginx_edgeHardening_metricsClosedRetryAfterCiphersHstsAndNoUploadAllowance(@TempDir Path tmp)
      throws Exception {
    Path conf = tmp.resolve("tls.conf");
    ProcessBuilder pb = new ProcessBuilder(DEPLOY.resolve("nginx/render.sh").toString(), conf.toString())
        .redirectErrorStream(true);
    pb.environment().putAll(Map.of("VTP_BACKENDS", "127.0.0.1:18081", "VTP_NGINX_TLS", "1",
        "VTP_NGINX_RUN_DIR", tmp.toString()));
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as(out).isZero();
    String tls = Files.readString(conf);
    String plain = Files.readString(DEPLOY.resolve("nginx/nginx.compose.conf"));
    for (String c : List.of(tls, plain)) {
      // /metrics in every spelling ends at nginx; nothing proxies it.
      assertThat(c).contains("location /metrics {\n      return 404;").doesNotContain("location = /metrics");
      // Edge 429s say when to come back.
      assertThat(c).contains("error_page 429 @edge_limited;").contains("add_header Retry-After 60 always;");
      // No 100 MB allowance for a route the app does not have.
      assertThat(c).doesNotContain("100m").doesNotContain("uploads");
      assertThat(c).contains("proxy_set_header X-Forwarded-Host $http_host;");
    }
    assertThat(tls).contains("ssl_ciphers ECDHE-ECDSA-AES128-GCM-SHA256:").contains("ssl_protocols TLSv1.2 TLSv1.3;");
    // HSTS also where a location sets its own headers (which drops the server's).
    String staticLocation = tls.substring(tls.indexOf("location /static/"));
    staticLocation = staticLocation.substring(0, staticLocation.indexOf("}"));
    assertThat(staticLocation).contains("Strict-Transport-Security");
    assertThat(plain).doesNotContain("Strict-Transport-Security");
  }

  @Test
  void nginx_composeConfigPassesNginxT(@TempDir Path tmp) throws Exception {
    // backend1..3 do not resolve outside the compose network and the container's run and log directories do not
    // exist here, so test a copy with the backends replaced by loopback ports and those directories by temp ones.
    // Everything else is the committed file as it is.
    String conf = Files.readString(DEPLOY.resolve("nginx/nginx.compose.conf"));
    for (String b : COMPOSE_BACKENDS) {
      conf = conf.replace(b + ":8080", "127.0.0.1:" + freePort());
    }
    Path run = Files.createDirectories(tmp.resolve("run"));
    Path logs = Files.createDirectories(tmp.resolve("logs"));
    conf = conf.replace("/var/cache/nginx", run.toString()).replace("/var/log/nginx", logs.toString());
    assertThat(conf).doesNotContain("backend1", "/var/cache/nginx", "/var/log/nginx");
    Path copy = tmp.resolve("nginx.conf");
    Files.writeString(copy, conf);
    String nginx = Files.exists(Path.of("/usr/sbin/nginx")) ? "/usr/sbin/nginx" : "nginx";
    Result r = run(List.of(nginx, "-t", "-e", logs.resolve("startup.log").toString(), "-c", copy.toString()), 30);
    assertThat(r.exit).as("nginx -t on the compose config:\n%s", r.output).isZero();
  }

  // ---------------------------------------------------------------- Prometheus

  @Test
  void promtool_checksConfigRulesAndRuleUnitTests(@TempDir Path tmp) throws Exception {
    String promtool = promtool();
    Path prom = DEPLOY.resolve("prometheus");
    expectSuccess(run(List.of(promtool, "check", "config", prom.resolve("prometheus.yml").toString()), 60));
    expectSuccess(run(List.of(promtool, "check", "rules", prom.resolve("alerts.yml").toString()), 60));
    expectSuccess(run(List.of(promtool, "test", "rules", prom.resolve("alerts.test.yml").toString()), 60));
    // The local deployment's config, rendered the way deployment/local/vtp does, with alerts.yml next to it.
    String local = Files.readString(prom.resolve("prometheus.local.yml.template"))
        .replace("@@BACKEND_TARGETS@@", "[\"127.0.0.1:18081\", \"127.0.0.1:18082\"]");
    Files.writeString(tmp.resolve("prometheus.yml"), local);
    Files.copy(prom.resolve("alerts.yml"), tmp.resolve("alerts.yml"));
    expectSuccess(run(List.of(promtool, "check", "config", tmp.resolve("prometheus.yml").toString()), 60));
  }

  @Test
  void promtool_rejectsABrokenRuleSoTheCheckCanFail(@TempDir Path tmp) throws Exception {
    Path broken = tmp.resolve("broken.yml");
    Files.writeString(broken, "groups:\n  - name: x\n    rules:\n      - alert: X\n        expr: rate(up[5m]\n");
    assertThat(run(List.of(promtool(), "check", "rules", broken.toString()), 60).exit).isNotZero();
  }

  @Test
  void prometheus_composeScrapesEveryBackendAndTheExporter() throws IOException {
    JsonNode config = docs(DEPLOY.resolve("prometheus/prometheus.yml")).get(0);
    Map<String, Set<String>> targets = new LinkedHashMap<>();
    for (JsonNode job : config.path("scrape_configs")) {
      Set<String> t = new TreeSet<>();
      job.path("static_configs").forEach(sc -> sc.path("targets").forEach(x -> t.add(x.asText())));
      targets.put(job.path("job_name").asText(), t);
    }
    // The management port (MANAGEMENT_PORT), never nginx's upstream port.
    assertThat(targets.get("vtp-backend")).containsExactly("backend1:9464", "backend2:9464", "backend3:9464");
    for (String b : COMPOSE_BACKENDS) {
      assertThat(compose().at("/services/" + b + "/environment/MANAGEMENT_PORT").asText()).isEqualTo("9464");
    }
    assertThat(targets.get("nginx")).containsExactly("nginx-exporter:9113");
    assertThat(config.at("/scrape_configs/0/metrics_path").asText()).isEqualTo("/metrics");
    assertThat(text(config.path("rule_files"))).isEqualTo("alerts.yml");
    assertThat(compose().at("/services/prometheus/volumes").toString()).contains("./prometheus/alerts.yml");
  }

  // ---------------------------------------------------------------- Grafana and metric names

  @Test
  void dashboards_parseAndQueryOnlyMetricsTheAppExports() throws IOException {
    JsonNode datasource = docs(DEPLOY.resolve("grafana/provisioning/datasources/prometheus.yml")).get(0);
    String uid = datasource.at("/datasources/0/uid").asText();
    JsonNode provider = docs(DEPLOY.resolve("grafana/provisioning/dashboards/vtp.yml")).get(0);
    assertThat(compose().at("/services/grafana/volumes").toString())
        .contains("./grafana/dashboards:" + provider.at("/providers/0/options/path").asText() + ":ro");
    Set<String> used = new TreeSet<>();
    List<Path> dashboards;
    try (Stream<Path> s = Files.list(DEPLOY.resolve("grafana/dashboards"))) {
      dashboards = s.filter(p -> p.toString().endsWith(".json")).sorted().collect(Collectors.toList());
    }
    assertThat(dashboards.stream().map(p -> p.getFileName().toString())).containsExactly("vtp-backend.json",
        "vtp-database.json", "vtp-ratelimit-sessions.json", "vtp-redis.json");
    Set<String> uids = new LinkedHashSet<>();
    for (Path d : dashboards) {
      JsonNode dash = JSON.readTree(d.toFile());
      assertThat(uids.add(dash.path("uid").asText())).as("unique uid in %s", d).isTrue();
      assertThat(dash.path("title").asText()).isNotBlank();
      assertThat(dash.path("panels").size()).as("panels in %s", d).isGreaterThan(3);
      for (JsonNode panel : dash.path("panels")) {
        assertThat(panel.at("/datasource/uid").asText()).as("%s panel %s", d, panel.path("title")).isEqualTo(uid);
        assertThat(panel.path("targets").size()).isPositive();
        for (JsonNode t : panel.path("targets")) {
          used.addAll(metricNames(t.path("expr").asText()));
        }
      }
      for (JsonNode v : dash.at("/templating/list")) {
        used.addAll(metricNames(v.at("/query/query").asText()));
      }
    }
    assertThat(union(APP_METRICS, OTHER_METRICS)).as("metric names the dashboards query").containsAll(used);
    // What the issue asks each dashboard to show is really there.
    assertThat(used).contains("http_server_requests_seconds_count", "http_server_requests_seconds_bucket",
        "hikaricp_connections_active", "hikaricp_connections_pending", "hikaricp_connections_max",
        "vtp_cache_gets_total", "vtp_cache_backend_errors_total", "vtp_ratelimit_decisions_total",
        "vtp_session_operations_seconds_count");
    String all = dashboards.stream().map(p -> {
      try {
        return Files.readString(p);
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }).collect(Collectors.joining());
    assertThat(all).contains("histogram_quantile(0.50", "histogram_quantile(0.95", "histogram_quantile(0.99");
  }

  @Test
  void alerts_queryOnlyMetricsTheAppExportsAndCoverEveryConcern() throws IOException {
    JsonNode rules = docs(DEPLOY.resolve("prometheus/alerts.yml")).get(0);
    Set<String> used = new TreeSet<>();
    Set<String> alerts = new TreeSet<>();
    for (JsonNode g : rules.path("groups")) {
      for (JsonNode r : g.path("rules")) {
        alerts.add(r.path("alert").asText());
        used.addAll(metricNames(r.path("expr").asText()));
      }
    }
    assertThat(union(APP_METRICS, OTHER_METRICS)).containsAll(used);
    assertThat(alerts).contains("VtpInstanceDown", "VtpHigh5xxRatio", "VtpHighP99Latency", "VtpDbPoolSaturated",
        "VtpRedisErrors", "VtpRateLimitSpike", "VtpReadinessFlapping");
  }

  @Test
  void libraryMetrics_areExactlyWhatTheBindersRegister() throws Exception {
    // The library modules' binders as App wires them, on a Prometheus registry like the app's. Only the meters'
    // names matter: the cache is a stand-in that answers name() and stats(), the health registry is never started.
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    CacheStats zero = new CacheStats(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, false);
    CacheAside<?> cache = (CacheAside<?>) Proxy.newProxyInstance(CacheAside.class.getClassLoader(),
        new Class<?>[] {CacheAside.class}, (proxy, method, args) -> {
          switch (method.getName()) {
            case "name":
              return "courses";
            case "stats":
              return zero;
            case "hashCode":
              return System.identityHashCode(proxy);
            case "equals":
              return proxy == args[0];
            case "toString":
              return "stand-in cache";
            default:
              throw new UnsupportedOperationException(method.getName());
          }
        });
    try (HealthRegistry health = HealthRegistry.builder().instanceId("backend-1")
        .register(HealthCheck.of("redis", Criticality.NON_CRITICAL, CheckOutcome::pass)).build()) {
      SessionStoreMetrics sessions = SessionStoreMetrics.create(registry, "sessions");
      RateLimitMetrics limits = RateLimitMetrics.create(registry, "api");
      CacheMetrics caches = CacheMetrics.create(registry, cache.name(), cache);
      HealthMetrics healthMetrics = HealthMetrics.create(registry, "app", health);
      // Rate limit meters appear with their first event.
      limits.onDecision("api", Outcome.ALLOWED, 1_000);
      limits.onRedisError("api", new java.util.concurrent.TimeoutException());
      Set<String> scraped = new TreeSet<>();
      for (String line : registry.scrape().split("\n")) {
        if (!line.isEmpty() && !line.startsWith("#")) {
          scraped.add(line.split("[{ ]", 2)[0]);
        }
      }
      Pattern library = Pattern.compile("vtp_(session|ratelimit|cache|health)_.*");
      assertThat(scraped).as("every library meter is named vtp.<module>.*").allMatch(n -> library.matcher(n).matches());
      assertThat(APP_METRICS.stream().filter(n -> library.matcher(n).matches()))
          .as("APP_METRICS lists exactly the library modules' meters").containsExactlyInAnyOrderElementsOf(scraped);
      assertThat(registry.scrape()).contains("name=\"courses\"", "name=\"api\"", "name=\"sessions\"",
          "name=\"app\"");
      sessions.close();
      limits.close();
      caches.close();
      healthMetrics.close();
      assertThat(registry.getMeters()).as("close() removes every meter").isEmpty();
    }
  }

  @Test
  void metricNames_findsMetricsAndSkipsFunctionsLabelsAndDurations() {
    assertThat(metricNames("histogram_quantile(0.99, sum by (instance, le) (rate(foo_bucket{a=\"b\", c=~\"x|y\"}[5m])))"))
        .containsExactly("foo_bucket");
    assertThat(metricNames("a_total / on (instance) group_left b_total offset 5m > bool 1 and c"))
        .containsExactly("a_total", "b_total", "c");
    assertThat(metricNames("label_values(up{job=\"vtp-backend\"}, instance)")).containsExactly("up");
    assertThat(union(APP_METRICS, OTHER_METRICS)).doesNotContain("http_requests_total");
  }

  @Test
  void appConfigVariables_matchTheSource() throws IOException {
    String source = Files.readString(ROOT.resolve("vtp-app/src/main/java/io/vtp/app/config/AppConfig.java"))
        + Files.readString(ROOT.resolve("vtp-app/src/main/java/io/vtp/app/config/SecurityConfig.java"))
        + Files.readString(ROOT.resolve("vtp-app/src/main/java/io/vtp/app/logging/LogConfig.java"))
        + Files.readString(ROOT.resolve("vtp-app/src/main/java/io/vtp/app/tracing/Tracing.java"));
    Set<String> read = new TreeSet<>();
    Matcher m = Pattern.compile("(?:r\\.(?:raw|string|intIn|bool|duration|list)\\(|value\\(env, |env\\.get(?:OrDefault)?\\()"
        + "\"([A-Z_]+)\"").matcher(source);
    while (m.find()) {
      read.add(m.group(1));
    }
    assertThat(read).containsExactlyInAnyOrderElementsOf(APP_CONFIG_VARIABLES);
    String routes = Files.readString(ROOT.resolve("vtp-javalin/src/main/java/io/vtp/javalin/HealthPlugin.java"));
    Set<String> served = new TreeSet<>();
    Matcher r = Pattern.compile("routes\\.get\\(\"(/health[^\"]*)\"").matcher(routes);
    while (r.find()) {
      served.add(r.group(1));
    }
    assertThat(served).containsExactlyInAnyOrderElementsOf(APP_PROBE_PATHS);
  }

  // ---------------------------------------------------------------- Kubernetes

  @Test
  void k8s_everyObjectHasItsRequiredFieldsAndReferencesResolve() throws IOException {
    Map<String, JsonNode> objects = k8sObjects(true);
    assertThat(objects.keySet()).contains("Namespace/vtp", "ConfigMap/vtp-config", "Secret/vtp-secrets",
        "ServiceAccount/vtp-backend", "Deployment/vtp-backend", "Service/vtp-backend", "Ingress/vtp-api",
        "Ingress/vtp-ws", "HorizontalPodAutoscaler/vtp-backend", "PodDisruptionBudget/vtp-backend",
        "StatefulSet/postgres", "Service/postgres", "StatefulSet/redis", "Service/redis",
        "Deployment/redis-cache", "Service/redis-cache",
        "NetworkPolicy/default-deny-ingress", "NetworkPolicy/redis-from-backends",
        "NetworkPolicy/redis-cache-from-backends",
        "NetworkPolicy/postgres-from-backends", "NetworkPolicy/backends-from-ingress-and-prometheus");
    for (Map.Entry<String, JsonNode> e : objects.entrySet()) {
      JsonNode o = e.getValue();
      String kind = o.path("kind").asText();
      if (!kind.equals("Namespace")) {
        assertThat(o.at("/metadata/namespace").asText()).as("%s namespace", e.getKey()).isEqualTo("vtp");
      }
      switch (kind) {
        case "Deployment":
        case "StatefulSet":
          assertThat(labels(o.at("/spec/template/metadata/labels")))
              .as("%s selector matches its pods", e.getKey())
              .containsAllEntriesOf(labels(o.at("/spec/selector/matchLabels")));
          assertThat(o.at("/spec/selector/matchLabels").size()).isPositive();
          for (JsonNode c : o.at("/spec/template/spec/containers")) {
            assertThat(c.path("name").asText()).isNotBlank();
            assertThat(c.path("image").asText()).isNotBlank();
            assertThat(c.at("/resources/requests/cpu").isMissingNode()).as("%s requests", e.getKey()).isFalse();
            assertThat(c.at("/resources/limits/memory").isMissingNode()).as("%s limits", e.getKey()).isFalse();
            assertThat(c.at("/securityContext/allowPrivilegeEscalation").asBoolean(true)).isFalse();
            assertThat(text(c.at("/securityContext/capabilities/drop"))).isEqualTo("ALL");
            for (JsonNode ref : c.findValues("secretKeyRef")) {
              if (ref.path("optional").asBoolean(false)) {
                continue; // e.g. JWT_SECRET_PREVIOUS: present only during a secret rotation
              }
              assertThat(objects).containsKey("Secret/" + ref.path("name").asText());
              assertThat(objects.get("Secret/" + ref.path("name").asText()).path("stringData").has(
                  ref.path("key").asText())).as("secret key %s", ref.path("key")).isTrue();
            }
            for (JsonNode ref : c.findValues("configMapRef")) {
              assertThat(objects).containsKey("ConfigMap/" + ref.path("name").asText());
            }
          }
          assertThat(o.at("/spec/template/spec/securityContext/runAsNonRoot").asBoolean()).isTrue();
          assertThat(o.at("/spec/template/spec/securityContext/runAsUser").asInt()).isPositive();
          if (kind.equals("StatefulSet")) {
            JsonNode svc = objects.get("Service/" + o.at("/spec/serviceName").asText());
            assertThat(svc).as("%s serviceName", e.getKey()).isNotNull();
            assertThat(svc.at("/spec/clusterIP").asText()).isEqualTo("None");
            assertThat(o.at("/spec/volumeClaimTemplates").size()).isPositive();
          }
          break;
        case "Service":
          assertThat(o.at("/spec/ports").size()).isPositive();
          assertThat(selects(objects, o.at("/spec/selector"))).as("%s selects pods", e.getKey()).isTrue();
          for (JsonNode p : o.at("/spec/ports")) {
            assertThat(containerPortNames(objects, o.at("/spec/selector"))).contains(p.path("targetPort").asText());
          }
          break;
        case "Ingress":
          assertThat(o.at("/spec/ingressClassName").asText()).isEqualTo("nginx");
          for (JsonNode b : o.findValues("service")) {
            JsonNode svc = objects.get("Service/" + b.path("name").asText());
            assertThat(svc).as("%s backend service", e.getKey()).isNotNull();
            Set<String> portNames = new TreeSet<>();
            svc.at("/spec/ports").forEach(p -> portNames.add(p.path("name").asText()));
            assertThat(portNames).as("%s backend port", e.getKey()).contains(b.at("/port/name").asText());
          }
          break;
        case "HorizontalPodAutoscaler":
          assertThat(objects).containsKey(o.at("/spec/scaleTargetRef/kind").asText() + "/"
              + o.at("/spec/scaleTargetRef/name").asText());
          break;
        case "PodDisruptionBudget":
          assertThat(selects(objects, o.at("/spec/selector/matchLabels"))).isTrue();
          break;
        default:
          break;
      }
    }
    // kustomization.yaml applies every manifest but the Secret template.
    JsonNode kustomization = docs(DEPLOY.resolve("k8s/kustomization.yaml")).get(0);
    Set<String> listed = new TreeSet<>();
    kustomization.path("resources").forEach(r -> listed.add(r.asText()));
    Set<String> files = new TreeSet<>();
    try (Stream<Path> s = Files.list(DEPLOY.resolve("k8s"))) {
      s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".yaml"))
          .filter(n -> !n.equals("kustomization.yaml") && !n.equals("secret.example.yaml")).forEach(files::add);
    }
    assertThat(listed).isEqualTo(files);
  }

  @Test
  void k8s_backendProbesDrainRolloutSecurityAndSpread() throws IOException {
    Map<String, JsonNode> objects = k8sObjects(true);
    JsonNode deploy = objects.get("Deployment/vtp-backend");
    JsonNode pod = deploy.at("/spec/template/spec");
    JsonNode c = pod.at("/containers/0");
    Map<String, String> config = strings(objects.get("ConfigMap/vtp-config").path("data"));
    assertThat(c.at("/startupProbe/httpGet/path").asText()).isEqualTo("/health/live");
    assertThat(c.at("/livenessProbe/httpGet/path").asText()).isEqualTo("/health/live");
    assertThat(c.at("/readinessProbe/httpGet/path").asText()).isEqualTo("/health/ready");
    for (JsonNode probe : c.findValues("httpGet")) {
      assertThat(APP_PROBE_PATHS).contains(probe.path("path").asText());
      assertThat(probe.path("port").asText()).isEqualTo("http");
    }
    assertThat(c.at("/ports/0/name").asText()).isEqualTo("http");
    assertThat(c.at("/ports/0/containerPort").asText()).isEqualTo(config.get("PORT"));
    // Rollout: never fewer ready pods than before.
    assertThat(deploy.at("/spec/strategy/type").asText()).isEqualTo("RollingUpdate");
    assertThat(deploy.at("/spec/strategy/rollingUpdate/maxSurge").asInt()).isEqualTo(1);
    assertThat(deploy.at("/spec/strategy/rollingUpdate/maxUnavailable").asInt()).isZero();
    // Drain: preStop = DRAIN_DELAY; grace > preStop + app drain + shutdown timeout.
    long drain = AppConfig.parseDuration("DRAIN_DELAY", config.get("DRAIN_DELAY")).toSeconds();
    long shutdown = AppConfig.parseDuration("SHUTDOWN_TIMEOUT", config.get("SHUTDOWN_TIMEOUT")).toSeconds();
    JsonNode preStop = c.at("/lifecycle/preStop/exec/command");
    assertThat(preStop.get(0).asText()).isEqualTo("sleep");
    long sleep = Long.parseLong(preStop.get(1).asText());
    assertThat(sleep).as("preStop sleep matches DRAIN_DELAY").isEqualTo(drain);
    assertThat(pod.path("terminationGracePeriodSeconds").asLong()).isGreaterThan(sleep + drain + shutdown);
    // Non-root, the image's user.
    Matcher user = Pattern.compile("(?m)^USER (\\d+):(\\d+)$").matcher(Files.readString(ROOT.resolve("Dockerfile")));
    assertThat(user.find()).isTrue();
    assertThat(pod.at("/securityContext/runAsUser").asText()).isEqualTo(user.group(1));
    assertThat(c.at("/securityContext/readOnlyRootFilesystem").asBoolean()).isTrue();
    assertThat(pod.path("automountServiceAccountToken").asBoolean(true)).isFalse();
    // Spread over nodes, selecting this Deployment's pods.
    assertThat(pod.path("topologySpreadConstraints").size()).isPositive();
    for (JsonNode t : pod.path("topologySpreadConstraints")) {
      assertThat(labels(deploy.at("/spec/template/metadata/labels")))
          .containsAllEntriesOf(labels(t.at("/labelSelector/matchLabels")));
    }
    // Prometheus annotations point at the app's /metrics on its management port, which no Service exposes (so
    // no Ingress can route to it).
    JsonNode ann = deploy.at("/spec/template/metadata/annotations");
    assertThat(ann.path("prometheus.io/scrape").asText()).isEqualTo("true");
    assertThat(ann.path("prometheus.io/port").asText()).isEqualTo(config.get("MANAGEMENT_PORT"))
        .isNotEqualTo(config.get("PORT"));
    assertThat(c.at("/ports/1/name").asText()).isEqualTo("management");
    assertThat(c.at("/ports/1/containerPort").asText()).isEqualTo(config.get("MANAGEMENT_PORT"));
    for (JsonNode o : objects.values()) {
      if (o.path("kind").asText().equals("Service")) {
        o.at("/spec/ports").forEach(p -> assertThat(p.path("targetPort").asText()).as("Service port")
            .isNotEqualTo("management").isNotEqualTo(config.get("MANAGEMENT_PORT")));
      }
    }
    // Trusted proxies: the ingress controller, never a whole private range.
    for (String cidr : config.get("TRUSTED_PROXIES").split(",")) {
      assertThat(Integer.parseInt(cidr.substring(cidr.indexOf('/') + 1))).as("TRUSTED_PROXIES %s", cidr)
          .isGreaterThanOrEqualTo(24);
    }
    assertThat(ann.path("prometheus.io/path").asText()).isEqualTo("/metrics");
    // HPA: the original's numbers.
    JsonNode hpa = objects.get("HorizontalPodAutoscaler/vtp-backend");
    assertThat(hpa.at("/spec/minReplicas").asInt()).isEqualTo(3);
    assertThat(hpa.at("/spec/maxReplicas").asInt()).isEqualTo(10);
    Map<String, Integer> targets = new HashMap<>();
    hpa.at("/spec/metrics").forEach(mt -> targets.put(mt.at("/resource/name").asText(),
        mt.at("/resource/target/averageUtilization").asInt()));
    assertThat(targets).containsEntry("cpu", 70).containsEntry("memory", 80);
    assertThat(hpa.at("/spec/behavior/scaleUp/policies").size()).isPositive();
    assertThat(hpa.at("/spec/behavior/scaleDown/stabilizationWindowSeconds").asInt()).isEqualTo(300);
    // An idle heap must stay under the memory target, or the HPA sits at its maximum.
    Matcher ram = Pattern.compile("MaxRAMPercentage=(\\d+)").matcher(config.get("JDK_JAVA_OPTIONS"));
    assertThat(ram.find()).isTrue();
    assertThat(Integer.parseInt(ram.group(1))).isLessThan(targets.get("memory"));
    assertThat(c.at("/resources/requests/memory").asText()).isEqualTo(c.at("/resources/limits/memory").asText());
    // PDB leaves the HPA's minimum minus one running.
    assertThat(objects.get("PodDisruptionBudget/vtp-backend").at("/spec/maxUnavailable").asInt()).isEqualTo(1);
    // WebSocket ingress: long timeouts, no buffering, on the app's /ws routes.
    JsonNode ws = objects.get("Ingress/vtp-ws");
    assertThat(ws.at("/metadata/annotations/nginx.ingress.kubernetes.io~1proxy-read-timeout").asInt())
        .isGreaterThanOrEqualTo(3600);
    assertThat(ws.at("/metadata/annotations/nginx.ingress.kubernetes.io~1proxy-buffering").asText()).isEqualTo("off");
    assertThat(ws.findValues("path").get(0).asText()).isEqualTo("/ws");
    // Stateful parts: PostgreSQL 15, Redis 7 with the append-only file.
    assertThat(objects.get("StatefulSet/postgres").at("/spec/template/spec/containers/0/image").asText())
        .startsWith("postgres:15");
    JsonNode redis = objects.get("StatefulSet/redis").at("/spec/template/spec/containers/0");
    assertThat(redis.path("image").asText()).startsWith("redis:7");
    assertThat(text(redis.path("args"))).contains("--appendonly yes");
  }

  @Test
  void k8s_backendEnvironmentIsAValidProductionConfigAndTheSecretTemplateIsRefused() throws IOException {
    Map<String, JsonNode> objects = k8sObjects(true);
    JsonNode c = objects.get("Deployment/vtp-backend").at("/spec/template/spec/containers/0");
    Map<String, String> env = new LinkedHashMap<>(strings(objects.get("ConfigMap/vtp-config").path("data")));
    Map<String, String> secret = strings(objects.get("Secret/vtp-secrets").path("stringData"));
    String redisPassword = hex(24);
    Map<String, String> generated = Map.of("JWT_SECRET", randomSecret(), "POSTGRES_PASSWORD",
        hex(24), "REDIS_PASSWORD", redisPassword, "JWT_SECRET_PREVIOUS", randomSecret());
    Set<String> helpers = Set.of("JDK_JAVA_OPTIONS", "POSTGRES_PASSWORD", "REDIS_PASSWORD");
    for (JsonNode e : c.path("env")) {
      String name = e.path("name").asText();
      String value;
      if (e.has("value")) {
        value = e.path("value").asText();
        Matcher ref = Pattern.compile("\\$\\(([A-Z_]+)\\)").matcher(value);
        while (ref.find()) {
          assertThat(env).as("$(%s) in %s must be defined earlier", ref.group(1), name).containsKey(ref.group(1));
          value = value.replace(ref.group(), env.get(ref.group(1)));
        }
      } else if (e.has("valueFrom") && e.at("/valueFrom/secretKeyRef").isObject()) {
        value = generated.get(e.at("/valueFrom/secretKeyRef/key").asText());
      } else {
        value = "vtp-backend-5d8f7c9b4-x2x7q"; // metadata.name of a pod
      }
      env.put(name, value);
    }
    for (String name : env.keySet()) {
      assertThat(union(APP_CONFIG_VARIABLES, helpers)).as("variable %s", name).contains(name);
    }
    Map<String, String> appEnv = new HashMap<>(env);
    appEnv.keySet().removeAll(helpers);
    AppConfig config = AppConfig.fromEnv(appEnv);
    assertThat(config.production()).isTrue();
    assertThat(config.instanceId()).startsWith("vtp-backend-");
    // Redis with the ACL user and the Secret's password; PostgreSQL over TLS; the previous secret for rotations.
    assertRedisRoles("k8s backend", config, redisPassword);
    assertThat(config.database().jdbcUrl()).contains("sslmode=require");
    assertThat(config.previousSecret()).isNotNull();
    assertThat(secret).containsKey("REDIS_PASSWORD");
    // The template's placeholder cannot run in production by mistake.
    appEnv.put("JWT_SECRET", secret.get("JWT_SECRET"));
    assertThatThrownBy(() -> AppConfig.fromEnv(appEnv)).isInstanceOf(ConfigException.class)
        .hasMessageContaining("JWT_SECRET");
  }

  @Test
  void k8s_redisRefusesClientsWithoutCredentials_andPostgresServesTls() throws IOException {
    Map<String, JsonNode> objects = k8sObjects(false);
    for (String name : List.of("StatefulSet/redis", "Deployment/redis-cache")) {
      JsonNode redis = objects.get(name).at("/spec/template/spec/containers/0");
      String start = text(redis.path("command")) + " " + text(redis.path("args"));
      assertRedisAcl(name, start);
      assertThat(start).doesNotContain(">$");
      assertThat(redis.findValues("secretKeyRef")).anySatisfy(ref -> assertThat(ref.path("key").asText())
          .isEqualTo("REDIS_PASSWORD"));
      for (String probe : List.of("readinessProbe", "livenessProbe")) {
        assertThat(text(redis.at("/" + probe + "/exec/command"))).as("%s %s", name, probe).contains("--user vtp")
            .contains("REDISCLI_AUTH").contains("grep -q PONG");
      }
    }
    JsonNode pg = objects.get("StatefulSet/postgres").at("/spec/template/spec");
    assertThat(text(pg.at("/containers/0/args"))).contains("ssl=on").contains("ssl_key_file=/tls/tls.key");
    assertThat(pg.path("volumes").findValues("secretName")).anySatisfy(n -> assertThat(n.asText())
        .isEqualTo("vtp-postgres-tls"));
  }

  @Test
  void k8s_networkPoliciesLetOnlyTheBackendsReachRedisAndPostgres() throws IOException {
    Map<String, JsonNode> objects = k8sObjects(false);
    List<JsonNode> policies = objects.values().stream()
        .filter(o -> o.path("kind").asText().equals("NetworkPolicy")).collect(Collectors.toList());
    Map<String, String> backend = labels(objects.get("Deployment/vtp-backend").at("/spec/template/metadata/labels"));
    // Every pod is covered by a policy, so anything not allowed below is refused.
    for (JsonNode o : objects.values()) {
      if (!Set.of("Deployment", "StatefulSet").contains(o.path("kind").asText())) {
        continue;
      }
      Map<String, String> pod = labels(o.at("/spec/template/metadata/labels"));
      assertThat(policies).as("a policy selects %s", o.at("/metadata/name").asText())
          .anyMatch(np -> pod.entrySet().containsAll(labels(np.at("/spec/podSelector/matchLabels")).entrySet())
              && text(np.at("/spec/policyTypes")).contains("Ingress"));
    }
    assertThat(policies).as("a default deny").anyMatch(np -> np.at("/spec/podSelector").size() == 0
        && np.at("/spec/ingress").isMissingNode());
    for (String[] target : new String[][] {{"StatefulSet/redis", "6379"}, {"Deployment/redis-cache", "6379"},
        {"StatefulSet/postgres", "5432"}}) {
      Map<String, String> pod = labels(objects.get(target[0]).at("/spec/template/metadata/labels"));
      List<JsonNode> rules = new ArrayList<>();
      for (JsonNode np : policies) {
        if (pod.entrySet().containsAll(labels(np.at("/spec/podSelector/matchLabels")).entrySet())) {
          np.at("/spec/ingress").forEach(rules::add);
        }
      }
      assertThat(rules).as("%s lets someone in", target[0]).isNotEmpty();
      for (JsonNode rule : rules) {
        assertThat(rule.path("from").size()).as("%s: a rule without 'from' admits everyone", target[0]).isPositive();
        for (JsonNode peer : rule.path("from")) {
          assertThat(peer.has("namespaceSelector") || peer.has("ipBlock")).as("%s: peers in this namespace only",
              target[0]).isFalse();
          assertThat(labels(peer.at("/podSelector/matchLabels"))).as("%s: only the backends", target[0])
              .isNotEmpty().isEqualTo(Map.of("app.kubernetes.io/name", backend.get("app.kubernetes.io/name")));
        }
        assertThat(text(rule.path("ports").findValues("port").get(0))).isEqualTo(target[1]);
        assertThat(rule.path("ports").size()).isEqualTo(1);
      }
    }
    // The backends: the ingress controller and Prometheus, on the app's port only.
    List<String> backendPeers = new ArrayList<>();
    for (JsonNode np : policies) {
      if (!backend.entrySet().containsAll(labels(np.at("/spec/podSelector/matchLabels")).entrySet())
          || labels(np.at("/spec/podSelector/matchLabels")).isEmpty()) {
        continue;
      }
      for (JsonNode rule : np.at("/spec/ingress")) {
        assertThat(rule.path("from").size()).isPositive();
        for (JsonNode peer : rule.path("from")) {
          backendPeers.add(labels(peer.at("/namespaceSelector/matchLabels")).get("kubernetes.io/metadata.name") + "/"
              + labels(peer.at("/podSelector/matchLabels")).get("app.kubernetes.io/name"));
        }
      }
    }
    assertThat(backendPeers).containsExactlyInAnyOrder("ingress-nginx/ingress-nginx", "monitoring/prometheus");
  }

  @Test
  void compose_redisRefusesClientsWithoutCredentials_andBackendsLogInAsTheAclUser() throws IOException {
    JsonNode services = compose().path("services");
    for (String name : List.of("redis", "redis-cache")) {
      JsonNode redis = services.get(name);
      assertRedisAcl(name, text(redis.path("command")));
      assertThat(text(redis.at("/healthcheck/test"))).as(name).contains("--user vtp").contains("REDISCLI_AUTH");
      assertThat(strings(redis.path("environment"))).as(name).containsKey("REDIS_PASSWORD");
    }
    Map<String, String> dotenv = dotenvExample();
    for (String b : COMPOSE_BACKENDS) {
      Map<String, String> env = strings(services.get(b).path("environment"));
      Map<String, String> resolved = new HashMap<>();
      env.forEach((k, v) -> resolved.put(k, substitute(v, dotenv)));
      AppConfig config = AppConfig.fromEnv(resolved);
      assertThat(config.redis().user()).as(b).isEqualTo("vtp");
      assertThat(config.redis().password()).as(b).isEqualTo(COMPOSE_REDIS_PASSWORD);
    }
  }

  @Test
  void compose_sessionRedisNeverEvicts_cacheRedisEvictsWithoutPersistence_andBackendsUseBoth() throws IOException {
    JsonNode services = compose().path("services");
    assertSessionRedis("compose redis", text(services.at("/redis/command")));
    assertThat(text(services.at("/redis/volumes"))).as("the session Redis keeps its data").contains(":/data");
    String cache = text(services.at("/redis-cache/command"));
    int maxmemoryMb = assertCacheRedis("compose redis-cache", cache);
    assertThat(services.at("/redis-cache/volumes").isMissingNode()).as("the cache Redis has no volume").isTrue();
    assertThat(memoryMb(services.at("/redis-cache/deploy/resources/limits/memory").asText()))
        .as("the cache container's memory limit leaves room above maxmemory").isGreaterThan(maxmemoryMb);
    Map<String, String> dotenv = dotenvExample();
    for (String b : COMPOSE_BACKENDS) {
      Map<String, String> resolved = new HashMap<>();
      strings(services.get(b).path("environment")).forEach((k, v) -> resolved.put(k, substitute(v, dotenv)));
      assertRedisRoles(b, AppConfig.fromEnv(resolved), COMPOSE_REDIS_PASSWORD);
    }
  }

  @Test
  void k8s_sessionRedisNeverEvicts_cacheRedisEvictsWithoutPersistence() throws IOException {
    Map<String, JsonNode> objects = k8sObjects(false);
    JsonNode session = objects.get("StatefulSet/redis").at("/spec/template/spec/containers/0");
    assertSessionRedis("k8s redis", text(session.path("command")) + " " + text(session.path("args")));
    JsonNode cacheDeployment = objects.get("Deployment/redis-cache");
    assertThat(cacheDeployment).as("Deployment/redis-cache").isNotNull();
    JsonNode cache = cacheDeployment.at("/spec/template/spec/containers/0");
    int maxmemoryMb = assertCacheRedis("k8s redis-cache", text(cache.path("command")) + " " + text(cache.path("args")));
    assertThat(memoryMb(cache.at("/resources/limits/memory").asText())).isGreaterThan(maxmemoryMb);
    // One cache at a time: two behind one Service would split connections and lose invalidations.
    assertThat(cacheDeployment.at("/spec/replicas").asInt()).isEqualTo(1);
    assertThat(cacheDeployment.at("/spec/strategy/type").asText()).isEqualTo("Recreate");
    for (JsonNode v : cacheDeployment.at("/spec/template/spec/volumes")) {
      assertThat(v.has("emptyDir")).as("the cache Redis persists nothing (volume %s)", v.path("name")).isTrue();
    }
    JsonNode svc = objects.get("Service/redis-cache");
    assertThat(labels(svc.at("/spec/selector"))).isEqualTo(labels(cacheDeployment.at("/spec/selector/matchLabels")));
    assertThat(svc.at("/spec/ports/0/port").asInt()).isEqualTo(6379);
  }

  @Test
  void k8s_connectionBudgetFitsAtTheHpaMaximumDuringARollout() throws IOException {
    Map<String, JsonNode> objects = k8sObjects(false);
    int maxReplicas = objects.get("HorizontalPodAutoscaler/vtp-backend").at("/spec/maxReplicas").asInt();
    int surge = objects.get("Deployment/vtp-backend").at("/spec/strategy/rollingUpdate/maxSurge").asInt();
    Map<String, String> config = strings(objects.get("ConfigMap/vtp-config").path("data"));
    int pool = Integer.parseInt(config.get("DB_MAX_OPEN_CONNS"));
    String args = text(objects.get("StatefulSet/postgres").at("/spec/template/spec/containers/0/args"));
    int maxConnections = pgSetting(args, "max_connections", 100);
    assertThat(pgSetting(args, "superuser_reserved_connections", 3)).isLessThanOrEqualTo(RESERVE);
    int needed = (maxReplicas + surge) * poolsPerInstance(config) * pool + RESERVE;
    assertThat(needed).as("(%d + %d surge) x %d + %d reserved <= max_connections %d", maxReplicas, surge, pool,
        RESERVE, maxConnections).isLessThanOrEqualTo(maxConnections);
    assertThat(Files.readString(DEPLOY.resolve("k8s/README.md"))).contains("Connection budget", "PgBouncer",
        "max_connections");
  }

  // ---------------------------------------------------------------- helpers

  private static final Pattern MAXMEMORY_POLICY = Pattern.compile("--maxmemory-policy\\s+(\\S+)");
  private static final Pattern MAXMEMORY_MB = Pattern.compile("--maxmemory\\s+(\\d+)mb");

  /**
   * The session Redis (sessions, limits, rooms): noeviction and nothing that evicts, append-only file on. Sessions
   * and counters carry TTLs, so any allkeys-* or volatile-* policy would evict them for the cache's sake.
   */
  static void assertSessionRedis(String where, String command) {
    List<String> policies = all(MAXMEMORY_POLICY, command);
    assertThat(policies).as("%s: one maxmemory-policy, noeviction", where).containsExactly("noeviction");
    assertThat(command).as("%s: no evicting policy anywhere", where).doesNotContain("allkeys-")
        .doesNotContain("volatile-");
    assertThat(command).as(where).contains("--appendonly yes");
    assertRedisAcl(where, command);
  }

  /** The cache Redis: allkeys-lru with a maxmemory, no RDB snapshots, no append-only file. Returns maxmemory in MB. */
  static int assertCacheRedis(String where, String command) {
    assertThat(all(MAXMEMORY_POLICY, command)).as("%s: maxmemory-policy", where).containsExactly("allkeys-lru");
    List<String> mb = all(MAXMEMORY_MB, command);
    assertThat(mb).as("%s: one --maxmemory <n>mb", where).hasSize(1);
    int maxmemory = Integer.parseInt(mb.get(0));
    assertThat(maxmemory).as("%s: maxmemory", where).isPositive();
    assertThat(command).as("%s: no persistence", where).contains("--save ''").contains("--appendonly no")
        .doesNotContain("--appendonly yes").doesNotContain("--appendfsync");
    assertRedisAcl(where, command);
    return maxmemory;
  }

  /** The ACL of both roles: the default user off (with every permission, for AOF replay), the app's user 'vtp'. */
  static void assertRedisAcl(String where, String command) {
    assertThat(command).as("%s: ACL", where).contains("user default off ~* &* +@all\\n").contains("user vtp on #")
        .contains("-@admin").contains("--aclfile");
  }

  /** A backend's two Redis roles: sessions on host redis, the cache on host redis-cache, both as 'vtp'. */
  static void assertRedisRoles(String where, AppConfig config, String password) {
    assertThat(config.redis().nodes()).as("%s REDIS_URL", where).containsExactly("redis:6379");
    assertThat(config.redisCache().nodes()).as("%s REDIS_CACHE_URL", where).containsExactly("redis-cache:6379");
    assertThat(config.separateCacheRedis()).as(where).isTrue();
    for (io.vtp.redis.RedisUrl url : List.of(config.redis(), config.redisCache())) {
      assertThat(url.user()).as("%s %s user", where, url).isEqualTo("vtp");
      assertThat(url.password()).as("%s %s password", where, url).isEqualTo(password);
    }
  }

  private static List<String> all(Pattern p, String text) {
    List<String> out = new ArrayList<>();
    Matcher m = p.matcher(text);
    while (m.find()) {
      out.add(m.group(1));
    }
    return out;
  }

  /** A compose or Kubernetes memory quantity (512M, 192Mi, 1G) in MB. */
  static int memoryMb(String quantity) {
    Matcher m = Pattern.compile("(\\d+)(M|Mi|G|Gi)").matcher(quantity);
    assertThat(m.matches()).as("memory quantity '%s'", quantity).isTrue();
    int n = Integer.parseInt(m.group(1));
    return m.group(2).startsWith("G") ? n * 1024 : n;
  }

  private static List<Path> yamlFiles() throws IOException {
    try (Stream<Path> s = Files.walk(DEPLOY)) {
      return s.filter(p -> !p.toString().contains("/.run/") && !p.toString().contains("/local/"))
          .filter(p -> p.toString().endsWith(".yml") || p.toString().endsWith(".yaml")).sorted()
          .collect(Collectors.toList());
    }
  }

  static List<JsonNode> docs(Path f) throws IOException {
    List<JsonNode> out = new ArrayList<>();
    try (var it = YAML.readerFor(JsonNode.class).<JsonNode>readValues(f.toFile())) {
      while (it.hasNext()) {
        JsonNode n = it.next();
        if (n != null && !n.isNull() && !n.isMissingNode()) {
          out.add(n);
        }
      }
    }
    return out;
  }

  private static JsonNode compose() throws IOException {
    return docs(DEPLOY.resolve("docker-compose.scaled.yml")).get(0);
  }

  /** Kubernetes objects by "Kind/name"; the Secret template is included when asked (it is not applied). */
  private static Map<String, JsonNode> k8sObjects(boolean withSecretTemplate) throws IOException {
    Map<String, JsonNode> objects = new LinkedHashMap<>();
    try (Stream<Path> s = Files.list(DEPLOY.resolve("k8s"))) {
      for (Path f : s.filter(p -> p.toString().endsWith(".yaml")).sorted().collect(Collectors.toList())) {
        if (f.endsWith("kustomization.yaml") || (!withSecretTemplate && f.endsWith("secret.example.yaml"))) {
          continue;
        }
        for (JsonNode o : docs(f)) {
          assertThat(o.path("apiVersion").asText()).as("apiVersion in %s", f).isNotBlank();
          assertThat(o.path("kind").asText()).as("kind in %s", f).isNotBlank();
          assertThat(o.at("/metadata/name").asText()).as("metadata.name in %s", f).isNotBlank();
          String key = o.path("kind").asText() + "/" + o.at("/metadata/name").asText();
          assertThat(objects.put(key, o)).as("%s defined twice", key).isNull();
        }
      }
    }
    return objects;
  }

  private static boolean selects(Map<String, JsonNode> objects, JsonNode selector) {
    Map<String, String> want = labels(selector);
    return !want.isEmpty() && objects.values().stream()
        .filter(o -> Set.of("Deployment", "StatefulSet").contains(o.path("kind").asText()))
        .anyMatch(o -> labels(o.at("/spec/template/metadata/labels")).entrySet().containsAll(want.entrySet()));
  }

  private static Set<String> containerPortNames(Map<String, JsonNode> objects, JsonNode selector) {
    Map<String, String> want = labels(selector);
    Set<String> names = new TreeSet<>();
    objects.values().stream().filter(o -> Set.of("Deployment", "StatefulSet").contains(o.path("kind").asText()))
        .filter(o -> labels(o.at("/spec/template/metadata/labels")).entrySet().containsAll(want.entrySet()))
        .forEach(o -> o.at("/spec/template/spec/containers").forEach(c -> c.path("ports")
            .forEach(p -> names.add(p.path("name").asText()))));
    return names;
  }

  private static Map<String, String> labels(JsonNode node) {
    return strings(node);
  }

  static Map<String, String> strings(JsonNode node) {
    Map<String, String> out = new LinkedHashMap<>();
    node.properties().forEach(e -> out.put(e.getKey(), e.getValue().asText()));
    return out;
  }

  static List<String> names(JsonNode node) {
    List<String> out = new ArrayList<>();
    node.fieldNames().forEachRemaining(out::add);
    return out;
  }

  /** A scalar as text, a sequence joined by spaces. */
  static String text(JsonNode node) {
    if (node.isArray()) {
      List<String> parts = new ArrayList<>();
      node.forEach(n -> parts.add(n.asText()));
      return String.join(" ", parts);
    }
    return node.asText();
  }

  private static List<String> lines(String text, String prefix) {
    return text.lines().filter(l -> l.startsWith(prefix)).collect(Collectors.toList());
  }

  private static Set<String> union(Set<String> a, Set<String> b) {
    Set<String> out = new TreeSet<>(a);
    out.addAll(b);
    return out;
  }

  static int pgSetting(String command, String name, int defaultValue) {
    Matcher m = Pattern.compile(name + "=(\\d+)").matcher(command);
    return m.find() ? Integer.parseInt(m.group(1)) : defaultValue;
  }

  /** A replica (READ_DATABASE_URL) opens a second pool per instance. */
  static int poolsPerInstance(Map<String, String> env) {
    return env.containsKey("READ_DATABASE_URL") ? 2 : 1;
  }

  private static Map<String, String> dotenvExample() throws IOException {
    Map<String, String> out = new LinkedHashMap<>();
    for (String line : Files.readAllLines(DEPLOY.resolve(".env.example"))) {
      String l = line.trim();
      if (l.isEmpty() || l.startsWith("#")) {
        continue;
      }
      int eq = l.indexOf('=');
      assertThat(eq).as(".env.example line '%s'", l).isPositive();
      out.put(l.substring(0, eq), l.substring(eq + 1));
    }
    return out;
  }

  /**
   * Compose interpolation of ${VAR}, ${VAR:-default} and ${VAR:?error} from the .env.example values, with the
   * secrets it leaves empty generated the way it tells the operator to.
   */
  private static String substitute(String value, Map<String, String> dotenv) {
    Map<String, String> vars = new HashMap<>(dotenv);
    vars.put("JWT_SECRET", randomSecret());
    vars.put("POSTGRES_PASSWORD", hex(24));
    vars.put("REDIS_PASSWORD", COMPOSE_REDIS_PASSWORD);
    vars.put("GRAFANA_PASSWORD", hex(16));
    Matcher m = Pattern.compile("\\$\\{([A-Z_]+)(?:(:-|:\\?)([^}]*))?}").matcher(value);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String v = vars.get(m.group(1));
      if (v == null || v.isEmpty()) {
        if (":-".equals(m.group(2))) {
          v = m.group(3);
        } else {
          fail("compose variable " + m.group(1) + " has no value and no default");
        }
      }
      m.appendReplacement(out, Matcher.quoteReplacement(v));
    }
    m.appendTail(out);
    return out.toString();
  }

  static String hex(int bytes) {
    byte[] b = new byte[bytes];
    new SecureRandom().nextBytes(b);
    return HexFormat.of().formatHex(b);
  }

  static String randomSecret() {
    byte[] b = new byte[48];
    new SecureRandom().nextBytes(b);
    return Base64.getEncoder().encodeToString(b);
  }

  private static final Set<String> PROMQL_WORDS = Set.of("by", "without", "on", "ignoring", "group_left",
      "group_right", "offset", "bool", "and", "or", "unless", "inf", "nan");

  /** Metric names in a PromQL expression: identifiers that are not functions, keywords, labels or durations. */
  static Set<String> metricNames(String expr) {
    String e = expr.replaceAll("label_values\\(\\s*([^,]+),\\s*\\w+\\s*\\)", "$1");
    e = e.replaceAll("\\{[^}]*}", " ").replaceAll("\\[[^]]*]", " ").replaceAll("\"[^\"]*\"", " ");
    e = e.replaceAll("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", " ");
    Set<String> out = new TreeSet<>();
    Matcher m = Pattern.compile("(?<![\\w.$])([a-zA-Z_:][\\w:]*)(\\s*\\()?").matcher(e);
    while (m.find()) {
      if (m.group(2) == null && !PROMQL_WORDS.contains(m.group(1).toLowerCase(java.util.Locale.ROOT))) {
        out.add(m.group(1));
      }
    }
    return out;
  }

  private static List<String> modules() throws IOException {
    List<String> out = new ArrayList<>();
    Matcher m = Pattern.compile("<module>([^<]+)</module>").matcher(Files.readString(ROOT.resolve("pom.xml")));
    while (m.find()) {
      out.add(m.group(1));
    }
    assertThat(out).contains("vtp-app");
    return out;
  }

  /** Whether a .dockerignore (patterns without '!') excludes a path: the path or one of its parents matches. */
  private static boolean ignored(List<String> patterns, String path) {
    for (String p : patterns) {
      List<PathMatcher> matchers = new ArrayList<>();
      matchers.add(FileSystems.getDefault().getPathMatcher("glob:" + p));
      if (p.startsWith("**/")) {
        matchers.add(FileSystems.getDefault().getPathMatcher("glob:" + p.substring(3)));
      }
      Path candidate = Path.of(path);
      for (Path q = candidate; q != null; q = q.getParent()) {
        for (PathMatcher pm : matchers) {
          if (pm.matches(q)) {
            return true;
          }
        }
      }
    }
    return false;
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  static String promtool() {
    for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
      if (Files.isExecutable(Path.of(dir, "promtool"))) {
        return Path.of(dir, "promtool").toString();
      }
    }
    if (Files.isExecutable(Path.of("/usr/bin/promtool"))) {
      return "/usr/bin/promtool";
    }
    fail("promtool is missing: install Debian's prometheus package (apt-get install prometheus); bin/test installs "
        + "it (promtool:prometheus in bin/lib.sh)");
    return null;
  }

  record Result(int exit, String output) {}

  static Result run(List<String> command, int timeoutSeconds) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).directory(ROOT.toFile()).redirectErrorStream(true).start();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      fail(String.join(" ", command) + " took over " + timeoutSeconds + " s");
    }
    Result r = new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    if (command.get(0).endsWith(".sh") && r.exit != 0) {
      fail(String.join(" ", command) + " exited " + r.exit + ":\n" + r.output);
    }
    return r;
  }

  private static void expectSuccess(Result r) {
    assertThat(r.exit).as("promtool:\n%s", r.output).isZero();
  }
}
