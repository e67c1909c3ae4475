package io.vtp.system;

import static io.vtp.system.DeploymentManifestsTest.APP_CONFIG_VARIABLES;
import static io.vtp.system.DeploymentManifestsTest.DEPLOY;
import static io.vtp.system.DeploymentManifestsTest.RESERVE;
import static io.vtp.system.DeploymentManifestsTest.ROOT;
import static io.vtp.system.DeploymentManifestsTest.assertCacheRedis;
import static io.vtp.system.DeploymentManifestsTest.assertRedisRoles;
import static io.vtp.system.DeploymentManifestsTest.assertSessionRedis;
import static io.vtp.system.DeploymentManifestsTest.docs;
import static io.vtp.system.DeploymentManifestsTest.memoryMb;
import static io.vtp.system.DeploymentManifestsTest.names;
import static io.vtp.system.DeploymentManifestsTest.pgSetting;
import static io.vtp.system.DeploymentManifestsTest.poolsPerInstance;
import static io.vtp.system.DeploymentManifestsTest.strings;
import static io.vtp.system.DeploymentManifestsTest.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import io.vtp.app.config.AppConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Static checks of the Docker Swarm stack {@code deployment/swarm/vtp-stack.yml} (no Docker engine here): the one
 * replicated {@code vtp-backend} service, its update and rollback policy against the app's drain, its secrets
 * (external, read through the app's {@code *_FILE} variables, and generated consistently by
 * {@code create-secrets.sh}), both Redis roles, nginx finding the tasks through Swarm's DNS ({@code nginx -t}), the
 * Prometheus configuration ({@code promtool}) and the connection budget at the documented maximum replica count.
 */
class SwarmStackTest {
  private static final Path SWARM = DEPLOY.resolve("swarm");
  private static final String BACKEND = "vtp-backend";
  /** A task name as Swarm makes it for the stack 'vtp': stack_service.slot.taskid. */
  private static final String TASK_NAME = "vtp_vtp-backend.1.q1w2e3r4t5y6u7i8o9p0a1s2d";

  // ---------------------------------------------------------------- the backend service

  @Test
  void backend_isOneReplicatedServiceWhoseUpdatesDrainAndRollBack() throws IOException {
    JsonNode services = stack().path("services");
    assertThat(names(services)).containsExactlyInAnyOrder("nginx", BACKEND, "postgres", "redis", "redis-cache",
        "prometheus");
    JsonNode b = services.get(BACKEND);
    JsonNode deploy = b.path("deploy");
    assertThat(deploy.path("mode").asText("replicated")).isEqualTo("replicated");
    assertThat(deploy.path("replicas").asInt()).isBetween(2, maxReplicas());
    // One task at a time, spaced, watched, rolled back when a new task fails.
    JsonNode update = deploy.path("update_config");
    assertThat(update.path("parallelism").asInt()).isEqualTo(1);
    assertThat(seconds(update.path("delay").asText())).isPositive();
    assertThat(update.path("failure_action").asText()).isEqualTo("rollback");
    assertThat(update.path("order").asText()).isIn("start-first", "stop-first");
    assertThat(update.path("max_failure_ratio").asInt(-1)).isZero();
    JsonNode health = b.path("healthcheck");
    long firstVerdict = seconds(health.path("interval").asText()) * health.path("retries").asInt();
    assertThat(seconds(update.path("monitor").asText())).as("monitor outlasts a failing health check's verdict")
        .isGreaterThanOrEqualTo(firstVerdict);
    JsonNode rollback = deploy.path("rollback_config");
    assertThat(rollback.path("parallelism").asInt()).isEqualTo(1);
    assertThat(rollback.path("order").asText()).isEqualTo(update.path("order").asText());
    assertThat(rollback.path("failure_action").asText()).isEqualTo("pause");
    // Drain: SIGKILL only after the app's own drain (DRAIN_DELAY, then SHUTDOWN_TIMEOUT), and the drain outlasts the
    // time nginx may still hold a stopping task's address (the resolver's valid=).
    Map<String, String> env = strings(b.path("environment"));
    Duration drain = AppConfig.parseDuration("DRAIN_DELAY", env.get("DRAIN_DELAY"));
    Duration shutdown = AppConfig.parseDuration("SHUTDOWN_TIMEOUT", env.get("SHUTDOWN_TIMEOUT"));
    assertThat(seconds(b.path("stop_grace_period").asText())).as("stop_grace_period > DRAIN_DELAY + SHUTDOWN_TIMEOUT")
        .isGreaterThan(drain.plus(shutdown).toSeconds());
    Matcher valid = Pattern.compile("resolver 127\\.0\\.0\\.11 valid=(\\d+)s").matcher(nginxConf());
    assertThat(valid.find()).isTrue();
    assertThat(drain.toSeconds()).as("DRAIN_DELAY > nginx's DNS validity").isGreaterThan(Long.parseLong(valid.group(1)));
    // Health: readiness through the app's own probe, exactly as compose's backends.
    JsonNode composeBackend = docs(DEPLOY.resolve("docker-compose.scaled.yml")).get(0).at("/services/backend1");
    assertThat(text(health.path("test"))).contains("io.vtp.app.HealthProbe", "/health/ready")
        .isEqualTo(text(composeBackend.at("/healthcheck/test")));
    assertThat(seconds(health.path("start_period").asText())).isPositive();
    // Unique per task even while a start-first update runs a slot's old and new task side by side.
    assertThat(env.get("INSTANCE_ID")).isIn("{{.Task.Name}}", "{{.Task.ID}}");
    // Swarm ignores build and depends_on; the stack must not pretend otherwise. Every service is bounded and probed.
    for (String name : names(services)) {
      JsonNode s = services.get(name);
      assertThat(s.has("build") || s.has("depends_on") || s.has("container_name")).as(name).isFalse();
      assertThat(s.at("/healthcheck/test").size()).as("%s healthcheck", name).isGreaterThan(1);
      assertThat(s.at("/deploy/resources/limits/memory").asText()).as("%s memory limit", name).isNotEmpty();
    }
    assertThat(b.at("/deploy/resources/limits/memory").asText()).isEqualTo(
        composeBackend.at("/deploy/resources/limits/memory").asText());
  }

