package io.vtp.system;

import static io.vtp.system.ReliabilityRedisTopologiesIT.cli;
import static org.awaitility.Awaitility.await;

import io.vtp.redis.RedisClientOptions;
import io.vtp.redis.RedisClients;
import io.vtp.redis.RedisUrl;
import io.vtp.session.RedisSessionStore;
import io.vtp.session.Session;
import io.vtp.session.SessionNotReplicatedException;
import io.vtp.session.SessionStore;
import io.vtp.session.SessionStoreUnavailableException;
import io.vtp.system.ReliabilityReport.Row;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.UnifiedJedis;

/**
 * Scenario 14 of the reliability suite: how many acknowledged session writes a Redis Sentinel failover loses, with
 * and without {@code RedisSessionStore.Builder.replicaAcknowledgement}. For each fault and each setting a fresh
 * master, replica and three sentinels start on loopback (ports 30700-30744, 10 per round), four threads log in
 * ({@code create}) and log out their oldest session beyond 500 ({@code delete}) through a Sentinel client for 3 s,
 * the fault
 * strikes, and the stream goes on until Sentinel has promoted the replica and 1.5 s more. Then every session is
 * looked up on the new master: an acknowledged login that is missing is lost, an acknowledged logout whose session
 * is there again is revived. Two faults: the master SIGKILLed with a healthy replication link, and the link to the
 * replica stalled for 500 ms before the SIGKILL (a replica behind by half a second, as a partition or a congested
 * link leaves it; the stall is a relay in this JVM that stops forwarding and then drops what it holds). Latency per
 * operation is taken before the fault. Bounded: four rounds of about 10 s.
 *
 * <p>Alone: {@code ./mvnw -B -ntp -pl vtp-system-tests verify -Dtest=NONE
 * -Dit.test=ReliabilitySessionDurabilityIT -Dsurefire.failIfNoSpecifiedTests=false} (after
 * {@code install -DskipTests -DskipITs} of the modules).
 */
class ReliabilitySessionDurabilityIT {
  private static final int BASE_PORT = 30700;
  private static final int THREADS = 4;
  private static final Duration ACK_TIMEOUT = Duration.ofMillis(100);
  private static final Duration BEFORE_FAULT = Duration.ofSeconds(3);
  private static final Duration STALL = Duration.ofMillis(500);
  /**
   * Sessions each thread keeps logged in; it logs out the oldest beyond that. About a second of logins, longer than
   * the stall, so the logouts during a stall end sessions from before it and the logins during it are still live
   * at the kill (a session logged in and out within the stall leaves no trace either way).
   */
  private static final int LIVE_PER_THREAD = 500;

  enum Fault {
    KILL("SIGKILL the master"),
    STALLED_LINK_THEN_KILL("replication link stalled 500 ms, then SIGKILL the master");

    final String text;

    Fault(String text) {
      this.text = text;
    }
  }

  /** One round's figures. */
  record Round(Fault fault, boolean acks, int logins, int logouts, int lostLogins, int revivedLogouts,
      int notReplicated, int notReplicatedAfterPromotion, int unconfirmedLogoutsRevived, int failed, long failoverMs,
      long[] createNs,
      long[] deleteNs) {}

