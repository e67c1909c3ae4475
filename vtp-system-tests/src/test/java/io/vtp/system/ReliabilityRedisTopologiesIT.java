package io.vtp.system;

import static io.vtp.system.Faults.ms;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vtp.loadgen.OpenLoopLoad;
import io.vtp.system.ReliabilityReport.Row;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Scenarios 11 and 12 of the reliability suite: the app against Redis Sentinel (a master, a replica and three
 * sentinels this test starts on ports 30480-30484 with {@code redis-server --sentinel}, which Debian's
 * redis-server has built in; the deployment pointed at them with {@code VTP_REDIS_URL}) and against {@code vtp up --redis-cluster}; each with its own 2-instance deployment on its own port block, stopped
 * (and every Redis process this test started, by pid) even when the scenario fails.
 */
class ReliabilityRedisTopologiesIT {
  private static final int N = 2;
  private static final String TEACHER = "teacher@vtp.local";
  private static final String STUDENT = "student@vtp.local";

  // ---------- 11: Sentinel failover ----------

  @Test
  void s11_sentinelFailover_appFollowsNewMaster_sessionsLostMeanRelogin() throws Exception {
    Path dir = Files.createTempDirectory("vtp-reliability-sentinel-");
    int master = 30480;
    int replica = 30481;
    List<Process> redis = new ArrayList<>();
    Deployment d = new Deployment(Files.createTempDirectory("vtp-reliability-it-sentinel-"), 30400);
    try {
      redis.add(server(dir, "master", master));
      redis.add(server(dir, "replica", replica, "--replicaof", "127.0.0.1", Integer.toString(master)));
      // The replica's link first, the sentinels after: a sentinel lists a master's replicas from the master's INFO,
      // which it reads on connecting and then only every 10 s. Sentinels started before the link came up learned
      // of the replica up to 10 s late (20 s on a busy machine: the setup timed out).
      await("replica linked").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
          .until(() -> cli(replica, "INFO", "replication").contains("master_link_status:up"));
      String sentinels = "";
      for (int i = 0; i < 3; i++) {
        int port = 30482 + i;
        Path conf = dir.resolve("sentinel-" + port + ".conf");
        Files.writeString(conf, "port " + port + "\nbind 127.0.0.1\ndaemonize no\ndir " + dir + "\n"
            + "sentinel monitor mymaster 127.0.0.1 " + master + " 2\n"
            + "sentinel down-after-milliseconds mymaster 1000\n"
            + "sentinel failover-timeout mymaster 5000\nsentinel parallel-syncs mymaster 1\n");
        redis.add(new ProcessBuilder("redis-server", conf.toString(), "--sentinel").redirectErrorStream(true)
            .redirectOutput(dir.resolve("sentinel-" + port + ".log").toFile()).start());
        sentinels += (i == 0 ? "" : ",") + "127.0.0.1:" + port;
      }
      // Every sentinel knows the replica and the two other sentinels (they find each other through the master's
      // hello channel, every 2 s): only then can a quorum elect and promote.
      await("replica and sentinels known to every sentinel").atMost(Duration.ofSeconds(20))
          .pollInterval(Duration.ofMillis(100))
          .until(() -> {
            for (int p = 30482; p <= 30484; p++) {
              String others = cli(p, "SENTINEL", "SENTINELS", "mymaster");
              for (int q = 30482; q <= 30484; q++) {
                if (q != p && !others.contains(Integer.toString(q))) {
                  return false;
                }
              }
              if (!cli(p, "SENTINEL", "REPLICAS", "mymaster").contains(Integer.toString(replica))) {
                return false;
              }
            }
            return true;
          });
      d.env.put("VTP_REDIS_URL", "redis-sentinel://" + sentinels + "/mymaster");
      d.env.put("VTP_LOGIN_LIMIT", "100000");
      d.env.put("VTP_EDGE_LOGIN_RATE", "100000r/s");
      d.env.put("VTP_EDGE_LOGIN_BURST", "10000");
      assertThat(d.run("up", "--instances", Integer.toString(N))).contains("VTP Scale is up");

      String[] users = {TEACHER, STUDENT};
      String[] tokens = {Faults.token(d.url(""), TEACHER), Faults.token(d.url(""), STUDENT)};
      Faults.get(d.url("/api/v1/courses/1"), null);
      Deployment.sleep(Duration.ofSeconds(1)); // let the replica have the sessions
      long killAt = 0;
      long last5xx = -1;
      int fiveXx = 0;
      int relogins = 0;
      int wrongUser = 0;
      int probes = 0;
      OpenLoopLoad.Result load;
      try (OpenLoopLoad.Running l = Faults.loadGet(50, Duration.ofSeconds(27), d.url("/api/v1/courses/1"))) {
        long start = System.nanoTime();
        while (ms(start) < 27_000) {
          if (killAt == 0 && ms(start) > 2_000) {
            Faults.signal("KILL", redis.get(0).pid());
            killAt = System.nanoTime();
          }
          for (int u = 0; u < 2; u++) {
            probes++;
            HttpResponse<String> me = Faults.get(d.url("/api/v1/auth/me"), tokens[u]);
            int s = me.statusCode();
            if (s == 200) {
              wrongUser += users[u].equals(Faults.json(me).get("email").asText()) ? 0 : 1;
            } else if (s == 401) {
              HttpResponse<String> login = Faults.login(d.url(""), users[u]);
              if (login.statusCode() == 200) {
                relogins++;
                tokens[u] = Faults.json(login).get("token").asText();
              } else if (login.statusCode() >= 500) {
                fiveXx++;
                last5xx = killAt == 0 ? 0 : ms(killAt);
              }
            } else if (s >= 500) {
              fiveXx++;
              last5xx = killAt == 0 ? 0 : ms(killAt);
            }
          }
          Thread.sleep(50);
        }
        load = l.await();
      }
      String newMaster = cli(30482, "SENTINEL", "GET-MASTER-ADDR-BY-NAME", "mymaster").replace('\n', ':');
      boolean followed = newMaster.contains(Integer.toString(replica));
      int meAfter = 0;
      for (int u = 0; u < 2; u++) {
        HttpResponse<String> me = Faults.get(d.url("/api/v1/auth/me"), tokens[u]);
        meAfter += me.statusCode() == 200 && users[u].equals(Faults.json(me).get("email").asText()) ? 1 : 0;
      }
      int loginAfter = Faults.login(d.url(""), STUDENT).statusCode();
      ReliabilityReport.record(new Row("11", "the Redis master dies (Sentinel)",
          "master, replica and 3 sentinels on loopback (down-after 1 s, quorum 2); app REDIS_URL=redis-sentinel://"
              + "...; SIGKILL the master under load",
          "GET /courses/1 through nginx 50/s x 27 s; two users' GET /auth/me every ~50 ms, re-login on 401",
          "sentinel master now " + newMaster + "; failover window (kill to last 5xx) " + last5xx + " ms with "
              + fiveXx + " 5xx of " + probes + " session probes; cached reads " + load.serverErrors() + " 5xx of "
              + load.sent() + "; re-logins after 401: " + relogins + "; another user's data: " + wrongUser
              + "; after: /me " + meAfter + "/2, login " + loginAfter + ", no instance restarted",
          "app follows the new master without restart (login 200, /me 200 afterwards); no 5xx later than 15 s "
              + "after the kill; cached reads 0 5xx; never another user's data",
          followed && meAfter == 2 && loginAfter == 200 && last5xx <= 15_000 && load.serverErrors() == 0
              && wrongUser == 0));
    } finally {
      try {
        d.run("down");
      } finally {
        for (Process p : redis) {
          p.destroy();
          if (!p.waitFor(10, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
          }
        }
      }
    }
  }

  static Process server(Path dir, String name, int port, String... extra) throws Exception {
    Files.createDirectories(dir.resolve(name));
    List<String> cmd = new ArrayList<>(List.of("redis-server", "--port", Integer.toString(port), "--bind",
        "127.0.0.1", "--dir", dir.resolve(name).toString(), "--save", "", "--appendonly", "no", "--daemonize", "no"));
    cmd.addAll(List.of(extra));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve(name + ".log").toFile())
        .start();
    await(name + " answers PING").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
        .until(() -> cli(port, "PING").equals("PONG"));
    return p;
  }