  @Test
  void backend_connectionBudgetFitsAtTheDocumentedMaximumReplicas() throws IOException {
    JsonNode services = stack().path("services");
    JsonNode update = services.at("/" + BACKEND + "/deploy/update_config");
    int max = maxReplicas();
    // start-first runs `parallelism` extra tasks while an update replaces them.
    int surge = update.path("order").asText().equals("start-first") ? update.path("parallelism").asInt() : 0;
    Map<String, String> env = strings(services.at("/" + BACKEND + "/environment"));
    int pool = Integer.parseInt(env.get("DB_MAX_OPEN_CONNS"));
    String pg = text(services.at("/postgres/command"));
    int maxConnections = pgSetting(pg, "max_connections", 100);
    assertThat(pgSetting(pg, "superuser_reserved_connections", 3)).isLessThanOrEqualTo(RESERVE);
    int needed = (max + surge) * poolsPerInstance(env) * pool + RESERVE;
    assertThat(needed).as("(%d + %d) x %d + %d <= max_connections %d", max, surge, pool, RESERVE, maxConnections)
        .isLessThanOrEqualTo(maxConnections);
    // The documented numbers are these numbers.
    String formula = "(max replicas " + max + " + " + surge + ") x " + pool + " + " + RESERVE + " reserved = " + needed
        + " <= max_connections " + maxConnections;
    assertThat(Files.readString(SWARM.resolve("README.md"))).contains(formula, "io.vtp.max-replicas");
    assertThat(Files.readString(SWARM.resolve("vtp-stack.yml"))).contains("(io.vtp.max-replicas " + max + " + "
        + surge + " started first during an update) x DB_MAX_OPEN_CONNS " + pool);
  }

  // ---------------------------------------------------------------- secrets