  @Test
  void s14_sentinelFailover_replicaAcknowledgement_losesNoAcknowledgedLoginAndRevivesNoAcknowledgedLogout()
      throws Exception {
    List<Round> rounds = new ArrayList<>();
    int round = 0;
    for (Fault fault : Fault.values()) {
      for (boolean acks : new boolean[] {false, true}) {
        rounds.add(round(round++, fault, acks));
      }
    }
    StringBuilder measured = new StringBuilder();
    boolean pass = true;
    for (Round r : rounds) {
      measured.append(r.fault() == Fault.KILL ? "kill" : "stalled link + kill").append(", ")
          .append(r.acks() ? "WAIT 1/100 ms" : "default").append(": ").append(r.lostLogins()).append(" of ")
          .append(r.logins()).append(" acknowledged logins lost, ").append(r.revivedLogouts()).append(" of ")
          .append(r.logouts()).append(" acknowledged logouts revived, failover ").append(r.failoverMs())
          .append(" ms; ");
      pass &= r.failoverMs() >= 0;
      if (r.acks()) {
        pass &= r.lostLogins() == 0 && r.revivedLogouts() == 0;
      }
    }
    Round stalledDefault = rounds.get(2);
    // The harness must be able to see a loss: without the setting, the stalled link loses writes.
    pass &= stalledDefault.lostLogins() + stalledDefault.revivedLogouts() > 0;
    Round killDefault = rounds.get(0);
    Round killAcks = rounds.get(1);
    measured.append("latency before the fault p50/p99 create ").append(ms(pct(killDefault.createNs(), 50)))
        .append('/').append(ms(pct(killDefault.createNs(), 99))).append(" ms default vs ")
        .append(ms(pct(killAcks.createNs(), 50))).append('/').append(ms(pct(killAcks.createNs(), 99)))
        .append(" ms with WAIT; delete ").append(ms(pct(killDefault.deleteNs(), 50))).append('/')
        .append(ms(pct(killDefault.deleteNs(), 99))).append(" vs ").append(ms(pct(killAcks.deleteNs(), 50)))
        .append('/').append(ms(pct(killAcks.deleteNs(), 99))).append(" ms");
    writeDetails(rounds);
    ReliabilityReport.record(new Row("14", "the Redis master dies during logins and logouts (Sentinel): "
        + "session store without and with replicaAcknowledgement",
        "per round a fresh master, replica and 3 sentinels on loopback (down-after 1 s, quorum 2); SIGKILL the "
            + "master, or stall the replication link 500 ms then SIGKILL; each fault with the default store and "
            + "with replicaAcknowledgement(1, 100 ms)",
        THREADS + " threads: create a session, delete the thread's oldest beyond " + LIVE_PER_THREAD
            + ", ~1 ms apart, 3 s before the fault, until 1.5 s after the promotion",
        measured.toString(),
        "with replicaAcknowledgement: 0 acknowledged logins lost and 0 acknowledged logouts revived in both "
            + "faults; without it the stalled link loses some (the harness sees loss); every failover completes",
        pass));
  }

  private static Round round(int round, Fault fault, boolean acks) throws Exception {
    int base = BASE_PORT + round * 10;
    int master = base;
    int replica = base + 1;
    Path dir = Files.createTempDirectory("vtp-session-durability-");
    List<Process> processes = new ArrayList<>();
    LinkRelay relay = null;
    try {
      processes.add(ReliabilityRedisTopologiesIT.server(dir, "master", master));
      int upstream = master;
      if (fault == Fault.STALLED_LINK_THEN_KILL) {
        relay = new LinkRelay(base + 5, master);
        upstream = base + 5;
      }
      processes.add(ReliabilityRedisTopologiesIT.server(dir, "replica", replica, "--replicaof", "127.0.0.1",
          Integer.toString(upstream)));
      await("replica linked").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
          .until(() -> cli(replica, "INFO", "replication").contains("master_link_status:up"));
      String sentinels = startSentinels(dir, processes, master, replica, base + 2);
      RedisClientOptions options = RedisClientOptions.builder().poolSize(THREADS * 2)
          .connectTimeout(Duration.ofMillis(500)).socketTimeout(Duration.ofSeconds(1))
          .poolWait(Duration.ofSeconds(1)).clientName("durability").build();
      try (UnifiedJedis client = RedisClients.create(RedisUrl.parse("redis-sentinel://" + sentinels + "/mymaster"),
          options)) {
        RedisSessionStore.Builder b = RedisSessionStore.builder(client).name(acks ? "acked" : "default");
        SessionStore store = (acks ? b.replicaAcknowledgement(1, ACK_TIMEOUT) : b).build();
        return stream(store, RedisSessionStore.builder(client).name("check").build(), fault, acks, processes.get(0),
            relay, base + 2, replica);
      }
    } finally {
      if (relay != null) {
        relay.close();
      }
      for (Process p : processes) {
        p.destroy();
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
          p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
      }
    }
  }

