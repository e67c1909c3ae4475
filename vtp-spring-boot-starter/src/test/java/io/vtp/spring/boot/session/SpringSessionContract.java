package io.vtp.spring.boot.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.vtp.session.RedisSessionStore;
import io.vtp.session.SessionStore;
import io.vtp.testkit.RedisServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import redis.clients.jedis.RedisClient;
import io.vtp.testkit.RedisDeployment;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.security.core.context.SecurityContext;

/**
 * The Spring Session backend under a real Spring Security form login: real Tomcat, a real HTTP client, real Redis
 * (standalone and the 3-master cluster). One application per class.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class SpringSessionContract {
  /** Counts instances of {@link Gadget}: a class a poisoned record names must never be instantiated. */
  static final AtomicInteger GADGETS = new AtomicInteger();

  private final RedisDeployment redis;
  private final ConfigurableApplicationContext app;
  private final int port;
  private final VtpSessionRepository repository;

  SpringSessionContract(RedisDeployment redis, List<RedisServer> nodes, String redisUrl, String keyPrefix) {
    this.redis = redis;
    loadSessionScripts(nodes);
    this.app = LoginTestApp.start(redisUrl, keyPrefix);
    this.port = LoginTestApp.port(app);
    this.repository = app.getBean(VtpSessionRepository.class);
  }

  @AfterAll
  void stop() {
    app.close();
  }

  @Test
  void formLogin_rotatesTheIdAndLogoutEndsTheSession() {
    Browser browser = new Browser();
    assertThat(browser.get(port, "/whoami").statusCode()).isEqualTo(302); // to the login page
    browser.get(port, "/login");
    String beforeLogin = browser.session;
    assertThat(beforeLogin).isNotNull();
    HttpResponse<String> login = browser.login(port, "alice", "alice-password");
    assertThat(login.statusCode()).isEqualTo(302);
    assertThat(login.headers().firstValue("Location")).hasValueSatisfying(l -> assertThat(l).doesNotContain("error"));
    String afterLogin = browser.session;
    assertThat(afterLogin).isNotNull().isNotEqualTo(beforeLogin).hasSize(59);

    // The security context and a session attribute live in Redis as JSON and come back on the next requests.
    assertThat(browser.get(port, "/me").body()).startsWith("alice visits=1 ");
    assertThat(browser.get(port, "/me").body()).startsWith("alice visits=2 ");
    assertThat(repository.findByPrincipalName("alice")).hasSize(1);
    assertThat(repository.findById(afterLogin).<SecurityContext>getAttribute("SPRING_SECURITY_CONTEXT")
        .getAuthentication().getName()).isEqualTo("alice");

    // Session fixation: the id from before the login is dead.
    Browser attacker = new Browser();
    attacker.session = beforeLogin;
    assertThat(attacker.get(port, "/whoami").statusCode()).isEqualTo(302);
    assertThat(repository.findById(beforeLogin)).isNull();

    // Logout deletes it server-side: the cookie value is dead even when replayed.
    HttpResponse<String> logout = browser.logout(port);
    assertThat(logout.statusCode()).isEqualTo(302);
    Browser replay = new Browser();
    replay.session = afterLogin;
    assertThat(replay.get(port, "/whoami").statusCode()).isEqualTo(302);
    assertThat(repository.findById(afterLogin)).isNull();
    assertThat(repository.findByPrincipalName("alice")).isEmpty();
  }

  @Test
  void requests_costOneRoundTripToRead_andOneMoreToWriteAChange() {
    Browser browser = new Browser();
    browser.login(port, "bob", "bob-password");
    browser.get(port, "/me"); // first use after login renews the CSRF token: one write, not counted below

    // Exact server-side command counts (INFO commandstats also counts the commands a script runs).
    redis.resetStats();
    assertThat(browser.get(port, "/whoami").body()).isEqualTo("bob");
    assertThat(commands()).as("one plain HMGET, no script").isEqualTo(Map.of("hmget", 1L));

    redis.resetStats();
    assertThat(browser.get(port, "/me").body()).startsWith("bob visits=2 ");
    assertThat(commands()).as("the HMGET read, then one compare-and-set script (HGET, HSET inside)")
        .isEqualTo(Map.of("hmget", 1L, "evalsha", 1L, "hget", 1L, "hset", 1L));

    // A request without a session cookie never reaches the store.
    redis.resetStats();
    assertThat(new Browser().get(port, "/public").body()).isEqualTo("public");
    assertThat(commands()).isEmpty();
  }

  @Test
  void repository_roundTripsPerOperation() {
    exerciseRepository(false); // loads every script into Redis (a first EVALSHA answers NOSCRIPT)
    exerciseRepository(true);
  }

  private void exerciseRepository(boolean count) {
    String principal = "carol-" + count;
    VtpSession session = repository.createSession();
    session.setAttribute("cart", java.util.List.of("a", "b"));
    session.setAttribute("count", 3);
    redis.resetStats();
    repository.save(session); // new: one create
    assertCommands(count, 1);
    String id = session.getId();

    redis.resetStats();
    VtpSession found = repository.findById(id);
    assertCommands(count, 1);
    assertThat(found.<Object>getAttribute("cart")).isEqualTo(java.util.List.of("a", "b"));
    assertThat(found.<Integer>getAttribute("count")).isEqualTo(3);

    redis.resetStats();
    repository.save(found); // unchanged: nothing sent
    assertCommands(count, 0);

    found.setAttribute("count", 4);
    redis.resetStats();
    repository.save(found); // changed: one conditional write
    assertCommands(count, 1);

    String provisional = found.changeSessionId();
    redis.resetStats();
    repository.save(found); // rotation: the new id, and nothing else changed
    assertCommands(count, 1);
    assertThat(found.getId()).isNotEqualTo(id).isNotEqualTo(provisional).hasSize(59);
    assertThat(repository.findById(id)).isNull();
    assertThat(repository.findById(found.getId()).<Integer>getAttribute("count")).isEqualTo(4);

    found.setAttribute(VtpSessionRepository.PRINCIPAL_NAME_INDEX_NAME, principal);
    String beforeMove = found.getId();
    redis.resetStats();
    repository.save(found); // a principal appears: the session moves to carol under a new id
    assertCommands(count, 2);
    assertThat(repository.findById(beforeMove)).isNull();
    assertThat(repository.findByPrincipalName(principal)).hasSize(1);

    redis.resetStats();
    repository.deleteById(found.getId());
    assertCommands(count, 1);
    assertThat(repository.findByPrincipalName(principal)).isEmpty();
  }

  @Test
  void poisonedSecurityContext_readsAsAnonymous_andNamesNoClassThatGetsBuilt() {
    SessionStore store = app.getBean(SessionStore.class);
    Map<String, Object> poisoned = Map.of("@json", Map.of("@class", Gadget.class.getName(), "name", "x"));
    String id = store.create("mallory", Map.of("a", Map.of("SPRING_SECURITY_CONTEXT", poisoned))).id();
    Browser browser = new Browser();
    browser.session = id;
    assertThat(browser.get(port, "/whoami").statusCode()).isEqualTo(302); // anonymous: to the login page
    assertThat(GADGETS.get()).isZero();
  }

  /**
   * Loads vtp-session's scripts on every node, so that no count below includes the one-off NOSCRIPT answer and
   * EVAL of a script's first use on a node.
   */
  private static void loadSessionScripts(List<RedisServer> nodes) {
    for (RedisServer node : nodes) {
      try (RedisClient client = node.newClient()) {
        for (String name : List.of("cas", "create", "delete-all", "delete", "find-all", "find", "rotate", "update")) {
          try (InputStream in = RedisSessionStore.class.getResourceAsStream("internal/" + name + ".lua")) {
            client.scriptLoad(new String(in.readAllBytes(), StandardCharsets.UTF_8));
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        }
      }
    }
  }

  private void assertCommands(boolean count, long expected) {
    if (count) {
      assertThat(sessionCommands()).as("%s", redis.commandCalls()).isEqualTo(expected);
    }
  }

  /** Round trips of the session store: its scripts, or its one plain HMGET read when no script ran. */
  private long sessionCommands() {
    Map<String, Long> calls = commands();
    long scripts = calls.getOrDefault("evalsha", 0L) + calls.getOrDefault("eval", 0L);
    return scripts > 0 ? scripts : calls.getOrDefault("hmget", 0L);
  }

  private Map<String, Long> commands() {
    Map<String, Long> calls = new java.util.HashMap<>(redis.commandCalls());
    calls.remove("info");
    calls.remove("config|resetstat");
    return calls;
  }

  /** Would count its instantiation; not on any allowlist. */
  public static final class Gadget {
    public String name;

    public Gadget() {
      GADGETS.incrementAndGet();
    }
  }
}
