package io.vtp.system;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Drives {@code deployment/local/vtp} in a state directory and on ports of its own. */
final class Deployment {
  final Path root;
  final Path state;
  final int httpPort;
  final int basePort;
  /** Backend i's management port ({@code /metrics}, detailed health) is {@code managementBasePort + i}. */
  final int managementBasePort;
  final Map<String, String> env = new HashMap<>();

  Deployment(Path state, int portBlock) {
    this(state, portBlock, portBlock + 100, portBlock + 50);
  }

  private Deployment(Path state, int httpPort, int basePort, int managementBasePort) {
    this.root = repoRoot();
    this.state = state;
    this.httpPort = httpPort;
    this.basePort = basePort;
    this.managementBasePort = managementBasePort;
    int portBlock = httpPort;
    env.put("VTP_STATE_DIR", state.toString());
    env.put("VTP_HTTP_PORT", Integer.toString(httpPort));
    env.put("VTP_TLS_PORT", Integer.toString(portBlock + 1));
    env.put("VTP_BACKEND_BASE_PORT", Integer.toString(basePort));
    env.put("VTP_MANAGEMENT_BASE_PORT", Integer.toString(managementBasePort));
    env.put("VTP_PG_PORT", Integer.toString(portBlock + 2));
    env.put("VTP_REDIS_PORT", Integer.toString(portBlock + 3));
    env.put("VTP_REDIS_CACHE_PORT", Integer.toString(portBlock + 5));
    env.put("VTP_CLUSTER_BASE_PORT", Integer.toString(portBlock + 10));
    env.put("VTP_PROM_PORT", Integer.toString(portBlock + 4));
    // Load tests come from one address: lift the per-address limits (they are tested on their own).
    env.put("VTP_API_LIMIT", "1000000");
    env.put("VTP_REGISTER_LIMIT", "100000");
    env.put("VTP_EDGE_API_RATE", "100000r/s");
    env.put("VTP_EDGE_API_BURST", "10000");
    env.put("VTP_DRAIN_DELAY", "1s");
  }

  /**
   * A deployment in its own state directory on the main-job command's default ports (HTTP 8080, HTTPS 8443,
   * backends 18081.., their management ports 19081.., PostgreSQL 15432, Redis 16379, Redis Cluster 17001..17003): what a user gets from the README.
   */
  static Deployment withDefaultPorts(Path state) {
    Deployment d = new Deployment(state, 8080, 18080, 19080);
    d.env.keySet().removeIf(k -> k.endsWith("_PORT"));
    return d;
  }

  static Path repoRoot() {
    Path p = Path.of("").toAbsolutePath();
    while (p != null && !Files.exists(p.resolve("deployment/local/vtp"))) {
      p = p.getParent();
    }
    if (p == null) {
      throw new IllegalStateException("cannot find deployment/local/vtp above " + Path.of("").toAbsolutePath());
    }
    return p;
  }

  String url(String path) {
    return "http://127.0.0.1:" + httpPort + path;
  }

  /** Runs {@code vtp ARGS}; returns its output; fails when it exits non-zero or takes over 5 minutes. */
  String run(String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(root.resolve("deployment/local/vtp").toString());
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(root.toFile()).redirectErrorStream(true);
    pb.environment().putAll(env);
    Process p = pb.start();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(5, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new IllegalStateException("vtp " + String.join(" ", args) + " took over 5 minutes");
    }
    String text = new String(out, StandardCharsets.UTF_8);
    if (p.exitValue() != 0) {
      throw new IllegalStateException("vtp " + String.join(" ", args) + " exited " + p.exitValue() + ":\n" + text);
    }
    return text;
  }

  long pid(String name) throws IOException {
    return Long.parseLong(Files.readString(state.resolve("pids/" + name + ".pid")).trim());
  }

  /** The pids the deployment recorded (every process it started, including those that rename themselves). */
  List<Long> recordedPids() throws IOException {
    List<Long> pids = new ArrayList<>();
    Path dir = state.resolve("pids");
    if (Files.isDirectory(dir)) {
      try (var files = Files.list(dir)) {
        for (Path f : (Iterable<Path>) files::iterator) {
          if (f.toString().endsWith(".pid")) {
            pids.add(Long.parseLong(Files.readString(f).trim()));
          }
        }
      }
    }
    Path nginx = state.resolve("nginx/nginx.pid");
    if (Files.exists(nginx)) {
      pids.add(Long.parseLong(Files.readString(nginx).trim()));
    }
    return pids;
  }

  static boolean alive(long pid) {
    return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
  }

  /** Every process whose command line mentions the state directory. */
  List<Long> processesOfThisDeployment() {
    List<Long> pids = new ArrayList<>();
    String marker = state.toString();
    ProcessHandle.allProcesses().forEach(h -> {
      String line = h.info().commandLine().orElse("");
      if (line.contains(marker)) {
        pids.add(h.pid());
      }
    });
    return pids;
  }

  static void sleep(Duration d) throws InterruptedException {
    Thread.sleep(d.toMillis());
  }
}