  private static Round stream(SessionStore store, SessionStore check, Fault fault, boolean acks, Process master,
      LinkRelay relay, int sentinel, int replica) throws Exception {
    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong faultAt = new AtomicLong();
    Set<String> created = ConcurrentHashMap.newKeySet();
    Set<String> deleted = ConcurrentHashMap.newKeySet();
    Set<String> unconfirmed = ConcurrentHashMap.newKeySet(); // logouts answered "not replicated"
    Set<String> unknown = ConcurrentHashMap.newKeySet(); // logouts that failed: state unknown
    List<Long> createNs = Collections.synchronizedList(new ArrayList<>());
    List<Long> deleteNs = Collections.synchronizedList(new ArrayList<>());
    AtomicInteger notReplicated = new AtomicInteger();
    AtomicInteger afterPromotion = new AtomicInteger(); // the new master has no replica: every guarded write is short
    AtomicBoolean promoted = new AtomicBoolean();
    AtomicInteger failed = new AtomicInteger();
    List<Thread> workers = new ArrayList<>();
    for (int t = 0; t < THREADS; t++) {
      int thread = t;
      workers.add(start("durability-" + t, () -> {
        java.util.ArrayDeque<String> live = new java.util.ArrayDeque<>();
        for (int i = 0; !stop.get(); i++) {
          long start = System.nanoTime();
          try {
            Session s = store.create("user-" + thread + "-" + i, Map.of("role", "student"));
            if (faultAt.get() == 0) {
              createNs.add(System.nanoTime() - start);
            }
            created.add(s.id());
            live.addLast(s.id());
          } catch (SessionNotReplicatedException e) {
            notReplicated.incrementAndGet();
            afterPromotion.addAndGet(promoted.get() ? 1 : 0);
          } catch (SessionStoreUnavailableException e) {
            failed.incrementAndGet();
            LockSupport.parkNanos(Duration.ofMillis(20).toNanos()); // no hot loop while Redis is gone
          }
          if (live.size() > LIVE_PER_THREAD) {
            String old = live.removeFirst();
            long d = System.nanoTime();
            try {
              if (store.delete(old)) {
                if (faultAt.get() == 0) {
                  deleteNs.add(System.nanoTime() - d);
                }
                deleted.add(old);
              }
            } catch (SessionNotReplicatedException e) {
              notReplicated.incrementAndGet();
              afterPromotion.addAndGet(promoted.get() ? 1 : 0);
              unconfirmed.add(old);
            } catch (SessionStoreUnavailableException e) {
              failed.incrementAndGet();
              unknown.add(old);
            }
          }
          LockSupport.parkNanos(Duration.ofMillis(1).toNanos());
        }
      }));
    }
    long failoverMs = -1;
    try {
      Thread.sleep(BEFORE_FAULT.toMillis());
      faultAt.set(System.nanoTime());
      if (relay != null) {
        relay.stall();
        Thread.sleep(STALL.toMillis());
      }
      master.destroyForcibly(); // SIGKILL
      long killed = System.nanoTime();
      if (relay != null) {
        relay.close(); // what the stalled link held is lost with the master
      }
      long deadline = killed + Duration.ofSeconds(20).toNanos();
      while (System.nanoTime() < deadline) {
        if (cli(sentinel, "SENTINEL", "GET-MASTER-ADDR-BY-NAME", "mymaster").contains(Integer.toString(replica))) {
          failoverMs = Duration.ofNanos(System.nanoTime() - killed).toMillis();
          promoted.set(true);
          break;
        }
        Thread.sleep(100);
      }
      Thread.sleep(1500);
    } finally {
      stop.set(true);
      for (Thread w : workers) {
        w.join(10_000);
      }
    }
    Set<String> expected = ConcurrentHashMap.newKeySet();
    expected.addAll(created);
    expected.removeAll(deleted);
    expected.removeAll(unconfirmed);
    expected.removeAll(unknown);
    int lost = 0;
    for (String id : expected) {
      lost += present(check, id) ? 0 : 1;
    }
    int revived = 0;
    for (String id : deleted) {
      revived += present(check, id) ? 1 : 0;
    }
    int unconfirmedRevived = 0;
    for (String id : unconfirmed) {
      unconfirmedRevived += present(check, id) ? 1 : 0;
    }
    return new Round(fault, acks, created.size(), deleted.size(), lost, revived, notReplicated.get(),
        afterPromotion.get(), unconfirmedRevived, failed.get(), failoverMs, sorted(createNs), sorted(deleteNs));
  }