  @Test
  void secrets_areExternalFilesTheAppReads_andCreateSecretsMakesAValidProductionConfig(@TempDir Path tmp)
      throws Exception {
    JsonNode stack = stack();
    JsonNode declared = stack.path("secrets");
    assertThat(names(declared)).isNotEmpty();
    for (String name : names(declared)) {
      assertThat(declared.at("/" + name + "/external").asBoolean()).as("secret %s is external", name).isTrue();
      assertThat(declared.get(name).has("file")).as("secret %s comes from no committed file", name).isFalse();
    }
    // Every mounted secret is declared, and every declared one is used.
    Set<String> used = new TreeSet<>();
    Map<String, Map<String, Mount>> mounts = new LinkedHashMap<>();
    for (String service : names(stack.path("services"))) {
      Map<String, Mount> byPath = new LinkedHashMap<>();
      for (JsonNode m : stack.at("/services/" + service + "/secrets")) {
        String source = m.isTextual() ? m.asText() : m.path("source").asText();
        String target = m.isTextual() ? source : m.path("target").asText(source);
        assertThat(names(declared)).as("%s mounts %s", service, source).contains(source);
        used.add(source);
        byPath.put("/run/secrets/" + target, new Mount(source, m.path("uid").asText("0")));
      }
      mounts.put(service, byPath);
    }
    assertThat(used).containsExactlyInAnyOrderElementsOf(names(declared));

    // The backend: no secret in its environment, only *_FILE variables the app reads, naming mounted secrets that
    // the image's user owns.
    Map<String, String> env = strings(stack.at("/services/" + BACKEND + "/environment"));
    Set<String> fileVariables = new TreeSet<>();
    AppConfig.FILE_VARIABLES.forEach(v -> fileVariables.add(v + "_FILE"));
    for (String name : env.keySet()) {
      assertThat(AppConfig.FILE_VARIABLES).as("%s must come from a file", name).doesNotContain(name);
      assertThat(union(APP_CONFIG_VARIABLES, fileVariables)).as("variable %s", name).contains(name);
    }
    Matcher user = Pattern.compile("(?m)^USER (\\d+):(\\d+)$").matcher(Files.readString(ROOT.resolve("Dockerfile")));
    assertThat(user.find()).isTrue();
    Map<String, Mount> backendMounts = mounts.get(BACKEND);
    List<String> backendFiles = new ArrayList<>();
    env.forEach((name, value) -> {
      if (name.endsWith("_FILE")) {
        assertThat(backendMounts).as("%s=%s is a secret mounted in %s", name, value, BACKEND).containsKey(value);
        assertThat(backendMounts.get(value).uid()).as("%s readable by the image's user", name)
            .isEqualTo(user.group(1));
        backendFiles.add(name);
      }
    });
    assertThat(backendFiles).contains("JWT_SECRET_FILE", "DATABASE_URL_FILE", "REDIS_URL_FILE",
        "REDIS_CACHE_URL_FILE");

    // create-secrets.sh against a stand-in for the docker CLI that keeps what it is given: the six secrets, made
    // from one value per password, give the backend a valid production configuration with both Redis roles.
    Path store = Files.createDirectories(tmp.resolve("secrets"));
    Path bin = Files.createDirectories(tmp.resolve("bin"));
    Path docker = bin.resolve("docker");
    Files.writeString(docker, String.join("\n", "#!/bin/sh", "dir=\"$FAKE_SWARM_SECRETS\"", "case \"$1 $2\" in",
        "  'secret inspect') test -f \"$dir/$3\" ;;",
        "  'secret create') test \"$4\" = - && ! test -f \"$dir/$3\" && cat > \"$dir/$3\" && echo fake-id ;;",
        "  *) echo \"unexpected: $*\" >&2; exit 3 ;;", "esac", ""));
    Files.setPosixFilePermissions(docker, PosixFilePermissions.fromString("rwxr-xr-x"));
    DeploymentManifestsTest.Result made = createSecrets(bin, store);
    assertThat(made.exit()).as(made.output()).isZero();
    assertThat(made.output()).doesNotContain(Files.readString(store.resolve("vtp_redis_password")));
    try (var files = Files.list(store)) {
      assertThat(files.map(f -> f.getFileName().toString())).containsExactlyInAnyOrderElementsOf(names(declared));
    }
    Map<String, String> appEnv = new HashMap<>();
    env.forEach((name, value) -> appEnv.put(name, name.endsWith("_FILE")
        ? store.resolve(backendMounts.get(value).source()).toString() : resolve(value)));
    appEnv.put("INSTANCE_ID", env.get("INSTANCE_ID").replace("{{.Task.Name}}", TASK_NAME));
    AppConfig config = AppConfig.fromEnv(appEnv);
    assertThat(config.production()).isTrue();
    assertThat(config.instanceId()).isEqualTo(TASK_NAME);
    assertRedisRoles("swarm " + BACKEND, config, Files.readString(store.resolve("vtp_redis_password")));
    assertThat(config.database().password()).isEqualTo(Files.readString(store.resolve("vtp_postgres_password")));
    assertThat(config.database().jdbcUrl()).contains("//postgres:5432/");
    // PostgreSQL and both Redis servers read the bare passwords from the same secrets.
    assertThat(strings(stack.at("/services/postgres/environment")).get("POSTGRES_PASSWORD_FILE"))
        .isIn(mounts.get("postgres").keySet());
    assertThat(mounts.get("postgres").get("/run/secrets/vtp_postgres_password").source())
        .isEqualTo("vtp_postgres_password");
    for (String redis : List.of("redis", "redis-cache")) {
      assertThat(text(stack.at("/services/" + redis + "/command"))).contains("cat /run/secrets/vtp_redis_password");
      assertThat(mounts.get(redis)).containsKey("/run/secrets/vtp_redis_password");
    }
    // A second run refuses: the set exists already, nothing is overwritten.
    DeploymentManifestsTest.Result again = createSecrets(bin, store);
    assertThat(again.exit()).isNotZero();
    assertThat(again.output()).contains("exists already");
  }

