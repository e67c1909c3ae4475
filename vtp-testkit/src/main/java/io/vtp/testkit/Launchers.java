package io.vtp.testkit;

import io.vtp.testkit.internal.Binaries;
import io.vtp.testkit.internal.Ports;
import io.vtp.testkit.internal.ServerProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import redis.clients.jedis.Jedis;

/** Starts servers from the machine's binaries, as child processes on free loopback ports. */
final class Launchers {
  static final String LOOPBACK = "127.0.0.1";
  static final String INSTALL_HINT = "as root: apt-get update && apt-get install -y redis-server redis-tools "
      + "postgresql-15 (or run ./bin/test, which installs them)";

  private Launchers() {}

  static Path tempDir(String prefix) {
    try {
      Path dir = Files.createTempDirectory(prefix);
      Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
      return dir;
    } catch (IOException e) {
      throw new TestkitException("cannot create a temporary directory: " + e.getMessage(), e);
    }
  }

  /** Starts one standalone Redis server; {@code extraArgs} are appended (e.g. cluster options). */
  static RedisServer startRedis(List<String> extraArgs, boolean cluster, Runnable onClose) {
    Path binary = Binaries.redisServer().orElseThrow(() -> new TestkitException(
        "no redis-server binary found (looked at $" + Binaries.REDIS_SERVER_ENV + ", PATH and /usr/bin); "
            + "install it " + INSTALL_HINT + ", or set VTP_TEST_REDIS_URL=redis://host:port"));
    TestkitException last = null;
    for (int attempt = 0; attempt < 3; attempt++) {
      int port = Ports.freePort(cluster ? 10000 : 0);
      Path dir = tempDir("vtp-testkit-redis-" + port + "-");
      List<String> cmd = new ArrayList<>(List.of(binary.toString(),
          "--port", Integer.toString(port), "--bind", LOOPBACK, "--dir", dir.toString(),
          "--save", "", "--appendonly", "no", "--daemonize", "no", "--protected-mode", "yes",
          "--loglevel", "warning"));
      cmd.addAll(extraArgs);
      ServerProcess process = new ServerProcess("redis-server:" + port, cmd, dir.resolve("redis.log"), () -> -1);
      Runnable cleanup = () -> {
        deleteTree(dir);
        if (onClose != null) {
          onClose.run();
        }
      };
      RedisServer server = new RedisServer(LOOPBACK, port, null, process, cleanup);
      process.start();
      try {
        server.awaitAnswering(Duration.ofSeconds(10));
        return server;
      } catch (TestkitException e) {
        last = new TestkitException(e.getMessage() + "; log: " + tail(dir.resolve("redis.log")), e);
        server.close();
      }
    }
    throw last;
  }

  /** Starts three Redis nodes in cluster mode, assigns all slots and waits for cluster state ok. */
  static RedisCluster startRedisCluster(Duration nodeTimeout) {
    List<RedisServer> nodes = new ArrayList<>();
    try {
      for (int i = 0; i < 3; i++) {
        nodes.add(startRedis(List.of("--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
            "--cluster-node-timeout", Long.toString(nodeTimeout.toMillis()),
            "--cluster-require-full-coverage", "yes"), true, null));
      }
      for (int i = 0; i < nodes.size(); i++) {
        int from = i * RedisCluster.SLOTS / nodes.size();
        int to = (i + 1) * RedisCluster.SLOTS / nodes.size();
        int[] slots = new int[to - from];
        for (int s = from; s < to; s++) {
          slots[s - from] = s;
        }
        try (Jedis j = nodes.get(i).admin()) {
          j.clusterAddSlots(slots);
          // Distinct epochs so the nodes never need a collision round to agree.
          j.clusterSetConfigEpoch(i + 1L);
        }
      }
      try (Jedis first = nodes.get(0).admin()) {
        for (int i = 1; i < nodes.size(); i++) {
          first.clusterMeet(LOOPBACK, nodes.get(i).port());
        }
      }
      RedisCluster cluster = new RedisCluster(nodes);
      cluster.awaitOk(Duration.ofSeconds(30));
      return cluster;
    } catch (RuntimeException e) {
      nodes.forEach(RedisServer::close);
      throw e;
    }
  }

