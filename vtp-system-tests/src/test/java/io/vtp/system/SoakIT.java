package io.vtp.system;

import io.vtp.loadgen.OpenLoopLoad;
import io.vtp.system.ReliabilityReport.Row;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The soak ({@code bin/soak [minutes]}): the 3-instance local deployment under a fixed mixed load for the given
 * minutes, one fault a minute in rotation, then checks that nothing acknowledged was lost, that every failure fell
 * inside a fault's window and was of the kinds that fault is documented to cause, and that the resource curves
 * are flat. Runs only with {@code -Dvtp.soak.minutes=N} (bin/soak sets it), so {@code bin/test} leaves it out.
 *
 * <p>Each minute is a calm phase (30 s, no failure allowed) followed by a fault phase (the fault, its recovery by
 * {@code vtp up} or {@code vtp restart}, 5 s to settle). The HTTP loads are started and awaited per phase, so each
 * phase is judged on its own answers; the login and room workers tag each failure with the phase it ended in.
 */
@EnabledIfSystemProperty(named = "vtp.soak.minutes", matches = "[1-9][0-9]{0,3}")
class SoakIT {
  private static final int N = 3;
  private static final String TEACHER = "teacher@vtp.local";
  private static final String STUDENT = "student@vtp.local";
  private static final Duration CALM = Duration.ofSeconds(30);
  private static final Duration SETTLE = Duration.ofSeconds(5);
  private static final int GET_RATE = 40;
  private static final int POST_RATE = 5;

  /** The faults, in the order the minutes take them. */
  enum Fault {
    KILL("SIGKILL a backend", "POST: only those in flight at the kill, 502; logins/rooms: at most 1 each, in the window"),
    ROLLING_RESTART("rolling restart (vtp restart)", "none"),
    REDIS_RESTART("session Redis restart (SIGTERM, vtp up)",
        "503 (rooms: close 1013 or a relay-unavailable error frame) only, inside the window"),
    POSTGRES_RESTART("PostgreSQL restart (fast shutdown, vtp up)",
        "503 (rooms: close 1013 or a relay-unavailable error frame) only, inside the window"),
    SIGSTOP("SIGSTOP a backend for 10 s", "GET none; POST, logins, rooms: 502/504/timeouts, inside the window");

    final String what;
    final String allowance;

    Fault(String what, String allowance) {
      this.what = what;
      this.allowance = allowance;
    }
  }

  /** One phase's outcome. */
  record Phase(String name, Fault fault, OpenLoopLoad.Result gets, OpenLoopLoad.Result posts, int postAllowance,
      List<String> workerFailures, boolean ok, String verdict) {}

  private Deployment d;
  private Faults f;
  private volatile int phase;
  private final List<List<String>> workerFailures = Collections.synchronizedList(new ArrayList<>());

  @Test
  void soak() throws Exception {
    int minutes = Integer.getInteger("vtp.soak.minutes");
    d = new Deployment(Files.createTempDirectory("vtp-soak-it-"), 31600);
    d.env.put("VTP_LOGIN_LIMIT", "100000");
    d.env.put("VTP_EDGE_LOGIN_RATE", "100000r/s");
    d.env.put("VTP_EDGE_LOGIN_BURST", "10000");
    f = new Faults(d);
    String run = UUID.randomUUID().toString().substring(0, 8);
    List<Phase> phases = new ArrayList<>();
    SoakWorkers workers = null;
    SoakSampler sampler = null;
    long start = System.nanoTime();
    try {
      if (!d.run("up", "--instances", Integer.toString(N)).contains("VTP Scale is up")) {
        throw new IllegalStateException("the deployment did not come up");
      }
      try (OpenLoopLoad.Running warm = Faults.loadGet(100, Duration.ofSeconds(6), d.url("/api/v1/courses/1"))) {
        warm.await();
      }
      String teacher = Faults.token(d.url(""), TEACHER);
      HttpResponse<String> course = Faults.post(d.url("/api/v1/courses"), teacher,
          "{\"title\":\"Soak room " + run + "\",\"description\":\"\"}");
      if (course.statusCode() != 201) {
        throw new IllegalStateException("course for the room: " + course.statusCode() + " " + course.body());
      }
      String room = Faults.json(course).get("id").asLong() + "-soak-" + run;
      sampler = SoakSampler.start(d, f, N);
      workers = SoakWorkers.start(d, teacher, room, STUDENT, () -> phase, this::failure);
      AtomicLong titles = new AtomicLong();
      for (int m = 0; m < minutes; m++) {
        Fault fault = Fault.values()[m % Fault.values().length];
        phases.add(runPhase("minute " + (m + 1) + " calm", null, teacher, run, titles, m + 1));
        sampler.mark(fault.what);
        phases.add(runPhase("minute " + (m + 1) + " " + fault.what, fault, teacher, run, titles, m + 1));
      }
    } finally {
      if (workers != null) {
        workers.stop();
      }
      if (sampler != null) {
        sampler.stop();
      }
      for (long pid : d.recordedPids()) {
        Faults.signal("CONT", pid);
      }
    }
    try {
      judge(minutes, run, phases, workers, sampler, Faults.ms(start));
    } finally {
      d.run("down");
    }
  }

