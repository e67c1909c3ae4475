package io.vtp.testkit.internal;

import io.vtp.testkit.TestkitException;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * A server child process the testkit started, with the signals fault tests need.
 *
 * <p>Thread-safe: every method is synchronized; a test may call fault hooks from any thread.
 */
public final class ServerProcess {
  private final String name;
  private final List<String> command;
  private final Path logFile;
  private final LongSupplier serverPid;
  private Process process;

  /**
   * Describes a process; {@link #start()} launches it.
   *
   * @param name a short name for messages, e.g. {@code redis-server:6379}
   * @param command the command line
   * @param logFile where standard output and error go
   * @param serverPid the pid of the real server process, for launchers that fork (may return -1 to use the
   *     launched process' own pid)
   */
  public ServerProcess(String name, List<String> command, Path logFile, LongSupplier serverPid) {
    this.name = name;
    this.command = List.copyOf(command);
    this.logFile = logFile;
    this.serverPid = serverPid;
  }

  /** Launches the process; its output is appended to the log file. */
  public synchronized void start() {
    if (process != null && process.isAlive()) {
      throw new IllegalStateException(name + " is already running");
    }
    ProcessBuilder pb = new ProcessBuilder(command);
    pb.redirectErrorStream(true);
    pb.redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
    try {
      process = pb.start();
    } catch (IOException e) {
      throw new TestkitException("cannot start " + name + " (" + String.join(" ", command) + "): " + e.getMessage(), e);
    }
  }

  /** Returns whether the launched process is alive. */
  public synchronized boolean isAlive() {
    return process != null && process.isAlive();
  }

  /** Returns the pid of the server process, or -1 when not running. */
  public synchronized long pid() {
    if (process == null || !process.isAlive()) {
      return -1;
    }
    long pid = serverPid.getAsLong();
    return pid > 0 ? pid : process.pid();
  }

  /** Sends SIGSTOP to the server and all its children: it stops answering, connections stay open. */
  public synchronized void pause() {
    signalTree("STOP");
  }

  /** Sends SIGCONT to the server and all its children. */
  public synchronized void resume() {
    signalTree("CONT");
  }

  /** Sends SIGKILL to the server and all its children and waits until the process is gone. */
  public synchronized void kill() {
    if (!isAlive()) {
      return;
    }
    List<Long> pids = treePids();
    signal("KILL", pids);
    awaitExit(Duration.ofSeconds(10));
    // Children of a killed PostgreSQL postmaster exit on their own; wait for them so a restart can bind.
    for (Long pid : pids) {
      ProcessHandle.of(pid).ifPresent(h -> h.onExit().completeOnTimeout(h, 10, TimeUnit.SECONDS).join());
    }
  }

  /**
   * Stops the server with the given signal (a clean shutdown), resuming it first if paused, and waits for it.
   *
   * @param signal the signal name, e.g. {@code TERM} or {@code INT}
   */
  public synchronized void stop(String signal) {
    if (!isAlive()) {
      return;
    }
    List<Long> pids = treePids();
    signal("CONT", pids);
    signal(signal, List.of(pids.get(0)));
    if (!awaitExit(Duration.ofSeconds(20))) {
      kill();
    }
  }

  private boolean awaitExit(Duration timeout) {
    try {
      return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TestkitException("interrupted while waiting for " + name + " to exit", e);
    }
  }

  private void signalTree(String signal) {
    if (!isAlive()) {
      throw new IllegalStateException(name + " is not running");
    }
    signal(signal, treePids());
  }

  private List<Long> treePids() {
    List<Long> pids = new ArrayList<>();
    long root = pid();
    pids.add(root);
    ProcessHandle.of(root).ifPresent(h -> h.descendants().forEach(d -> pids.add(d.pid())));
    return pids;
  }

  private void signal(String signal, List<Long> pids) {
    List<String> cmd = new ArrayList<>();
    cmd.add("kill");
    cmd.add("-" + signal);
    pids.forEach(p -> cmd.add(Long.toString(p)));
    try {
      Process kill = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      kill.getInputStream().readAllBytes();
      kill.waitFor(10, TimeUnit.SECONDS);
    } catch (IOException e) {
      throw new TestkitException("cannot send SIG" + signal + " to " + name + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TestkitException("interrupted while signalling " + name, e);
    }
  }

  @Override
  public String toString() {
    return name;
  }
}