  // ---------------------------------------------------------------- Redis roles

  @Test
  void redis_sessionRedisNeverEvicts_cacheRedisEvictsWithoutPersistence() throws IOException {
    JsonNode services = stack().path("services");
    assertSessionRedis("swarm redis", text(services.at("/redis/command")));
    assertThat(text(services.at("/redis/volumes"))).contains("redis-data:/data");
    int maxmemory = assertCacheRedis("swarm redis-cache", text(services.at("/redis-cache/command")));
    assertThat(services.at("/redis-cache/volumes").isMissingNode()).as("the cache Redis has no volume").isTrue();
    assertThat(memoryMb(services.at("/redis-cache/deploy/resources/limits/memory").asText())).isGreaterThan(maxmemory);
    for (String name : List.of("redis", "redis-cache")) {
      JsonNode s = services.get(name);
      // Never two at once: one append-only file; one cache behind one virtual IP.
      assertThat(s.at("/deploy/replicas").asInt()).as(name).isEqualTo(1);
      assertThat(s.at("/deploy/update_config/order").asText()).as(name).isEqualTo("stop-first");
      assertThat(text(s.at("/healthcheck/test"))).as(name).contains("--user vtp", "REDISCLI_AUTH", "grep -q PONG");
      assertThat(text(s.path("networks"))).as(name).isEqualTo("data");
    }
  }

  // ---------------------------------------------------------------- nginx, networks, Prometheus

