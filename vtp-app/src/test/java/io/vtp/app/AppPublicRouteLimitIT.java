package io.vtp.app;

import static io.vtp.app.TestApps.get;
import static org.assertj.core.api.Assertions.assertThat;

import io.vtp.testkit.Dedicated;
import io.vtp.testkit.PostgresDatabase;
import io.vtp.testkit.RedisServer;
import io.vtp.testkit.VtpServers;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Public routes resolve a presented session: users sharing one address (an office, a carrier NAT) each get their
 * own API budget; requests without a valid session share the address's. A Redis of its own, so no other test's
 * budget for this address interferes.
 */
@ExtendWith(VtpServers.class)
class AppPublicRouteLimitIT {
  private static final int API_LIMIT = 5; // one permit back per 12 s: no refill during the test
  private static App app;

  @BeforeAll
  static void start(PostgresDatabase db, @Dedicated RedisServer redis) throws Exception {
    Map<String, String> env = TestApps.env(db, redis, "backend-public");
    env.put("RATE_LIMIT_API_PER_MINUTE", Integer.toString(API_LIMIT));
    app = TestApps.start(env);
  }

  @AfterAll
  static void stop() {
    app.shutdown();
  }

  @Test
  void publicRoutes_withAValidSession_areLimitedPerUser_andWithoutOnePerAddress() throws Exception {
    String[] users = new String[2];
    for (int i = 0; i < users.length; i++) { // registering is a public route: 2 of this address's budget
      users[i] = TestApps.registerAndLogin(app, "public-" + i + "@example.com", "student");
    }

    for (String token : users) {
      for (int i = 0; i < API_LIMIT; i++) {
        HttpResponse<String> r = get(app, "/api/v1/courses", token);
        assertThat(r.statusCode()).as("user request %d: %s", i, r.body()).isEqualTo(200);
      }
      assertThat(get(app, "/api/v1/courses", token).statusCode()).as("over the user's budget").isEqualTo(429);
    }

    // Anonymous, and an invalid token counts as anonymous: the address's budget, 2 of which registering spent.
    for (int i = 0; i < API_LIMIT - 2; i++) {
      assertThat(get(app, "/api/v1/courses", i % 2 == 0 ? null : "not-a-session").statusCode())
          .as("anonymous request %d", i).isEqualTo(200);
    }
    assertThat(get(app, "/api/v1/courses", null).statusCode()).isEqualTo(429);
  }
}
