package io.vtp.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vtp.session.internal.SessionIds;
import io.vtp.testkit.RedisServer;
import io.vtp.testkit.TestServers;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.RedisClient;

/**
 * {@code replicaAcknowledgement}: a real master with a real replica (two testkit servers, the second made a replica
 * with {@code REPLICAOF}). Each guarded write sends exactly one {@code WAIT} beside its one {@code EVALSHA}, the
 * replica holds the write when the call returns, and with the replica frozen (SIGSTOP) the write is reported as not
 * replicated after the timeout while the master keeps it.
 */
class ReplicaAcknowledgementIT {
  private static final String PREFIX = "vtp:session:";
  private static final Duration ACK_TIMEOUT = Duration.ofMillis(300);

  private static TestServers servers;
  private static RedisServer master;
  private static RedisServer replica;
  private static RedisClient client;
  private static Jedis onReplica;
  private static Jedis onMaster;

  @BeforeAll
  static void start() throws InterruptedException {
    servers = TestServers.create();
    master = servers.startRedis();
    replica = servers.startRedis();
    onReplica = new Jedis(replica.hostAndPort(), replica.clientConfig());
    onMaster = new Jedis(master.hostAndPort(), master.clientConfig());
    onReplica.replicaof(master.host(), master.port());
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (!onReplica.info("replication").contains("master_link_status:up")) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("replica link not up: " + onReplica.info("replication"));
      }
      Thread.sleep(50);
    }
    client = master.newClient();
  }

  @AfterAll
  static void stop() {
    if (client != null) {
      client.close();
      onReplica.close();
      onMaster.close();
    }
    if (servers != null) {
      servers.close();
    }
  }

  private static SessionStore store(RecordingListener listener) {
    return RedisSessionStore.builder(client).name("web").listener(listener)
        .replicaAcknowledgement(1, ACK_TIMEOUT).build();
  }

  /** The commands an operation caused on the master, without the statistics calls. */
  private static <T> Map<String, Long> commandsOf(Supplier<T> op, List<T> result) {
    master.resetStats();
    result.add(op.get());
    Map<String, Long> calls = new HashMap<>(master.commandCalls());
    calls.remove("info");
    calls.remove("config|resetstat");
    // The replica's own traffic on the master (its REPLCONF ACK of the offset, which WAIT asks for), not a client's.
    calls.remove("replconf");
    return calls;
  }

  private static void assertOneEvalshaAndOneWait(String op, Map<String, Long> calls) {
    assertThat(calls).as(op).containsEntry("evalsha", 1L).containsEntry("wait", 1L).doesNotContainKey("eval");
    Set<String> allowed = new HashSet<>(SessionStoreContract.SCRIPT_INTERNAL);
    allowed.addAll(Set.of("evalsha", "wait"));
    assertThat(calls.keySet()).as(op + ": commands besides one EVALSHA and one WAIT").isSubsetOf(allowed);
  }

  /** The user's session hash as the replica holds it equals the master's. */
  private static void assertReplicaHasTheWrite(String op, String userId) {
    String key = SessionIds.recordKey(PREFIX, SessionIds.userTag(userId));
    assertThat(onReplica.hgetAll(key)).as(op + ": the replica's record when the call returned")
        .isEqualTo(onMaster.hgetAll(key));
  }

  @Test
  void guardedWrites_eachSendOneWaitOnTheSameRoundTrip_andTheReplicaHasTheWriteWhenTheyReturn() {
    SessionStore store = store(new RecordingListener());
    String user = "acked-" + System.nanoTime();
    warmUp(store); // the master knows every script: steady-state counts
    List<Session> created = new java.util.ArrayList<>();
    assertOneEvalshaAndOneWait("create", commandsOf(() -> store.create(user, Map.of("role", "student")), created));
    assertReplicaHasTheWrite("create", user);
    assertThat(onReplica.hlen(SessionIds.recordKey(PREFIX, SessionIds.userTag(user)))).isEqualTo(2);

    List<Boolean> unused = new java.util.ArrayList<>();
    List<java.util.Optional<Session>> rotated = new java.util.ArrayList<>();
    assertOneEvalshaAndOneWait("rotate", commandsOf(() -> store.rotate(created.get(0).id()), rotated));
    assertReplicaHasTheWrite("rotate", user);

    List<Session> second = new java.util.ArrayList<>();
    commandsOf(() -> store.create(user, Map.of()), second);
    assertOneEvalshaAndOneWait("delete", commandsOf(() -> store.delete(rotated.get(0).orElseThrow().id()), unused));
    assertThat(unused).containsExactly(true);
    assertReplicaHasTheWrite("delete", user);
    assertThat(onReplica.hlen(SessionIds.recordKey(PREFIX, SessionIds.userTag(user)))).isEqualTo(2);

    List<Integer> ended = new java.util.ArrayList<>();
    assertOneEvalshaAndOneWait("deleteAllForUser", commandsOf(() -> store.deleteAllForUser(user), ended));
    assertThat(ended).containsExactly(1);
    assertThat(onReplica.exists(SessionIds.recordKey(PREFIX, SessionIds.userTag(user)))).isFalse();

    // Reads and attribute updates never wait.
    Session s = store.create(user, Map.of());
    List<Object> any = new java.util.ArrayList<>();
    assertThat(commandsOf(() -> store.find(s.id()), any)).doesNotContainKey("wait");
    assertThat(commandsOf(() -> store.update(s, m -> m.put("a", 1)), any)).doesNotContainKey("wait");

    // A master that lost its scripts (restart, failover, SCRIPT FLUSH): NOSCRIPT, then EVAL and WAIT again on the same
    // connection (the first WAIT followed no write of its own and cost nothing); the replica still has the write.
    onMaster.scriptFlush();
    List<Boolean> flushed = new java.util.ArrayList<>();
    assertThat(commandsOf(() -> store.delete(s.id()), flushed)).containsEntry("evalsha", 1L)
        .containsEntry("eval", 1L).containsEntry("wait", 2L);
    assertThat(flushed).containsExactly(true);
    assertReplicaHasTheWrite("delete after SCRIPT FLUSH", user);
  }

  private static void warmUp(SessionStore store) {
    String user = "warm-up-" + System.nanoTime();
    Session s = store.create(user, Map.of());
    Session r = store.rotate(s.id()).orElseThrow();
    store.create(user, Map.of());
    store.delete(r.id());
    store.deleteAllForUser(user);
  }

  @Test
  void withoutTheSetting_noWaitIsSent() {
    SessionStore store = RedisSessionStore.builder(client).name("plain").build();
    List<Session> created = new java.util.ArrayList<>();
    assertThat(commandsOf(() -> store.create("plain-user", Map.of()), created)).doesNotContainKey("wait")
        .containsEntry("evalsha", 1L);
    List<Boolean> deleted = new java.util.ArrayList<>();
    assertThat(commandsOf(() -> store.delete(created.get(0).id()), deleted)).doesNotContainKey("wait");
  }

  @Test
  void logoutAndLogin_withTheReplicaFrozen_throwNotReplicatedAfterTheTimeout_theMasterKeepsTheWrite() {
    RecordingListener listener = new RecordingListener();
    AtomicInteger notReplicated = new AtomicInteger();
    SessionStore store = RedisSessionStore.builder(client).name("web")
        .listener(new SessionStoreListener() {
          @Override
          public void onOperation(Operation operation, Outcome outcome, Duration elapsed) {
            listener.onOperation(operation, outcome, elapsed);
          }

          @Override
          public void onNotReplicated(Operation operation, int acknowledged) {
            notReplicated.incrementAndGet();
          }
        })
        .replicaAcknowledgement(1, ACK_TIMEOUT).build();
    String user = "frozen-" + System.nanoTime();
    Session s = store.create(user, Map.of());
    replica.pause();
    try {
      assertThatThrownBy(() -> store.delete(s.id()))
          .isInstanceOf(SessionNotReplicatedException.class)
          .isInstanceOf(SessionStoreUnavailableException.class)
          .hasMessageStartingWith("session store 'web': delete failed after ")
          .hasMessageContaining("applied on the master but acknowledged by 0 of 1 replicas within 300 ms (WAIT)")
          .hasMessageNotContaining(s.id()).hasMessageNotContaining(user)
          .satisfies(e -> {
            SessionNotReplicatedException n = (SessionNotReplicatedException) e;
            assertThat(n.acknowledgedReplicas()).isZero();
            assertThat(n.requiredReplicas()).isEqualTo(1);
            assertThat(n.operation()).isEqualTo("delete");
            // WAIT answers short only when its timeout has passed.
            assertThat(n.elapsed()).isGreaterThanOrEqualTo(ACK_TIMEOUT);
          });
      // Applied on the master all the same: the logout holds there.
      assertThat(store.find(s.id())).isEmpty();
      assertThatThrownBy(() -> store.create(user, Map.of())).isInstanceOf(SessionNotReplicatedException.class)
          .hasMessageStartingWith("session store 'web': create failed after ");
      assertThat(listener.operations).contains("delete:error", "create:error");
      assertThat(notReplicated).hasValue(2);
    } finally {
      replica.resume();
    }
    Session after = store.create(user, Map.of());
    assertThat(store.delete(after.id())).isTrue();
  }
}
