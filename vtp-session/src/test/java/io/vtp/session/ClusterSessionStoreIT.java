package io.vtp.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vtp.session.internal.SessionIds;
import io.vtp.testkit.KeyNamespace;
import io.vtp.testkit.RedisCluster;
import io.vtp.testkit.RedisServer;
import io.vtp.testkit.VtpServers;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import redis.clients.jedis.util.JedisClusterCRC16;

/** The session store contract on a real 3-master Redis Cluster, plus what only a cluster can show. */
@ExtendWith(VtpServers.class)
class ClusterSessionStoreIT extends SessionStoreContract {
  private final RedisCluster cluster;

  ClusterSessionStoreIT(RedisCluster cluster, KeyNamespace ns) {
    super(cluster, ns);
    this.cluster = cluster;
  }

  @Test
  void usersSpreadOverEveryNode_eachUsersKeysInOneSlot_andLogoutEverywhereWorks() {
    SessionStore store = store();
    Set<Integer> ports = new HashSet<>();
    for (int u = 0; u < 30; u++) {
      String user = newUser();
      List<Session> sessions = List.of(store.create(user, Map.of("u", u)), store.create(user, Map.of()));
      List<String> keys = keysOf(user);
      assertThat(JedisClusterCRC16.getSlot(keys.get(0))).isEqualTo(JedisClusterCRC16.getSlot(keys.get(1)));
      RedisServer node = cluster.nodeForKey(keys.get(0));
      ports.add(node.port());
      assertThat(store.findAllForUser(user)).hasSize(2);
      Session rotated = store.rotate(sessions.get(0).id()).orElseThrow();
      assertThat(SessionIds.tagOf(rotated.id())).isEqualTo(SessionIds.userTag(user));
      assertThat(store.deleteAllForUser(user)).isEqualTo(2);
      assertThat(store.find(rotated.id())).isEmpty();
      assertThat(store.find(sessions.get(1).id())).isEmpty();
    }
    assertThat(ports).as("nodes that held sessions").hasSize(3);
  }

  /**
   * The test cluster's masters have no replicas, so a store asking for one is refused every confirmation: the WAIT
   * runs once, on the node owning the user's slot (the connection that ran the script), and the write stays applied.
   */
  @Test
  void replicaAcknowledgement_waitsOnTheNodeOwningTheSlot_andReportsTheMissingReplica() {
    SessionStore acked = builder(client()).replicaAcknowledgement(1, Duration.ofMillis(20)).build();
    String user = newUser();
    RedisServer node = cluster.nodeForKey(keysOf(user).get(0));
    cluster.resetStats();
    assertThatThrownBy(() -> acked.create(user, Map.of()))
        .isInstanceOf(SessionNotReplicatedException.class)
        .hasMessageContaining("acknowledged by 0 of 1 replicas within 20 ms");
    assertThat(node.commandCalls()).containsEntry("evalsha", 1L).containsEntry("wait", 1L);
    assertThat(cluster.commandCalls()).containsEntry("wait", 1L);
    assertThat(store().findAllForUser(user)).as("applied on the master all the same").hasSize(1);
  }
}