  /** redis-cli against a Redis the deployment started: it has ACLs, so log in as the app's user. */
  static String deploymentCli(Deployment d, int port, String... args) throws java.io.IOException {
    String password = Files.readString(d.state.resolve("redis-password")).trim();
    List<String> auth = new ArrayList<>(List.of("--no-auth-warning", "--user", "vtp", "--pass", password));
    auth.addAll(List.of(args));
    return cli(port, auth.toArray(String[]::new));
  }

  static String cli(int port, String... args) {
    List<String> cmd = new ArrayList<>(List.of("redis-cli", "-h", "127.0.0.1", "-p", Integer.toString(port)));
    cmd.addAll(List.of(args));
    try {
      return Faults.exec(Duration.ofSeconds(5), cmd.toArray(String[]::new));
    } catch (Exception e) {
      return "";
    }
  }

  // ---------- 12: Redis Cluster with a frozen master ----------

  @Test
  void s12_clusterMasterFrozenPastNodeTimeout_cachedReadsServed_recoversAfterCont() throws Exception {
    Deployment d = new Deployment(Files.createTempDirectory("vtp-reliability-it-cluster-"), 30600);
    int node1 = 30611;
    try {
      assertThat(d.run("up", "--instances", Integer.toString(N), "--redis-cluster")).contains("VTP Scale is up");
      Faults f = new Faults(d);
      String token = Faults.token(d.url(""), STUDENT);
      Faults.get(d.url("/api/v1/courses/1"), null);
      double errors0 = f.metricSum(N, "vtp_cache_backend_errors_total", "kind=\"redis\"");
      long frozen = d.pid("redis-node-2");
      long clusterDownMs = -1;
      long recoveryMs = -1;
      List<Integer> meDuring = new ArrayList<>();
      OpenLoopLoad.Result load;
      try (OpenLoopLoad.Running l = Faults.loadGet(50, Duration.ofSeconds(16), d.url("/api/v1/courses/1"))) {
        Deployment.sleep(Duration.ofSeconds(1));
        Faults.signal("STOP", frozen);
        long stopAt = System.nanoTime();
        while (ms(stopAt) < 12_000 && !deploymentCli(d, node1, "CLUSTER", "INFO").contains("cluster_state:fail")) {
          Thread.sleep(100);
        }
        clusterDownMs = deploymentCli(d, node1, "CLUSTER", "INFO").contains("cluster_state:fail") ? ms(stopAt) : -1;
        for (int i = 1; i <= N; i++) {
          meDuring.add(Faults.status(f.backend(i, "/api/v1/auth/me"), token));
        }
        Deployment.sleep(Duration.ofSeconds(2));
        Faults.signal("CONT", frozen);
        long contAt = System.nanoTime();
        boolean recovered = false;
        while (!recovered && ms(contAt) < 30_000) {
          recovered = true;
          for (int i = 1; i <= N; i++) {
            recovered &= Faults.status(f.backend(i, "/api/v1/auth/me"), token) == 200;
          }
          if (!recovered) {
            Thread.sleep(100);
          }
        }
        recoveryMs = recovered ? ms(contAt) : -1;
        load = l.await();
      } finally {
        Faults.signal("CONT", frozen);
      }
      double errors = f.metricSum(N, "vtp_cache_backend_errors_total", "kind=\"redis\"") - errors0;
      ReliabilityReport.record(new Row("12", "a Redis Cluster master hangs past cluster-node-timeout",
          "vtp up --redis-cluster (3 masters, no replicas, node timeout 5 s); SIGSTOP redis-node-2 until the "
              + "cluster reports fail, 2 s more, SIGCONT",
          "GET /courses/1 (cached) through nginx 50/s x 16 s; /auth/me on each instance",
          "cluster_state fail after " + clusterDownMs + " ms; cached reads " + load.serverErrors() + " 5xx, "
              + load.unanswered() + " errors of " + load.sent() + " (p99 " + Math.round(load.p99()) + " ms); cache redis "
              + "errors +" + Math.round(errors) + "; /auth/me during " + meDuring + "; /auth/me 200 on every "
              + "instance " + recoveryMs + " ms after SIGCONT",
          "cached reads 0 5xx (CLUSTERDOWN counted as a cache error); /auth/me 503 while down (never 500/401); "
              + "recovery within 30 s of SIGCONT without restarting an instance",
          clusterDownMs >= 0 && load.serverErrors() == 0 && load.unanswered() == 0 && errors > 0
              && meDuring.stream().allMatch(s -> s == 503) && recoveryMs >= 0));
    } finally {
      d.run("down");
    }
  }
}
