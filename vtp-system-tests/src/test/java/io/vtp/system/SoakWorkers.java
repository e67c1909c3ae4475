package io.vtp.system;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntSupplier;

/**
 * The soak's two sequential workers, beside its HTTP loads: every second a user logs in, reads {@code /auth/me} and
 * logs out (each logout that answered 2xx is kept, so the soak can check it still holds); every 3 s a room member
 * connects through nginx over a fresh WebSocket, sends a message and waits for its echo. Every failure goes to the
 * given sink as a short text with the status, the close code or the error, with the phase its operation began in.
 */
final class SoakWorkers {
  private static final Duration LOGIN_PERIOD = Duration.ofSeconds(1);
  private static final Duration ROOM_PERIOD = Duration.ofSeconds(3);

  private final Deployment d;
  private final String teacher;
  private final String room;
  private final String student;
  private final IntSupplier phase;
  private final Failures failures;
    /** Where failures go: the phase the failed operation began in, and what failed. */
  interface Failures {
    void add(int startPhase, String what);
  }
  private final ExecutorService threads = Executors.newFixedThreadPool(2, r -> {
    Thread t = new Thread(r, "soak-worker");
    t.setDaemon(true);
    return t;
  });
  private final List<String> loggedOut = Collections.synchronizedList(new ArrayList<>());
  private final AtomicLong logins = new AtomicLong();
  private final AtomicLong roomPings = new AtomicLong();
  private final AtomicLong roomEchoes = new AtomicLong();
  private volatile boolean running = true;

  private SoakWorkers(Deployment d, String teacher, String room, String student, IntSupplier phase,
      Failures failures) {
    this.d = d;
    this.teacher = teacher;
    this.room = room;
    this.student = student;
    this.phase = phase;
    this.failures = failures;
  }

  static SoakWorkers start(Deployment d, String teacher, String room, String student, IntSupplier phase,
      Failures failures) {
    SoakWorkers w = new SoakWorkers(d, teacher, room, student, phase, failures);
    w.threads.submit(() -> w.every(LOGIN_PERIOD, w::loginFlow));
    w.threads.submit(() -> w.every(ROOM_PERIOD, w::roomPing));
    return w;
  }

  List<String> loggedOut() {
    return List.copyOf(loggedOut);
  }

  long logins() {
    return logins.get();
  }

  long roomPings() {
    return roomPings.get();
  }

  long roomEchoes() {
    return roomEchoes.get();
  }

  private void every(Duration period, Runnable step) {
    long next = System.nanoTime();
    while (running) {
      step.run();
      next += period.toNanos();
      long wait = next - System.nanoTime();
      if (wait > 0) {
        try {
          TimeUnit.NANOSECONDS.sleep(wait);
        } catch (InterruptedException e) {
          return;
        }
      } else {
        next = System.nanoTime();
      }
    }
  }

  private void loginFlow() {
    int start = phase.getAsInt();
    Consumer failure = what -> failures.add(start, what);
    try {
      HttpResponse<String> login = send(() -> Faults.login(d.url(""), student));
      if (login.statusCode() != 200) {
        failure.accept("login " + login.statusCode());
        return;
      }
      logins.incrementAndGet();
      String token = Faults.json(login).get("token").asText();
      HttpResponse<String> me = send(() -> Faults.get(d.url("/api/v1/auth/me"), token));
      if (me.statusCode() != 200) {
        failure.accept("login: me " + me.statusCode());
      }
      HttpResponse<String> logout = send(() -> Faults.post(d.url("/api/v1/auth/logout"), token, "{}"));
      if (logout.statusCode() / 100 == 2) {
        loggedOut.add(token);
      } else {
        failure.accept("login: logout " + logout.statusCode());
      }
    } catch (IOException e) {
      failure.accept("login: " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private interface Call {
    HttpResponse<String> send() throws IOException, InterruptedException;
  }

  /**
   * Sends once more when the shared client's reused keep-alive connection was closed under the request before
   * any answer (nginx reloading), as a browser does; logging in twice only makes one more session.
   */
  private static HttpResponse<String> send(Call call) throws IOException, InterruptedException {
    try {
      return call.send();
    } catch (IOException e) {
      String m = String.valueOf(e.getMessage());
      if (m.contains("received no bytes") || m.contains("Connection reset") || m.contains("EOF reached")) {
        return call.send();
      }
      throw e;
    }
  }

  /** One failure sink bound to the phase an operation began in. */
  private interface Consumer {
    void accept(String what);
  }

  private void roomPing() {
    int start = phase.getAsInt();
    Consumer failure = what -> failures.add(start, what);
    roomPings.incrementAndGet();
    RoomMember member = null;
    String text = "soak-" + UUID.randomUUID();
    try {
      member = RoomMember.connect(URI.create("ws://127.0.0.1:" + d.httpPort + "/ws/rooms/" + room), teacher);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      boolean welcomed = false;
      while (!welcomed && !member.closed.isDone() && System.nanoTime() < deadline) {
        String frame = member.frames.poll(100, TimeUnit.MILLISECONDS);
        welcomed = frame != null && frame.contains("\"welcome\"");
      }
      if (!welcomed) {
        Integer closed = member.closed.getNow(null);
        failure.accept(closed == null ? "room: timed out waiting for the welcome" : "room: closed " + closed);
        return;
      }
      member.ws.sendText("{\"type\":\"message\",\"data\":\"" + text + "\"}", true).get(5, TimeUnit.SECONDS);
      String answer = member.awaitAny(Duration.ofSeconds(5), text, "relay unavailable");
      if (text.equals(answer)) {
        roomEchoes.incrementAndGet();
      } else if (answer != null) {
        failure.accept("room: relay unavailable (error frame)");
      } else {
        Integer closed = member.closed.getNow(null);
        failure.accept("room: not echoed" + (closed == null ? "" : " (closed " + closed + ")"));
      }
    } catch (ExecutionException e) {
      if (e.getCause() instanceof WebSocketHandshakeException h) {
        failure.accept("room: handshake " + h.getResponse().statusCode());
      } else {
        failure.accept("room: " + e.getCause());
      }
    } catch (java.util.concurrent.TimeoutException e) {
      failure.accept("room: timed out");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      failure.accept("room: " + e);
    } finally {
      if (member != null) {
        member.ws.abort();
      }
    }
  }

  /** Stops the thread(s), waiting at most 30 s. */
  void stop() throws InterruptedException {
    running = false;
    threads.shutdownNow();
    threads.awaitTermination(30, TimeUnit.SECONDS);
  }

}
