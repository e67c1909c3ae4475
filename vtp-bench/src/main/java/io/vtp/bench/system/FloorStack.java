package io.vtp.bench.system;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * N backend processes behind nginx rendered by {@code deployment/nginx/render.sh} with the same settings the
 * deployment uses (edge limits from the same environment), run from a directory of its own: the floor
 * ({@link FloorApp} JVMs on the deployment's backend ports) and the peers ({@link Spec}: the Spring peer and the
 * Spring Boot example on the starter, on ports of their own). Stops exactly what it started, by pid; pid files let
 * {@code bin/bench-system} clean up even when this JVM is killed.
 */
final class FloorStack implements AutoCloseable {
  static final String MAIN = FloorApp.class.getName();
  private final Path root;
  private final Path dir;
  private final int httpPort;
  private final int basePort;
  private final Spec spec;
  private final List<Process> processes = new ArrayList<>();
  private boolean nginxStarted;

  /**
   * What runs behind nginx.
   *
   * @param prefix instance names are {@code prefix-1..N} (also their {@code X-Instance-Id} where they send one)
   * @param command the command line of instance {@code i} on {@code port}
   * @param env extra environment of every instance
   * @param readyPath answered 200 by an instance once it is ready
   * @param probePath answered 200 through nginx once nginx reaches the instances
   */
  record Spec(String prefix, Command command, Map<String, String> env, String readyPath, String probePath) {
    Spec {
      env = Map.copyOf(env);
    }
  }

  /** The command line of instance {@code i} (from 1) listening on {@code port}. */
  @FunctionalInterface
  interface Command {
    List<String> of(int i, int port);
  }

  /** The floor: {@link FloorApp} JVMs with these JVM options. */
  FloorStack(Path root, Path dir, int httpPort, int basePort, List<String> javaOpts) {
    this(root, dir, httpPort, basePort, new Spec("floor", (i, port) -> {
      List<String> cmd = new ArrayList<>();
      cmd.add(ProcessHandle.current().info().command().orElse("java"));
      cmd.addAll(javaOpts);
      cmd.add("-Dvtp.bench.floor=" + dir);
      cmd.addAll(List.of("-cp", SystemBench.classPath(), MAIN, Integer.toString(port), "floor-" + i));
      return cmd;
    }, Map.of(), "/health/live", "/api/v1/courses/1"));
  }

  FloorStack(Path root, Path dir, int httpPort, int basePort, Spec spec) {
    this.root = root;
    this.dir = dir;
    this.httpPort = httpPort;
    this.basePort = basePort;
    this.spec = spec;
  }

  /** Starts processes up to {@code n} (never fewer), renders nginx for them, starts or reloads it, waits. */
  void scaleTo(int n) throws IOException, InterruptedException {
    Files.createDirectories(dir.resolve("pids"));
    Files.createDirectories(dir.resolve("logs"));
    for (int i = processes.size() + 1; i <= n; i++) {
      start(i);
    }
    for (int i = 1; i <= n; i++) {
      awaitOk("http://127.0.0.1:" + (basePort + i) + spec.readyPath(), spec.prefix() + "-" + i,
          processes.get(i - 1));
    }
    render(n);
    if (nginxStarted) {
      run(List.of("nginx", "-c", conf().toString(), "-p", dir.resolve("nginx").toString(), "-s", "reload"));
      Thread.sleep(1000); // let the old workers finish on the old configuration
    } else {
      run(List.of("nginx", "-c", conf().toString(), "-p", dir.resolve("nginx").toString()));
      nginxStarted = true;
    }
    awaitOk("http://127.0.0.1:" + httpPort + spec.probePath(), "nginx in front of " + spec.prefix(), null);
  }

  /** Returns the processes' pids by instance id, the first {@code n}. */
  Map<String, Long> pids(int n) {
    Map<String, Long> m = new LinkedHashMap<>();
    for (int i = 0; i < Math.min(n, processes.size()); i++) {
      m.put(spec.prefix() + "-" + (i + 1), processes.get(i).pid());
    }
    return m;
  }

  /** Returns every process's pid by instance id. */
  Map<String, Long> pids() {
    return pids(processes.size());
  }

  /** Returns the nginx master's pid, or 0. */
  long nginxPid() {
    try {
      return SystemBench.readPid(dir.resolve("nginx/nginx.pid"));
    } catch (IOException e) {
      return 0;
    }
  }

  private Path conf() {
    return dir.resolve("nginx/nginx.conf");
  }