  @Test
  void nginx_findsEveryTaskThroughSwarmDns_isAFreshRender_andPassesNginxT(@TempDir Path tmp) throws Exception {
    Path fresh = tmp.resolve("nginx.swarm.conf");
    DeploymentManifestsTest.Result r = DeploymentManifestsTest.run(List.of(SWARM.resolve("render-nginx.sh").toString(),
        fresh.toString()), 60);
    assertThat(Files.readString(fresh))
        .as("deployment/swarm/nginx.swarm.conf is stale: run deployment/swarm/render-nginx.sh and commit it")
        .isEqualTo(nginxConf());
    String conf = nginxConf();
    JsonNode services = stack().path("services");
    String port = strings(services.at("/" + BACKEND + "/environment")).get("PORT");
    // Both upstreams: every task (tasks.<service>), re-resolved through Docker's DNS while nginx runs.
    List<String> servers = new ArrayList<>();
    Matcher m = Pattern.compile("server (\\S+) resolve max_fails").matcher(conf);
    while (m.find()) {
      servers.add(m.group(1));
    }
    assertThat(servers).containsExactly("tasks." + BACKEND + ":" + port, "tasks." + BACKEND + ":" + port);
    assertThat(conf.split("resolver 127\\.0\\.0\\.11 ", -1)).hasSize(3);
    // `resolve` in an upstream needs nginx 1.27.3 or later.
    Matcher version = Pattern.compile("nginx:(\\d+)\\.(\\d+)(?:\\.(\\d+))?-alpine")
        .matcher(services.at("/nginx/image").asText());
    assertThat(version.matches()).as(services.at("/nginx/image").asText()).isTrue();
    int[] v = {Integer.parseInt(version.group(1)), Integer.parseInt(version.group(2)),
        version.group(3) == null ? 99 : Integer.parseInt(version.group(3))};
    assertThat(v[0] > 1 || v[1] > 27 || (v[1] == 27 && v[2] >= 3)).as("nginx >= 1.27.3").isTrue();
    // nginx reads the committed file as a Swarm config, at the path its command names; host-mode port (client IPs).
    JsonNode config = services.at("/nginx/configs/0");
    assertThat(text(services.at("/nginx/command"))).contains("-c " + config.path("target").asText());
    assertThat(SWARM.resolve(stack().at("/configs/" + config.path("source").asText() + "/file").asText()).normalize())
        .isEqualTo(SWARM.resolve("nginx.swarm.conf"));
    assertThat(services.at("/nginx/ports/0/mode").asText()).isEqualTo("host");
    assertThat(conf).contains("listen 0.0.0.0:" + services.at("/nginx/ports/0/target").asText() + " ");
    // nginx -t with the parts this machine's nginx (1.22) predates removed and the tasks replaced by a loopback port.
    String local = conf.replaceAll("(?m)^\\s*resolver 127\\.0\\.0\\.11 .*;\\n", "").replace(" resolve ", " ")
        .replace("tasks." + BACKEND + ":" + port, "127.0.0.1:" + DeploymentManifestsTest.freePort());
    Path run = Files.createDirectories(tmp.resolve("run"));
    Path logs = Files.createDirectories(tmp.resolve("logs"));
    local = local.replace("/var/cache/nginx", run.toString()).replace("/var/log/nginx", logs.toString());
    assertThat(local).doesNotContain("tasks.", "resolve", "/var/cache/nginx");
    Path copy = tmp.resolve("nginx.conf");
    Files.writeString(copy, local);
    String nginx = Files.exists(Path.of("/usr/sbin/nginx")) ? "/usr/sbin/nginx" : "nginx";
    r = DeploymentManifestsTest.run(List.of(nginx, "-t", "-e", logs.resolve("startup.log").toString(), "-c",
        copy.toString()), 30);
    assertThat(r.exit()).as("nginx -t on the swarm config:\n%s", r.output()).isZero();
  }

  @Test
  void networks_onlyNginxMayForwardClientAddresses_andStatefulServicesStayInside() throws IOException {
    JsonNode stack = stack();
    JsonNode services = stack.path("services");
    Map<String, List<String>> members = new LinkedHashMap<>();
    for (String name : names(services)) {
      services.get(name).path("networks").forEach(n -> members.computeIfAbsent(n.asText(), k -> new ArrayList<>())
          .add(name));
    }
    // TRUSTED_PROXIES is exactly the edge network, and only nginx and the backends are on it.
    String edgeSubnet = stack.at("/networks/edge/ipam/config/0/subnet").asText();
    assertThat(strings(services.at("/" + BACKEND + "/environment")).get("TRUSTED_PROXIES")).isEqualTo(edgeSubnet);
    assertThat(members.get("edge")).containsExactlyInAnyOrder("nginx", BACKEND);
    assertThat(stack.at("/networks/edge/attachable").asBoolean(false)).isFalse();
    for (String network : names(stack.path("networks"))) {
      assertThat(stack.at("/networks/" + network + "/driver").asText()).isEqualTo("overlay");
      // Plain text to PostgreSQL (DATABASE_ALLOW_PLAINTEXT) is only acceptable on an encrypted overlay.
      assertThat(stack.at("/networks/" + network + "/driver_opts/encrypted").asText()).as(network).isEqualTo("true");
    }
    assertThat(members.get("data")).containsExactlyInAnyOrder(BACKEND, "postgres", "redis", "redis-cache");
    assertThat(stack.at("/networks/data/internal").asBoolean()).isTrue();
    // Only nginx publishes a port.
    for (String name : names(services)) {
      assertThat(services.get(name).has("ports")).as("%s publishes", name).isEqualTo(name.equals("nginx"));
    }
  }

