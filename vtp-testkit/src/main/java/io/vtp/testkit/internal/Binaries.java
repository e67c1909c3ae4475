package io.vtp.testkit.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** Locates server binaries on this machine. */
public final class Binaries {
  /** Environment variable naming the {@code redis-server} binary. */
  public static final String REDIS_SERVER_ENV = "VTP_TEST_REDIS_SERVER";
  /** Environment variable naming PostgreSQL's bin directory (holding {@code initdb} and {@code postgres}). */
  public static final String PG_BINDIR_ENV = "VTP_TEST_PG_BINDIR";

  private Binaries() {}

  /** Returns the {@code redis-server} binary, if any. */
  public static Optional<Path> redisServer() {
    String explicit = System.getenv(REDIS_SERVER_ENV);
    if (explicit != null && !explicit.isBlank()) {
      return executable(Path.of(explicit));
    }
    return onPath("redis-server").or(() -> executable(Path.of("/usr/bin/redis-server")));
  }

  /** Returns PostgreSQL's bin directory (with {@code initdb} and {@code postgres}), newest version first. */
  public static Optional<Path> postgresBinDir() {
    String explicit = System.getenv(PG_BINDIR_ENV);
    if (explicit != null && !explicit.isBlank()) {
      return Optional.of(Path.of(explicit)).filter(Binaries::isPgBinDir);
    }
    Path debian = Path.of("/usr/lib/postgresql");
    if (Files.isDirectory(debian)) {
      try (Stream<Path> versions = Files.list(debian)) {
        Optional<Path> found = versions
            .map(v -> v.resolve("bin"))
            .filter(Binaries::isPgBinDir)
            .max(Comparator.comparingInt(Binaries::majorVersion));
        if (found.isPresent()) {
          return found;
        }
      } catch (IOException e) {
        // fall through to PATH lookup
      }
    }
    return onPath("initdb").map(p -> p.toAbsolutePath().getParent()).filter(Binaries::isPgBinDir);
  }

  private static int majorVersion(Path binDir) {
    try {
      return Integer.parseInt(binDir.getParent().getFileName().toString());
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private static boolean isPgBinDir(Path dir) {
    return Files.isExecutable(dir.resolve("initdb")) && Files.isExecutable(dir.resolve("postgres"));
  }

  /** Returns whether this JVM runs as root (uid 0). */
  public static boolean isRoot() {
    return "root".equals(System.getProperty("user.name")) || "0".equals(run("id", "-u"));
  }

  /** Returns whether an operating-system user exists. */
  public static boolean userExists(String user) {
    return run("id", "-u", user) != null;
  }

  /** Returns whether a Docker engine answers ({@code docker info} succeeds quickly). */
  public static boolean dockerAnswers() {
    if (onPath("docker").isEmpty()) {
      return false;
    }
    return run("docker", "info", "--format", "{{.ServerVersion}}") != null;
  }

  /**
   * Runs a short command and returns its trimmed output, or {@code null} when it fails or takes over 10 s.
   */
  public static String run(String... command) {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      byte[] out = p.getInputStream().readAllBytes();
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return null;
      }
      return p.exitValue() == 0 ? new String(out, java.nio.charset.StandardCharsets.UTF_8).trim() : null;
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  private static Optional<Path> onPath(String name) {
    String path = System.getenv("PATH");
    if (path == null) {
      return Optional.empty();
    }
    for (String dir : path.split(":")) {
      if (!dir.isEmpty()) {
        Optional<Path> candidate = executable(Path.of(dir, name));
        if (candidate.isPresent()) {
          return candidate;
        }
      }
    }
    return Optional.empty();
  }

  private static Optional<Path> executable(Path p) {
    return Files.isRegularFile(p) && Files.isExecutable(p) ? Optional.of(p) : Optional.empty();
  }
}
