package io.vtp.app;

import static io.vtp.app.TestApps.get;
import static io.vtp.app.TestApps.post;
import static io.vtp.app.TestApps.registerAndLogin;
import static org.assertj.core.api.Assertions.assertThat;

import io.vtp.testkit.Dedicated;
import io.vtp.testkit.PostgresDatabase;
import io.vtp.testkit.RedisServer;
import io.vtp.testkit.VtpServers;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What the shared round trip (session lookup and the user's limit together) may charge: a session id's user tag is
 * computable by anyone who knows the user id, so the limit must never be charged by tag. The app charges the user
 * the session store itself found under that exact id before; forged ids name nobody. Two instances on a Redis of
 * this class's own, at a real limit of {@value #API_LIMIT} per minute (one permit back per second).
 */
@ExtendWith(VtpServers.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AppForgedSessionIT {
  private static final int API_LIMIT = 60;
  private static final Pattern REMAINING = Pattern.compile("\"api\";r=(\\d+)");

  private static App a;
  private static App b;
  private static long course;

  @BeforeAll
  static void start(PostgresDatabase db, @Dedicated RedisServer redis) throws Exception {
    Map<String, String> env = TestApps.env(db, redis, "backend-a");
    env.put("RATE_LIMIT_API_PER_MINUTE", Integer.toString(API_LIMIT));
    a = TestApps.start(env);
    env.put("INSTANCE_ID", "backend-b");
    b = TestApps.start(env);
    String teacher = registerAndLogin(a, "forged-teacher@example.com", "teacher");
    course = TestApps.json(post(a, "/api/v1/courses", "{\"title\":\"Forged\",\"description\":\"d\"}", teacher))
        .get("id").asLong();
  }

  @AfterAll
  static void stop() {
    for (App app : new App[] {a, b}) {
      if (app != null) {
        app.shutdown();
      }
    }
  }

  @Test
  @Order(2) // last: the forged anonymous requests spend this address's own budget
  void forgedIdsCarryingAVictimsTag_neverChargeTheVictim() throws Exception {
    String victim = registerAndLogin(a, "victim@example.com", "student");
    get(a, "/api/v1/auth/me", victim); // a remembers the victim's session: its lookups now carry the user's charge
    int before = remaining(get(a, "/api/v1/auth/me", victim));

    // Anyone who knows the victim's user id can compute the tag (the first 16 characters of every session id).
    String tag = victim.substring(0, 16);
    SecureRandom random = new SecureRandom();
    ExecutorService pool = Executors.newFixedThreadPool(8);
    List<Future<Integer>> sent = new ArrayList<>();
    int forged = 400;
    for (int i = 0; i < forged; i++) {
      byte[] secret = new byte[32];
      random.nextBytes(secret);
      String token = tag + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
      String path = i % 2 == 0 ? "/api/v1/auth/me" : "/api/v1/courses/" + course;
      sent.add(pool.submit(() -> get(a, path, token).statusCode()));
    }
    for (Future<Integer> f : sent) {
      assertThat(f.get()).isIn(401, 200, 429); // 429: the attacker's own address ran out, never the victim
    }
    pool.shutdown();

    HttpResponse<String> after = get(a, "/api/v1/auth/me", victim);
    assertThat(after.statusCode()).isEqualTo(200);
    // One permit for this request; refill during the attack can only raise it.
    assertThat(remaining(after)).as("victim's remaining budget before %d forged requests: %d", forged, before)
        .isGreaterThanOrEqualTo(before - 1);
  }

  @Test
  @Order(1)
  void endedSession_chargesItsUserAtMostOncePerRaceOnTheInstanceThatRemembersIt() throws Exception {
    String old = registerAndLogin(a, "ended@example.com", "student");
    get(b, "/api/v1/auth/me", old); // b remembers the session
    assertThat(post(a, "/api/v1/auth/logout", null, old).statusCode()).isIn(200, 204);
    String current = TestApps.login(a, "ended@example.com", "correct horse battery");
    int before = remaining(get(a, "/api/v1/auth/me", current));

    for (int i = 0; i < 20; i++) {
      assertThat(get(b, "/api/v1/auth/me", old).statusCode()).isEqualTo(401);
    }

    // b charged the user for the first request only (its lookup found the session gone and b forgot it).
    assertThat(remaining(get(a, "/api/v1/auth/me", current))).isGreaterThanOrEqualTo(before - 2);
  }

  private static int remaining(HttpResponse<String> r) {
    String header = r.headers().firstValue("RateLimit").orElseThrow();
    Matcher m = REMAINING.matcher(header);
    assertThat(m.find()).as(header).isTrue();
    return Integer.parseInt(m.group(1));
  }
}
