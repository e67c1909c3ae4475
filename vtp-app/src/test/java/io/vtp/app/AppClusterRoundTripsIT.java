package io.vtp.app;

import static io.vtp.app.TestApps.get;
import static io.vtp.app.TestApps.json;
import static io.vtp.app.TestApps.post;
import static io.vtp.app.TestApps.registerAndLogin;
import static org.assertj.core.api.Assertions.assertThat;

import io.vtp.testkit.Dedicated;
import io.vtp.testkit.PostgresDatabase;
import io.vtp.testkit.RedisCluster;
import io.vtp.testkit.RedisServer;
import io.vtp.testkit.VtpServers;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The course read's round trips on the real 3-master Redis Cluster, counted on every node ({@link RedisRoundTrips}):
 * the session lookup and the user's limit travel in one pipeline that the cluster client splits per node and syncs
 * concurrently, so a read costs one round trip when the user's session key and limit key sit on one node, and one
 * round trip on each of the two nodes otherwise; the course comes from the L1 in both cases.
 */
@ExtendWith(VtpServers.class)
class AppClusterRoundTripsIT {
  private static final int N = 20;

  private static RedisCluster cluster;
  private static App app;
  private static RedisRoundTrips counts;
  private static long course;

  @BeforeAll
  static void start(PostgresDatabase db, @Dedicated RedisCluster dedicated) throws Exception {
    cluster = dedicated;
    Map<String, String> env = TestApps.env(db, cluster.nodes().get(0), "backend-cluster");
    env.put("REDIS_URL", "redis-cluster://" + cluster.nodes().stream()
        .map(n -> "127.0.0.1:" + n.port()).collect(Collectors.joining(",")));
    // The course must stay in the L1 through a measurement (an entry expires this long after it was loaded, hits do
    // not extend it; registering the candidate users takes seconds): an expiry in the window adds the cache's GET.
    env.put("COURSE_CACHE_L1_TTL", "60s");
    app = TestApps.start(env);
    String teacher = registerAndLogin(app, "cluster-teacher@example.com", "teacher");
    course = json(post(app, "/api/v1/courses", "{\"title\":\"Cluster\",\"description\":\"d\"}", teacher))
        .get("id").asLong();
    counts = new RedisRoundTrips(cluster.nodes().stream().map(RedisServer::hostAndPort).toList(),
        cluster.nodes().get(0).clientConfig());
  }

  @AfterAll
  static void stop() {
    if (counts != null) {
      counts.close();
    }
    if (app != null) {
      app.shutdown();
    }
  }

  @Test
  void courseRead_isOneRoundTrip_whenTheUsersKeysShareANode() throws Exception {
    assertRoundTripsPerRead(true);
  }

  @Test
  void courseRead_isOneRoundTripPerNode_whenTheUsersKeysSitOnTwoNodes() throws Exception {
    assertRoundTripsPerRead(false);
  }

  /** Registers users until one's session and limit keys sit on one node (or on two), then counts N reads. */
  private static void assertRoundTripsPerRead(boolean sameNode) throws Exception {
    String token = null;
    for (int i = 0; i < 40 && token == null; i++) {
      String candidate = registerAndLogin(app, "cluster-" + sameNode + "-" + i + "@example.com", "student");
      long userId = json(get(app, "/api/v1/auth/me", candidate)).get("id").asLong();
      String sessionKey = "vtp:session:{" + candidate.substring(0, 16) + "}:s";
      String limitKey = "rl:api:{k:user:" + userId + "}:g";
      boolean together = cluster.nodeForKey(sessionKey).port() == cluster.nodeForKey(limitKey).port();
      if (together == sameNode) {
        token = candidate;
      }
    }
    assertThat(token).as("a user whose keys sit on %s", sameNode ? "one node" : "two nodes").isNotNull();
    for (int i = 0; i < 3; i++) {
      assertThat(get(app, "/api/v1/courses/" + course, token).statusCode()).isEqualTo(200);
    }

    String reader = token;
    RedisRoundTrips.Delta d = counts.measure(() -> {
      for (int i = 0; i < N; i++) {
        assertThat(get(app, "/api/v1/courses/" + course, reader).statusCode()).isEqualTo(200);
      }
    });
    System.out.println("[round trips] cluster, keys on %s, %d reads: %s".formatted(sameNode ? "one node" : "two nodes", N, d));

    assertThat(d.requestRoundTrips()).as("%s", d).isEqualTo(sameNode ? N : 2L * N);
    assertThat(d.calls("hmget")).isEqualTo(N);
    assertThat(d.calls("evalsha")).isEqualTo(N);
    assertThat(d.cacheGets()).as("cache reads (the L1 serves the course)").isZero();
  }
}
