package io.vtp.system;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Memory pressure on one of the local deployment's Redis servers, through {@code redis-cli}: as the ACL user
 * {@code vtp-admin} for {@code INFO} and {@code CONFIG}, as the app's user {@code vtp} for the filling writes
 * (what a growing cache or a flood of sessions would write).
 */
final class RedisMemory {
  private final Deployment d;
  private final int port;

  RedisMemory(Deployment d, int port) {
    this.d = d;
    this.port = port;
  }

  /** The session Redis of the deployment. */
  static RedisMemory sessions(Deployment d) {
    return new RedisMemory(d, Integer.parseInt(d.env.get("VTP_REDIS_PORT")));
  }

  /** The cache's own Redis of the deployment. */
  static RedisMemory cache(Deployment d) {
    return new RedisMemory(d, Integer.parseInt(d.env.get("VTP_REDIS_CACHE_PORT")));
  }

  /** redis-cli as vtp-admin (every command). */
  String admin(String... args) throws IOException, InterruptedException {
    return cli("vtp-admin", "redis-admin-password", args);
  }

  /** redis-cli as the app's user vtp. */
  String app(String... args) throws IOException, InterruptedException {
    return cli("vtp", "redis-password", args);
  }

  private String cli(String user, String passwordFile, String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of("redis-cli", "--no-auth-warning", "-h", "127.0.0.1", "-p",
        Integer.toString(port), "--user", user, "--pass", Files.readString(d.state.resolve(passwordFile)).trim()));
    cmd.addAll(List.of(args));
    return Faults.exec(Duration.ofSeconds(20), cmd.toArray(String[]::new)).trim();
  }

  /** A numeric field of {@code INFO} (e.g. {@code evicted_keys}, {@code used_memory}). */
  long info(String field) throws IOException, InterruptedException {
    return admin("INFO").lines().filter(l -> l.startsWith(field + ":")).findFirst()
        .map(l -> Long.parseLong(l.substring(field.length() + 1).trim()))
        .orElseThrow(() -> new IllegalStateException("INFO has no " + field));
  }

  /**
   * Writes {@code count} keys {@code vtp:junk:<n>} of {@code valueBytes} each as the app's user, through
   * {@code redis-cli --pipe} (one connection, pipelined); returns what redis-cli reported (errors and replies).
   */
  String pipeJunk(int count, int valueBytes) throws IOException, InterruptedException {
    Path file = Files.createTempFile(d.state, "junk-", ".resp");
    String value = "x".repeat(valueBytes);
    try (OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(file), 1 << 20)) {
      for (int i = 0; i < count; i++) {
        String key = "vtp:junk:" + i;
        out.write(("*3\r\n$3\r\nSET\r\n$" + key.length() + "\r\n" + key + "\r\n$" + valueBytes + "\r\n" + value
            + "\r\n").getBytes(StandardCharsets.US_ASCII));
      }
    }
    List<String> cmd = List.of("redis-cli", "--no-auth-warning", "-h", "127.0.0.1", "-p", Integer.toString(port),
        "--user", "vtp", "--pass", Files.readString(d.state.resolve("redis-password")).trim(), "--pipe");
    Process p = new ProcessBuilder(cmd).redirectInput(file.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException("redis-cli --pipe did not finish in 120 s");
    }
    Files.delete(file);
    return out.trim();
  }

  /** Deletes the junk keys (one SCAN as vtp-admin, then UNLINK in batches). */
  void dropJunk() throws IOException, InterruptedException {
    List<String> keys = admin("--scan", "--pattern", "vtp:junk:*", "--count", "1000").lines()
        .filter(k -> !k.isBlank()).toList();
    for (int from = 0; from < keys.size(); from += 2000) {
      List<String> batch = new ArrayList<>(List.of("UNLINK"));
      batch.addAll(keys.subList(from, Math.min(keys.size(), from + 2000)));
      admin(batch.toArray(String[]::new));
    }
  }
}