  private void start(int i) throws IOException {
    int port = basePort + i;
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 200);
      throw new IllegalStateException("port " + port + " for " + spec.prefix() + "-" + i
          + " is taken by another process");
    } catch (IOException free) {
      // Nothing listens: good.
    }
    String name = spec.prefix() + "-" + i;
    ProcessBuilder pb = new ProcessBuilder(spec.command().of(i, port)).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("logs/" + name + ".log").toFile()));
    pb.environment().putAll(spec.env());
    Process p = pb.start();
    processes.add(p);
    Files.writeString(dir.resolve("pids/" + name + ".pid"), p.pid() + "\n");
  }

  private void render(int n) throws IOException, InterruptedException {
    StringBuilder backends = new StringBuilder();
    for (int i = 1; i <= n; i++) {
      backends.append("127.0.0.1:").append(basePort + i).append(' ');
    }
    Path nginxDir = dir.resolve("nginx");
    for (String d : List.of("client_body", "proxy", "fastcgi", "uwsgi", "scgi")) {
      Path p = Files.createDirectories(nginxDir.resolve(d));
      // nginx workers run as an unprivileged user when the master is root.
      p.toFile().setWritable(true, false);
      p.toFile().setExecutable(true, false);
      p.toFile().setReadable(true, false);
    }
    ProcessBuilder pb = new ProcessBuilder(root.resolve("deployment/nginx/render.sh").toString(), conf().toString());
    Map<String, String> env = pb.environment();
    env.put("VTP_BACKENDS", backends.toString());
    env.put("VTP_BACKENDS_DOWN", "");
    env.put("VTP_NGINX_HTTP_PORT", Integer.toString(httpPort));
    env.put("VTP_NGINX_TLS", "0");
    env.put("VTP_NGINX_RUN_DIR", nginxDir.toString());
    env.put("VTP_NGINX_LOG_DIR", dir.resolve("logs").toString());
    env.put("VTP_SSL_DIR", root.resolve("deployment/ssl").toString());
    env.put("VTP_STATIC_DIR", root.resolve("deployment/static").toString());
    // The deployment's default (deployment/local/vtp render_nginx), unless the environment sets it for both.
    env.putIfAbsent("VTP_NGINX_KEEPALIVE", "64");
    run(pb);
    run(List.of("nginx", "-t", "-q", "-c", conf().toString(), "-p", nginxDir.toString()));
  }

  private void run(List<String> cmd) throws IOException, InterruptedException {
    run(new ProcessBuilder(cmd));
  }

  private void run(ProcessBuilder pb) throws IOException, InterruptedException {
    Process p = pb.redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
      p.destroyForcibly();
      throw new IllegalStateException(String.join(" ", pb.command()) + " failed: " + output.strip());
    }
  }

  private static void awaitOk(String url, String what, Process process) throws IOException, InterruptedException {
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    String last = "no answer";
    while (System.nanoTime() < deadline) {
      if (process != null && !process.isAlive()) {
        throw new IllegalStateException(what + " exited with " + process.exitValue() + " before it answered");
      }
      try {
        HttpResponse<Void> r = client.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2))
            .GET().build(), HttpResponse.BodyHandlers.discarding());
        if (r.statusCode() == 200) {
          return;
        }
        last = "status " + r.statusCode();
      } catch (IOException e) {
        last = e.toString();
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException(what + " not ready at " + url + " within 120 s: " + last);
  }

  /** Stops nginx (verified by its command line) and every floor process; safe to call twice. */
  @Override
  public void close() {
    long pid = nginxPid();
    // nginx rewrites its title, which ProcessHandle.Info does not always show: read /proc/<pid>/cmdline.
    Optional<ProcessHandle> nginx = pid == 0 ? Optional.empty() : ProcessHandle.of(pid)
        .filter(h -> commandLine(h.pid()).contains(dir.toString()));
    nginx.ifPresent(h -> stop(h, "nginx"));
    nginxStarted = false;
    for (Process p : processes) {
      stop(p.toHandle(), "floor process " + p.pid());
    }
  }

  private static String commandLine(long pid) {
    try {
      return new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline")), StandardCharsets.UTF_8)
          .replace('\0', ' ');
    } catch (IOException e) {
      return "";
    }
  }

  private static void stop(ProcessHandle h, String what) {
    if (!h.isAlive()) {
      return;
    }
    h.destroy();
    try {
      h.onExit().get(10, TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
      System.err.println(what + " did not stop within 10 s: SIGKILL");
      h.destroyForcibly();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      h.destroyForcibly();
    }
  }
}