  /** Starts PostgreSQL from the machine's binaries, as the {@code postgres} user when running as root. */
  static PostgresServer startPostgres() {
    Path bin = Binaries.postgresBinDir().orElseThrow(() -> new TestkitException(
        "no PostgreSQL binaries found (looked at $" + Binaries.PG_BINDIR_ENV + ", /usr/lib/postgresql/*/bin and "
            + "PATH); install them " + INSTALL_HINT + ", or set VTP_TEST_DATABASE_URL=postgresql://user:pass@host:port/db"));
    List<String> asUser = new ArrayList<>();
    Path base = tempDir("vtp-testkit-pg-");
    Path data = base.resolve("data");
    Path socket = base.resolve("socket");
    try {
      Files.createDirectories(data);
      Files.createDirectories(socket);
      Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwx------"));
    } catch (IOException e) {
      throw new TestkitException("cannot prepare " + base + ": " + e.getMessage(), e);
    }
    if (Binaries.isRoot()) {
      // initdb and postgres refuse to run as root: run them as the postgres user.
      if (!Binaries.userExists("postgres")) {
        throw new TestkitException("running as root and there is no 'postgres' user for PostgreSQL to run as; "
            + "install postgresql-15 (it creates the user) or run the tests as an ordinary user");
      }
      chown(List.of(base, data, socket), "postgres");
      asUser.addAll(List.of("setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups"));
    }
    List<String> initdb = new ArrayList<>(asUser);
    initdb.addAll(List.of(bin.resolve("initdb").toString(), "-D", data.toString(), "-U", "postgres",
        "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"));
    runOrFail(initdb, base.resolve("initdb.log"));

    TestkitException last = null;
    for (int attempt = 0; attempt < 3; attempt++) {
      int port = Ports.freePort(0);
      List<String> cmd = new ArrayList<>(asUser);
      cmd.addAll(List.of(bin.resolve("postgres").toString(), "-D", data.toString(), "-p", Integer.toString(port),
          "-k", socket.toString(), "-c", "listen_addresses=" + LOOPBACK, "-c", "fsync=off",
          "-c", "synchronous_commit=off", "-c", "full_page_writes=off", "-c", "max_connections=300",
          "-c", "shared_buffers=64MB"));
      if (Files.exists(bin.getParent().resolve("lib").resolve("pg_stat_statements.so"))) {
        cmd.addAll(List.of("-c", "shared_preload_libraries=pg_stat_statements"));
      }
      ServerProcess process = new ServerProcess("postgres:" + port, cmd, base.resolve("postgres.log"), () -> -1);
      PostgresServer server = new PostgresServer(LOOPBACK, port, "postgres", "postgres", "", process,
          () -> deleteTree(base));
      process.start();
      try {
        server.awaitAnswering(Duration.ofSeconds(30));
        return server;
      } catch (TestkitException e) {
        last = new TestkitException(e.getMessage() + "; log: " + tail(base.resolve("postgres.log")), e);
        process.kill();
      }
    }
    throw last;
  }

  private static void chown(List<Path> paths, String user) {
    try {
      UserPrincipalLookupService lookup = paths.get(0).getFileSystem().getUserPrincipalLookupService();
      UserPrincipal owner = lookup.lookupPrincipalByName(user);
      GroupPrincipal group = lookup.lookupPrincipalByGroupName(user);
      for (Path p : paths) {
        PosixFileAttributeView view = Files.getFileAttributeView(p, PosixFileAttributeView.class);
        view.setOwner(owner);
        view.setGroup(group);
      }
    } catch (IOException e) {
      throw new TestkitException("cannot give " + paths + " to user " + user + ": " + e.getMessage(), e);
    }
  }

  private static void runOrFail(List<String> cmd, Path log) {
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
      if (!p.waitFor(120, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new TestkitException(String.join(" ", cmd) + " took over 120 s; log: " + tail(log));
      }
      if (p.exitValue() != 0) {
        throw new TestkitException(String.join(" ", cmd) + " exited " + p.exitValue() + "; log: " + tail(log));
      }
    } catch (IOException e) {
      throw new TestkitException("cannot run " + String.join(" ", cmd) + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TestkitException("interrupted while running " + cmd.get(0), e);
    }
  }

  static String tail(Path log) {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join(" | ", lines.subList(Math.max(0, lines.size() - 8), lines.size()));
    } catch (IOException e) {
      return "(no log at " + log + ")";
    }
  }

  static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.sorted((a, b) -> b.getNameCount() - a.getNameCount()).forEach(p -> {
        try {
          Files.deleteIfExists(p);
        } catch (IOException e) {
          // best effort: a temp dir left behind is harmless
        }
      });
    } catch (IOException e) {
      // best effort
    }
  }
}