  /**
   * Files a worker's failure under the phase it ended in, or, when its operation began in an earlier phase, under
   * the fault phase it overlapped (phases alternate: calm at even indices, faults at odd ones).
   */
  private void failure(int startPhase, String what) {
    int end = phase;
    int p = startPhase == end ? end : startPhase % 2 == 1 ? startPhase : startPhase + 1;
    synchronized (workerFailures) {
      while (workerFailures.size() <= p) {
        workerFailures.add(Collections.synchronizedList(new ArrayList<>()));
      }
      workerFailures.get(p).add(what);
    }
  }

  private Phase runPhase(String name, Fault fault, String teacher, String run, AtomicLong titles, int minute)
      throws Exception {
    synchronized (workerFailures) {
      phase = workerFailures.size();
      workerFailures.add(Collections.synchronizedList(new ArrayList<>()));
    }
    int index = phase;
    Duration max = fault == null ? CALM : Duration.ofSeconds(120);
    OpenLoopLoad.Result gets;
    OpenLoopLoad.Result posts;
    int postAllowance = 0;
    try (OpenLoopLoad.Running g = Faults.loadGet(GET_RATE, max, d.url("/api/v1/courses/1"));
        OpenLoopLoad.Running p = Faults.load(Faults.MAX_IN_FLIGHT, POST_RATE, max, Faults.LOAD_TIMEOUT,
            OpenLoopLoad.StaleRetry.ANY_METHOD, i -> HttpRequest.newBuilder(URI.create(d.url("/api/v1/courses")))
                .timeout(Faults.LOAD_TIMEOUT).header("Authorization", "Bearer " + teacher)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(
                    "{\"title\":\"soak-" + run + "-" + titles.incrementAndGet() + "\",\"description\":\"\"}"))
                .build())) {
      if (fault == null) {
        Deployment.sleep(CALM);
      } else {
        postAllowance = inject(fault, p, minute);
        Deployment.sleep(SETTLE);
      }
      g.stop();
      p.stop();
      gets = g.await();
      posts = p.await();
    }
    List<String> failures = List.copyOf(workerFailures.get(index));
    String verdict;
    boolean ok;
    if (fault == null || fault == Fault.ROLLING_RESTART) {
      ok = gets.errors() == 0 && posts.errors() == 0 && failures.isEmpty();
      verdict = "no failure allowed";
    } else if (fault == Fault.KILL) {
      ok = gets.errors() == 0 && posts.errors() <= postAllowance && posts.errors() == posts.status(502)
          && failures.stream().filter(w -> w.startsWith("login")).count() <= 1
          && failures.stream().filter(w -> w.startsWith("room")).count() <= 1;
      verdict = "POST failures <= " + postAllowance + " in flight at the kill, all 502";
    } else if (fault == Fault.SIGSTOP) {
      ok = gets.errors() == 0 && posts.errors() == posts.status(502) + posts.status(504) + posts.timeouts()
          && failures.stream().allMatch(w -> w.endsWith(" 502") || w.endsWith(" 504") || w.contains("timed out")
              || w.startsWith("room: not echoed"));
      verdict = "GET none; others 502/504/timeouts only";
    } else {
      ok = gets.errors() == gets.status(503) && posts.errors() == posts.status(503)
          && failures.stream().allMatch(w -> w.endsWith(" 503") || w.endsWith("closed 1013")
              || w.startsWith("room: relay unavailable"));
      verdict = "503 (rooms: close 1013 or the relay-unavailable error frame) only";
    }
    System.out.printf("soak %s: GET %s%n  POST %s%n  workers: %s -> %s%n", name, gets, posts, failures,
        ok ? "ok" : "FAIL");
    return new Phase(name, fault, gets, posts, postAllowance, failures, ok, verdict);
  }

  /** Injects the fault and waits for its recovery; returns how many POSTs may fail for it (KILL only). */
  private int inject(Fault fault, OpenLoopLoad.Running posts, int minute) throws Exception {
    String victim = "backend-" + (1 + minute % N);
    switch (fault) {
      case KILL -> {
        long sentBefore = posts.sent();
        int inFlightBefore = posts.inFlight();
        Faults.signal("KILL", d.pid(victim));
        int allowance = inFlightBefore + (int) (posts.sent() - sentBefore);
        Deployment.sleep(Duration.ofSeconds(3));
        d.run("up", "--instances", Integer.toString(N));
        return allowance;
      }
      case ROLLING_RESTART -> d.run("restart");
      case REDIS_RESTART -> {
        long redis = d.pid("redis");
        Faults.signal("TERM", redis);
        Faults.awaitExit(redis, Duration.ofSeconds(20));
        Deployment.sleep(Duration.ofSeconds(3));
        d.run("up", "--instances", Integer.toString(N));
      }
      case POSTGRES_RESTART -> {
        long pg = d.pid("postgres");
        Faults.signal("INT", pg);
        Faults.awaitExit(pg, Duration.ofSeconds(20));
        Deployment.sleep(Duration.ofSeconds(3));
        d.run("up", "--instances", Integer.toString(N));
      }
      case SIGSTOP -> {
        long pid = d.pid(victim);
        Faults.signal("STOP", pid);
        try {
          Deployment.sleep(Duration.ofSeconds(10));
        } finally {
          Faults.signal("CONT", pid);
        }
      }
      default -> throw new IllegalArgumentException(fault.name());
    }
    return 0;
  }

  private void judge(int minutes, String run, List<Phase> phases, SoakWorkers workers, SoakSampler sampler,
      long tookMs) throws Exception {
    long postsOk = phases.stream().mapToLong(p -> p.posts().ok()).sum();
    long postsSent = phases.stream().mapToLong(p -> p.posts().sent()).sum();
    long getsSent = phases.stream().mapToLong(p -> p.gets().sent()).sum();
    long getsErrors = phases.stream().mapToLong(p -> p.gets().errors()).sum();
    long postsErrors = phases.stream().mapToLong(p -> p.posts().errors()).sum();
    String[] stored = f.sql("SELECT count(*), count(DISTINCT title) FROM course WHERE title LIKE 'soak-" + run
        + "-%'").trim().split("\t");
    long rows = Long.parseLong(stored[0]);
    long distinct = Long.parseLong(stored[1]);
    // A logout that answered 2xx must still hold: the token is refused everywhere.
    int revived = 0;
    for (String token : workers.loggedOut()) {
      for (int i = 1; i <= N; i++) {
        if (Faults.status(f.backend(i, "/api/v1/auth/me"), token) != 401) {
          revived++;
          break;
        }
      }
    }
    List<String> failedPhases = phases.stream().filter(p -> !p.ok())
        .map(p -> p.name() + " (" + p.verdict() + "; GET " + p.gets().statuses() + " unanswered "
            + p.gets().unanswered() + ", POST " + p.posts().statuses() + " unanswered " + p.posts().unanswered()
            + ", workers " + p.workerFailures() + ")").toList();
    SoakSampler.Verdict curves = sampler.judge();
    sampler.writeChart(java.nio.file.Path.of("target/reliability/reliability-soak.svg"));
    boolean pass = rows == postsOk && distinct == rows && revived == 0 && failedPhases.isEmpty() && curves.flat()
        && workers.logins() > 0 && workers.roomPings() > 0;
    StringBuilder faults = new StringBuilder();
    for (Phase p : phases) {
      if (p.fault() != null) {
        faults.append(p.fault().what).append(": GET ").append(p.gets().errors()).append(", POST ")
            .append(p.posts().errors()).append(p.fault() == Fault.KILL ? " (<= " + p.postAllowance() + ")" : "")
            .append(", workers ").append(p.workerFailures().size()).append("; ");
      }
    }
    ReliabilityReport.record(new Row("13", "soak: " + minutes + " min of mixed load, a fault every minute",
        "in rotation: SIGKILL a backend, rolling restart, session Redis restart, PostgreSQL restart, SIGSTOP a "
            + "backend 10 s (each minute: 30 s calm, then the fault and its recovery); bin/soak " + minutes,
        "through nginx: GET /courses/1 " + GET_RATE + "/s, POST /courses " + POST_RATE + "/s, a login, /auth/me and "
            + "logout every second, a room message over a fresh WebSocket every 3 s",
        "took " + tookMs / 1000 + " s; GET " + getsErrors + " non-2xx of " + getsSent + "; POST " + postsErrors
            + " non-2xx of " + postsSent + ", " + postsOk + " answered 201, " + rows + " stored (" + distinct
            + " distinct); logins " + workers.logins() + ", logouts that held " + (workers.loggedOut().size()
            - revived) + "/" + workers.loggedOut().size() + "; room messages echoed " + workers.roomEchoes() + "/"
            + workers.roomPings() + "; per fault: " + faults + "curves: " + curves.summary()
            + (failedPhases.isEmpty() ? "" : "; FAILED phases: " + failedPhases)
            + " (chart: reliability-soak.svg)",
        "every 201 stored exactly once; every logout holds; calm phases and the rolling restart without any "
            + "failure; each fault only its allowance (" + allowances() + "); " + SoakSampler.LIMITS,
        pass));
  }

  private static String allowances() {
    StringBuilder s = new StringBuilder();
    for (Fault fault : Fault.values()) {
      s.append(fault.what).append(": ").append(fault.allowance).append("; ");
    }
    return s.substring(0, s.length() - 2);
  }
}