  @Test
  void prometheus_discoversEveryTaskOnTheManagementPort_andPassesPromtool(@TempDir Path tmp) throws Exception {
    JsonNode stack = stack();
    Map<String, Path> files = new LinkedHashMap<>();
    for (JsonNode c : stack.at("/services/prometheus/configs")) {
      Path file = SWARM.resolve(stack.at("/configs/" + c.path("source").asText() + "/file").asText()).normalize();
      assertThat(file).exists();
      files.put(c.path("target").asText(), file);
    }
    assertThat(files).containsOnlyKeys("/etc/prometheus/prometheus.yml", "/etc/prometheus/alerts.yml");
    assertThat(files.get("/etc/prometheus/alerts.yml")).isEqualTo(DEPLOY.resolve("prometheus/alerts.yml"));
    JsonNode prom = docs(files.get("/etc/prometheus/prometheus.yml")).get(0);
    JsonNode job = prom.at("/scrape_configs/0");
    assertThat(job.path("job_name").asText()).as("the job name the alert rules expect").isEqualTo(BACKEND);
    assertThat(text(job.at("/dns_sd_configs/0/names"))).isEqualTo("tasks." + BACKEND);
    assertThat(job.at("/dns_sd_configs/0/port").asText())
        .isEqualTo(strings(stack.at("/services/" + BACKEND + "/environment")).get("MANAGEMENT_PORT"));
    Files.copy(files.get("/etc/prometheus/prometheus.yml"), tmp.resolve("prometheus.yml"));
    Files.copy(files.get("/etc/prometheus/alerts.yml"), tmp.resolve("alerts.yml"));
    DeploymentManifestsTest.Result r = DeploymentManifestsTest.run(List.of(DeploymentManifestsTest.promtool(),
        "check", "config", tmp.resolve("prometheus.yml").toString()), 60);
    assertThat(r.exit()).as("promtool:\n%s", r.output()).isZero();
  }

  // ---------------------------------------------------------------- helpers

  private record Mount(String source, String uid) {}

  private static JsonNode stack() throws IOException {
    return docs(SWARM.resolve("vtp-stack.yml")).get(0);
  }

  private static String nginxConf() throws IOException {
    return Files.readString(SWARM.resolve("nginx.swarm.conf"));
  }

  private static int maxReplicas() throws IOException {
    String label = stack().at("/services/" + BACKEND + "/deploy/labels/io.vtp.max-replicas").asText();
    assertThat(label).as("deploy.labels io.vtp.max-replicas documents the largest replica count").matches("\\d+");
    return Integer.parseInt(label);
  }

  /** A compose duration (10s, 1m30s, 60s) in seconds. */
  private static long seconds(String duration) {
    Matcher m = Pattern.compile("(?:(\\d+)m)?(?:(\\d+)s)?").matcher(duration);
    if (duration.isEmpty() || !m.matches()) {
      fail("not a duration: '" + duration + "'");
    }
    return (m.group(1) == null ? 0 : Long.parseLong(m.group(1)) * 60) + (m.group(2) == null ? 0
        : Long.parseLong(m.group(2)));
  }

  /** docker stack deploy's interpolation with an empty shell: ${VAR:-default} gives the default. */
  private static String resolve(String value) {
    Matcher m = Pattern.compile("\\$\\{([A-Z_]+)(?::-([^}]*))?}").matcher(value);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      if (m.group(2) == null) {
        fail("stack variable " + m.group(1) + " has no default in a backend's environment");
      }
      m.appendReplacement(out, Matcher.quoteReplacement(m.group(2)));
    }
    m.appendTail(out);
    return out.toString();
  }

  private static DeploymentManifestsTest.Result createSecrets(Path bin, Path store) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(SWARM.resolve("create-secrets.sh").toString()).redirectErrorStream(true);
    pb.environment().put("PATH", bin + ":" + System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
    pb.environment().put("FAKE_SWARM_SECRETS", store.toString());
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      fail("create-secrets.sh took over 60 s");
    }
    return new DeploymentManifestsTest.Result(p.exitValue(), out);
  }

  private static Set<String> union(Set<String> a, Set<String> b) {
    Set<String> out = new TreeSet<>(a);
    out.addAll(b);
    return out;
  }
}
