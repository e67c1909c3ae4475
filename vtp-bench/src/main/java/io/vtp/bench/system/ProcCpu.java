package io.vtp.bench.system;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;

/**
 * CPU time of processes from {@code /proc/<pid>/stat} (Linux): user + system time, in clock ticks converted to
 * milliseconds. A process tree (nginx master and workers, the postmaster and its backends) adds its live
 * descendants and the children it already reaped ({@code cutime + cstime}).
 */
public final class ProcCpu {
  private static final double MS_PER_TICK = 1000.0 / clockTicks();

  private ProcCpu() {}

  /**
   * Returns the CPU time of one process in ms (its threads included), or empty when it does not run.
   *
   * @param pid the process
   * @return the CPU time
   */
  public static OptionalLong ms(long pid) {
    return read(pid).map(t -> OptionalLong.of(Math.round(t.self() * MS_PER_TICK))).orElse(OptionalLong.empty());
  }

  /**
   * Returns the CPU time of a process and its descendants in ms, or empty when the process does not run.
   *
   * @param pid the root of the tree
   * @return the CPU time
   */
  public static OptionalLong treeMs(long pid) {
    Optional<Ticks> root = read(pid);
    if (root.isEmpty()) {
      return OptionalLong.empty();
    }
    long ticks = root.get().self() + root.get().reapedChildren();
    for (ProcessHandle d : ProcessHandle.of(pid).map(h -> h.descendants().toList()).orElse(List.of())) {
      // Reaped grandchildren are already in their parent's cutime; count each live process once.
      ticks += read(d.pid()).map(Ticks::self).orElse(0L);
    }
    return OptionalLong.of(Math.round(ticks * MS_PER_TICK));
  }

  /** This process's CPU time in ms. */
  static double selfMs() {
    return ms(ProcessHandle.current().pid()).orElse(0);
  }

  /**
   * Ticks from one {@code stat} line.
   *
   * @param self utime + stime
   * @param reapedChildren cutime + cstime
   */
  record Ticks(long self, long reapedChildren) {}

  /**
   * Parses a {@code /proc/<pid>/stat} line. The command name (field 2) is in parentheses and may hold spaces and
   * parentheses itself, so fields are counted after the last ')'.
   *
   * @param stat the line
   * @return utime + stime and cutime + cstime
   * @throws IllegalArgumentException when the line is not a stat line
   */
  static Ticks parse(String stat) {
    int close = stat.lastIndexOf(')');
    if (close < 0) {
      throw new IllegalArgumentException("not a /proc/<pid>/stat line: " + stat);
    }
    String[] f = stat.substring(close + 1).trim().split("\\s+");
    // f[0] is field 3 (state); utime, stime, cutime, cstime are fields 14..17.
    if (f.length < 15) {
      throw new IllegalArgumentException("/proc/<pid>/stat line has too few fields: " + stat);
    }
    return new Ticks(Long.parseLong(f[11]) + Long.parseLong(f[12]), Long.parseLong(f[13]) + Long.parseLong(f[14]));
  }

  private static Optional<Ticks> read(long pid) {
    try {
      return Optional.of(parse(Files.readString(Path.of("/proc", Long.toString(pid), "stat"),
          StandardCharsets.US_ASCII)));
    } catch (IOException e) {
      // Not running (any more): it exited between listing and reading.
      return Optional.empty();
    }
  }

  private static long clockTicks() {
    try {
      Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
      if (p.waitFor(5, TimeUnit.SECONDS) && p.exitValue() == 0 && out.matches("[0-9]+")) {
        return Long.parseLong(out);
      }
    } catch (IOException e) {
      // Fall through to Linux's default.
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return 100;
  }
}