  private static boolean present(SessionStore check, String id) {
    for (int attempt = 0; ; attempt++) {
      try {
        return check.find(id).isPresent();
      } catch (SessionStoreUnavailableException e) {
        if (attempt >= 50) {
          throw e;
        }
        LockSupport.parkNanos(Duration.ofMillis(100).toNanos()); // the client still moving to the new master
      }
    }
  }

  /** Three sentinels on {@code firstPort}..+2, returned as {@code host:port,...} once each knows the others. */
  private static String startSentinels(Path dir, List<Process> processes, int master, int replica, int firstPort)
      throws Exception {
    StringBuilder sentinels = new StringBuilder();
    for (int port = firstPort; port < firstPort + 3; port++) {
      Path conf = dir.resolve("sentinel-" + port + ".conf");
      Files.writeString(conf, "port " + port + "\nbind 127.0.0.1\ndaemonize no\ndir " + dir + "\n"
          + "sentinel monitor mymaster 127.0.0.1 " + master + " 2\n"
          + "sentinel down-after-milliseconds mymaster 1000\n"
          + "sentinel failover-timeout mymaster 5000\nsentinel parallel-syncs mymaster 1\n");
      processes.add(new ProcessBuilder("redis-server", conf.toString(), "--sentinel").redirectErrorStream(true)
          .redirectOutput(dir.resolve("sentinel-" + port + ".log").toFile()).start());
      sentinels.append(sentinels.length() == 0 ? "" : ",").append("127.0.0.1:").append(port);
    }
    await("replica and sentinels known to every sentinel").atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(100)).until(() -> {
          for (int p = firstPort; p < firstPort + 3; p++) {
            String others = cli(p, "SENTINEL", "SENTINELS", "mymaster");
            for (int q = firstPort; q < firstPort + 3; q++) {
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
    return sentinels.toString();
  }

  /** The per-round table, appended under the results table by {@link ReliabilityReport}. */
  private static void writeDetails(List<Round> rounds) throws java.io.IOException {
    StringBuilder md = new StringBuilder();
    md.append("## 14 in detail: session writes lost in a Sentinel failover, without and with replica ")
        .append("acknowledgement\n\n")
        .append("`RedisSessionStore.builder(redis).replicaAcknowledgement(1, Duration.ofMillis(100))` against the ")
        .append("default store; one round per line (fresh master, replica, 3 sentinels). Latency is measured ")
        .append("before the fault, through a Sentinel client on loopback. Lost: an acknowledged `create` missing ")
        .append("on the new master; revived: an acknowledged `delete` whose session is back. With the setting, ")
        .append("writes not confirmed in time answer `SessionNotReplicatedException` (503 for the caller): those ")
        .append("logouts are not acknowledged, and the last column says how many of them the failover revived. ")
        .append("After the promotion the new master has no replica (the old master is dead), so with the setting ")
        .append("every login and logout answers 503 until a replica is back (the second number under \"Not ")
        .append("replicated\"). ")
        .append("Run two replicas to keep `replicaAcknowledgement(1, ...)` writable through a failover. In the ")
        .append("stalled-link rounds the replication runs through a relay in the test JVM, which adds to the ")
        .append("latency with the setting; take the latency from the first two rows. ")
        .append("Run alone: `./mvnw -B -ntp -pl vtp-system-tests verify -Dtest=NONE ")
        .append("-Dit.test=ReliabilitySessionDurabilityIT -Dsurefire.failIfNoSpecifiedTests=false`.\n\n")
        .append("| Fault | Store | Logins acknowledged | Lost | Logouts acknowledged | Revived | Failover (ms) | ")
        .append("create p50 / p99 (ms) | delete p50 / p99 (ms) | Errors during failover ")
        .append("| Not replicated (503): all / after promotion ")
        .append("| of which logouts revived |\n")
        .append("|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    for (Round r : rounds) {
      md.append("| ").append(r.fault().text).append(" | ")
          .append(r.acks() ? "replicaAcknowledgement(1, 100 ms)" : "default").append(" | ").append(r.logins())
          .append(" | ").append(r.lostLogins()).append(" | ").append(r.logouts()).append(" | ")
          .append(r.revivedLogouts()).append(" | ").append(r.failoverMs()).append(" | ")
          .append(ms(pct(r.createNs(), 50))).append(" / ").append(ms(pct(r.createNs(), 99))).append(" | ")
          .append(ms(pct(r.deleteNs(), 50))).append(" / ").append(ms(pct(r.deleteNs(), 99))).append(" | ")
          .append(r.failed()).append(" | ").append(r.notReplicated()).append(" / ")
          .append(r.notReplicatedAfterPromotion()).append(" | ")
          .append(r.unconfirmedLogoutsRevived()).append(" |\n");
    }
    ReliabilityReport.details("14", md.toString());
  }

  private static Thread start(String name, Runnable body) {
    Thread t = new Thread(body, name);
    t.setDaemon(true);
    t.start();
    return t;
  }

  private static long[] sorted(List<Long> values) {
    long[] a;
    synchronized (values) {
      a = values.stream().mapToLong(Long::longValue).toArray();
    }
    Arrays.sort(a);
    return a;
  }

  private static long pct(long[] sorted, int p) {
    if (sorted.length == 0) {
      return 0;
    }
    return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)];
  }

  private static String ms(long nanos) {
    return String.format(java.util.Locale.ROOT, "%.2f", nanos / 1e6);
  }

  /**
   * A TCP relay carrying the replication link that can stall (stop forwarding in both directions, as a partition
   * does) and then close, dropping whatever it holds: the replica never receives what the master sent meanwhile.
   */
  private static final class LinkRelay implements AutoCloseable {
    private final java.net.ServerSocket server;
    private final int target;
    private final List<java.net.Socket> sockets = new java.util.concurrent.CopyOnWriteArrayList<>();
    private volatile boolean stalled;
    private volatile boolean closed;

    LinkRelay(int port, int target) throws java.io.IOException {
      this.target = target;
      server = new java.net.ServerSocket();
      server.setReuseAddress(true);
      server.bind(new java.net.InetSocketAddress("127.0.0.1", port));
      start("link-relay", this::accept);
    }

    void stall() {
      stalled = true;
    }

    private void accept() {
      while (!closed) {
        try {
          java.net.Socket in = server.accept();
          java.net.Socket out = new java.net.Socket("127.0.0.1", target);
          sockets.add(in);
          sockets.add(out);
          start("link-relay-up", () -> pump(in, out));
          start("link-relay-down", () -> pump(out, in));
        } catch (java.io.IOException e) {
          return;
        }
      }
    }

    private void pump(java.net.Socket from, java.net.Socket to) {
      byte[] buf = new byte[16 * 1024];
      try {
        var in = from.getInputStream();
        var out = to.getOutputStream();
        for (int n; (n = in.read(buf)) >= 0; ) {
          while (stalled && !closed) {
            LockSupport.parkNanos(Duration.ofMillis(2).toNanos());
          }
          if (closed) {
            return; // dropped with the link
          }
          out.write(buf, 0, n);
        }
      } catch (java.io.IOException e) {
        // the link is gone
      } finally {
        close(from);
        close(to);
      }
    }

    private static void close(java.net.Socket s) {
      try {
        s.close();
      } catch (java.io.IOException e) {
        // closing anyway
      }
    }

    @Override
    public void close() {
      closed = true;
      try {
        server.close();
      } catch (java.io.IOException e) {
        // closing anyway
      }
      sockets.forEach(LinkRelay::close);
    }
  }
}
