package io.vtp.session;

import io.vtp.redis.RoundTrip;

import io.vtp.testkit.KeyNamespace;
import io.vtp.testkit.MutableClock;
import io.vtp.testkit.RedisDeployment;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vtp.session.internal.SessionIds;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.UnifiedJedis;

/**
 * The session store contract, run against standalone Redis and a 3-master Redis Cluster by subclasses. Every test
 * uses fresh user ids, so tests never see each other's sessions.
 */
abstract class SessionStoreContract {
  /** Commands the scripts run inside an EVALSHA; anything else top-level would be an extra round trip. */
  static final Set<String> SCRIPT_INTERNAL = Set.of("type", "hget", "hmget", "hset", "hdel", "zadd", "zrem", "zcard",
      "zcount", "zrange", "zrangebyscore", "pexpire", "del");
  static final Duration IDLE = Duration.ofMinutes(30);
  static final Duration ABSOLUTE = Duration.ofHours(8);
  static final Duration TOUCH = Duration.ofMinutes(1);

  final MutableClock clock = MutableClock.startingNow();
  final RecordingListener listener = new RecordingListener();
  final List<UnifiedJedis> clients = new ArrayList<>();
  private int users;

  private final RedisDeployment redis;
  private final KeyNamespace ns;

  /** Runs the contract on a deployment, with the test class's key namespace (cleaned afterwards). */
  SessionStoreContract(RedisDeployment redis, KeyNamespace ns) {
    this.redis = redis;
    this.ns = ns;
  }

  /** A new client to the server under test; closed after the test. */
  UnifiedJedis connect() {
    return redis.newClient();
  }

  /** Command calls since the last reset, summed over every node. */
  Map<String, Long> commandCalls() {
    return redis.commandCalls();
  }

  void resetStats() {
    redis.resetStats();
  }

  /** This class's own key prefix. */
  String keyPrefix() {
    return ns.prefix();
  }

  UnifiedJedis client() {
    if (clients.isEmpty()) {
      clients.add(connect());
    }
    return clients.get(0);
  }

  RedisSessionStore.Builder builder(UnifiedJedis jedis) {
    return RedisSessionStore.builder(jedis).name("contract").keyPrefix(keyPrefix()).clock(clock)
        .idleTimeout(IDLE).absoluteLifetime(ABSOLUTE).touchThreshold(TOUCH).listener(listener);
  }

  SessionStore store() {
    return builder(client()).build();
  }

  /** A store on a client of its own, as another backend instance would have. */
  SessionStore anotherInstance() {
    client();
    clients.add(connect());
    return builder(clients.get(clients.size() - 1)).build();
  }

  String newUser() {
    return "user-" + getClass().getSimpleName() + "-" + (++users) + "-" + System.nanoTime();
  }

  List<String> keysOf(String userId) {
    return SessionIds.keys(keyPrefix(), SessionIds.userTag(userId));
  }

  /** Runs an operation with statistics reset and returns the commands it caused (without the stats calls). */
  Map<String, Long> commandsOf(Runnable op) {
    resetStats();
    op.run();
    Map<String, Long> calls = new HashMap<>(commandCalls());
    calls.remove("info");
    calls.remove("config|resetstat");
    return calls;
  }

  void assertOneRoundTrip(Map<String, Long> calls) {
    assertThat(calls).as("commands").containsEntry("evalsha", 1L).doesNotContainKey("eval");
    assertThat(calls.keySet()).as("commands besides the one EVALSHA").isSubsetOf(
        union(SCRIPT_INTERNAL, Set.of("evalsha")));
  }

  private static Set<String> union(Set<String> a, Set<String> b) {
    Set<String> u = new java.util.HashSet<>(a);
    u.addAll(b);
    return u;
  }

  @AfterEach
  void closeClients() {
    clients.forEach(UnifiedJedis::close);
    clients.clear();
  }

  // ---- create and find ----

  @Test
  void create_returnsWellFormedIdAndTheData() {
    String user = newUser();
    Session s = store().create(user, Map.of("role", "admin", "n", 5, "tags", List.of("a", "b")));

    assertThat(s.id()).hasSize(59).matches("[A-Za-z0-9_-]+").startsWith(SessionIds.userTag(user));
    assertThat(s.userId()).isEqualTo(user);
    assertThat(s.attributes()).containsEntry("role", "admin").containsEntry("n", 5L)
        .containsEntry("tags", List.of("a", "b"));
    assertThat(s.version()).isEqualTo(1);
    assertThat(s.createdAt()).isEqualTo(clock.instant());
    assertThat(s.idleExpiresAt()).isEqualTo(clock.instant().plus(IDLE));
    assertThat(s.absoluteExpiresAt()).isEqualTo(clock.instant().plus(ABSOLUTE));
  }

  @Test
  void find_afterCreate_returnsAnEqualSession() {
    SessionStore store = store();
    Session created = store.create(newUser(), Map.of("cart", Map.of("sku-1", 2, "price", 9.5), "ok", true));

    assertThat(store.find(created.id())).contains(created);
  }

  @Test
  void find_fromAnotherStoreInstance_seesTheSession() {
    Session created = store().create(newUser(), Map.of("a", "b"));
    SessionStore other = anotherInstance();

    assertThat(other.find(created.id())).contains(created);
  }

  @Test
  void find_unknownWellFormedId_isEmpty() {
    String unknown = SessionIds.userTag(newUser()) + "A".repeat(42) + "E";
    assertThat(SessionIds.isWellFormed(unknown)).isTrue();
    assertThat(store().find(unknown)).isEmpty();
    assertThat(listener.operations).containsExactly("find:miss");
  }

  @Test
  void find_malformedIds_areEmptyWithoutAnyRedisCall() {
    SessionStore store = store();
    Session real = store.create(newUser(), Map.of());
    List<String> malformed = List.of("", "abc", real.id() + "A", real.id().substring(1),
        real.id().substring(0, 58) + "=", real.id().substring(0, 58) + "B", // non-canonical last character
        real.id().replace(real.id().charAt(20), '.'), "x".repeat(10_000), "../../etc/passwd",
        "{" + real.id().substring(1), real.id().substring(0, 30) + "*" + real.id().substring(31),
        real.id().substring(0, 58) + "é");

    Map<String, Long> calls = commandsOf(() -> {
      for (String id : malformed) {
        assertThat(store.find(id)).as("find(%s)", id).isEmpty();
        assertThat(store.delete(id)).isFalse();
        assertThat(store.rotate(id)).isEmpty();
        assertThat(store.update(id, m -> m.put("x", 1))).isEmpty();
      }
    });

    assertThat(calls).isEmpty();
  }

  // ---- the pipelined find (one shared round trip) ----

  @Test
  void findCall_answersAsFind_andRemembersTheUserOnlyOnceFound() {
    SessionStore store = store();
    Session s = store.create(newUser(), Map.of("a", 1));
    PipelinedFind first = store.findCall(s.id());
    assertThat(first.rememberedUserId()).as("never found by this store").isEmpty();
    RoundTrip.send(first);
    assertThat(first.result()).contains(s);

    clock.advance(TOUCH.minusSeconds(1));
    PipelinedFind second = store.findCall(s.id());
    assertThat(second.rememberedUserId()).contains(s.userId());
    Map<String, Long> calls = commandsOf(() -> RoundTrip.send(second));
    assertThat(calls).containsExactlyEntriesOf(Map.of("hmget", 1L));
    assertThat(second.result()).contains(s);
  }

  @Test
  void findCall_pastTheTouchThreshold_slidesLikeFind() {
    SessionStore store = store();
    Session s = store.create(newUser(), Map.of());
    RoundTrip.send(store.findCall(s.id()));
    clock.advance(TOUCH.plusSeconds(1));

    PipelinedFind call = store.findCall(s.id());
    RoundTrip.send(call);

    Session slid = call.result().orElseThrow();
    assertThat(slid.lastAccessedAt()).isEqualTo(clock.instant());
    assertThat(slid.idleExpiresAt()).isAfter(s.idleExpiresAt());
  }

  @Test
  void findCall_ofAForgedIdCarryingARealUsersTag_remembersNobodyAndFindsNothing() {
    SessionStore store = store();
    Session real = store.create(newUser(), Map.of());
    assertThat(store.find(real.id())).isPresent();
    byte[] secret = new byte[32];
    new java.security.SecureRandom().nextBytes(secret);
    String forged = real.id().substring(0, 16)
        + java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(secret);

    PipelinedFind call = store.findCall(forged);
    assertThat(call.rememberedUserId()).isEmpty();
    RoundTrip.send(call);
    assertThat(call.result()).isEmpty();
  }

  @Test
  void findCall_ofAMalformedId_sendsNothing() {
    PipelinedFind call = store().findCall("not-a-session-id");

    assertThat(commandsOf(() -> RoundTrip.send(call))).isEmpty();
    assertThat(call.result()).isEmpty();
    assertThat(call.rememberedUserId()).isEmpty();
  }

  @Test
  void findCall_ofASessionDeletedElsewhere_isEmpty_andTheUserIsForgotten() {
    SessionStore a = store();
    SessionStore b = anotherInstance();
    Session s = a.create(newUser(), Map.of());
    assertThat(a.find(s.id())).isPresent();
    b.delete(s.id());

    PipelinedFind call = a.findCall(s.id());
    assertThat(call.rememberedUserId()).contains(s.userId()); // only a hint: the lookup decides
    RoundTrip.send(call);
    assertThat(call.result()).isEmpty();
    assertThat(a.findCall(s.id()).rememberedUserId()).isEmpty();
  }

  // ---- round trips ----

  @Test
  void find_withinTouchThreshold_ofASessionThisStoreSaw_isOnePlainHmget() {
    SessionStore store = store();
    Session s = store.create(newUser(), Map.of("a", 1));
    store.find(s.id()); // this store has now seen the session's last access
    clock.advance(TOUCH.minusSeconds(1));

    Map<String, Long> calls = commandsOf(() -> assertThat(store.find(s.id())).contains(s));

    assertThat(calls).containsExactlyEntriesOf(Map.of("hmget", 1L));
  }

  @Test
  void find_ofASessionThisStoreNeverSaw_isOneEvalshaThatOnlyReads() {
    String user = newUser();
    Session s = store().create(user, Map.of("a", 1));
    Session warm = store().create(user, Map.of());
    SessionStore other = anotherInstance();
    other.find(warm.id()); // the script is known and the other client connected (same slot) from here on

    Map<String, Long> calls = commandsOf(() -> assertThat(other.find(s.id())).isPresent());

    assertThat(calls).containsExactlyInAnyOrderEntriesOf(Map.of("evalsha", 1L, "hmget", 1L));
  }

  @Test
  void find_onTheFastPath_seesDeletesRotationsAndUpdatesFromAnotherInstanceAtOnce() {
    SessionStore a = store();
    SessionStore b = anotherInstance();
    String user = newUser();
    Session deleted = a.create(user, Map.of());
    Session rotated = a.create(user, Map.of());
    Session updated = a.create(user, Map.of("n", 1));
    for (Session s : List.of(deleted, rotated, updated)) {
      assertThat(a.find(s.id())).isPresent(); // a remembers all three
    }

    b.delete(deleted.id());
    Session rotatedNew = b.rotate(rotated.id()).orElseThrow();
    b.update(updated.id(), m -> m.put("n", 2));

    assertThat(commandsOf(() -> assertThat(a.find(deleted.id())).isEmpty())).containsExactlyEntriesOf(
        Map.of("hmget", 1L));
    assertThat(a.find(rotated.id())).isEmpty();
    assertThat(a.find(rotatedNew.id())).contains(rotatedNew);
    Session seen = a.find(updated.id()).orElseThrow();
    assertThat(seen.attributes()).containsEntry("n", 2L);
    assertThat(seen.version()).isEqualTo(2);
  }

  @Test
  void find_onTheFastPath_pastTheAbsoluteLifetime_isEmptyAndTheRecordIsGone() {
    SessionStore store = builder(client()).idleTimeout(Duration.ofMinutes(30)).absoluteLifetime(
        Duration.ofMinutes(45)).touchThreshold(Duration.ofMinutes(25)).build();
    String user = newUser();
    Session s = store.create(user, Map.of());
    clock.advance(Duration.ofMinutes(25));
    assertThat(store.find(s.id())).isPresent(); // slides: last access now 25 min, idle expiry 55 min
    clock.advance(Duration.ofMinutes(21)); // 46 min: within the touch threshold, past the absolute lifetime

    assertThat(store.find(s.id())).isEmpty();
    assertThat(client().hexists(keysOf(user).get(0), "d:" + SessionIds.hash(s.id()))).isFalse();
  }

  @Test
  void find_corruptionAfterTheSessionWasSeen_isStillCaught_deletedAndCounted() {
    SessionStore store = store();
    String user = newUser();
    String hashKey = keysOf(user).get(0);
    Session badMeta = store.create(user, Map.of());
    Session badJson = store.create(user, Map.of());
    Session otherUsers = store.create(user, Map.of());
    Session stranger = store.create(newUser(), Map.of());
    for (Session s : List.of(badMeta, badJson, otherUsers)) {
      assertThat(store.find(s.id())).isPresent();
    }
    client().hset(hashKey, "m:" + SessionIds.hash(badMeta.id()), "1:2:x");
    client().hset(hashKey, "d:" + SessionIds.hash(badJson.id()), "{\"s\":1,\"u\":");
    client().hset(hashKey, "d:" + SessionIds.hash(otherUsers.id()),
        client().hget(keysOf(stranger.userId()).get(0), "d:" + SessionIds.hash(stranger.id())));

    for (Session s : List.of(badMeta, badJson, otherUsers)) {
      assertThat(store.find(s.id())).isEmpty();
      assertThat(client().hexists(hashKey, "d:" + SessionIds.hash(s.id()))).isFalse();
    }
    assertThat(listener.corrupt.get()).isEqualTo(3);

    Session typed = store.create(user, Map.of());
    assertThat(store.find(typed.id())).isPresent();
    client().del(hashKey);
    client().set(hashKey, "\u0000\u00ff garbage");
    assertThat(store.find(typed.id())).isEmpty();
    assertThat(client().exists(hashKey)).isFalse();
    assertThat(listener.corrupt.get()).isEqualTo(4);
  }

  @Test
  void everyOperation_isOneRoundTrip() {
    SessionStore store = store();
    String user = newUser();
    // Warm up every script so no NOSCRIPT/EVAL pair is counted (on Cluster each node loads its own).
    Session warm = store.create(user, Map.of());
    clock.advance(TOUCH.plusSeconds(1));
    warm = store.find(warm.id()).orElseThrow(); // find.lua: a slide is due
    warm = store.update(warm, m -> m.put("w", 1)).orElseThrow(); // cas.lua
    clock.advance(TOUCH.plusSeconds(1));
    warm = store.update(warm, m -> m.put("w", 2)).orElseThrow(); // update.lua: a slide is due
    store.rotate(warm.id()).ifPresent(r -> store.delete(r.id()));
    store.findAllForUser(user);
    store.deleteAllForUser(user);

    Session[] s = new Session[1];
    assertOneRoundTrip(commandsOf(() -> s[0] = store.create(user, Map.of("a", 1))));
    clock.advance(TOUCH.plusSeconds(1));
    assertOneRoundTrip(commandsOf(() -> assertThat(store.find(s[0].id())).isPresent()));
    assertOneRoundTrip(commandsOf(() -> s[0] = store.update(s[0], m -> m.put("b", 2)).orElseThrow()));
    clock.advance(TOUCH.plusSeconds(1));
    assertOneRoundTrip(commandsOf(() -> s[0] = store.update(s[0], m -> m.put("b", 3)).orElseThrow()));
    assertOneRoundTrip(commandsOf(() -> s[0] = store.rotate(s[0].id()).orElseThrow()));
    assertOneRoundTrip(commandsOf(() -> assertThat(store.findAllForUser(user)).hasSize(1)));
    assertOneRoundTrip(commandsOf(() -> assertThat(store.delete(s[0].id())).isTrue()));
    store.create(user, Map.of());
    assertOneRoundTrip(commandsOf(() -> assertThat(store.deleteAllForUser(user)).isEqualTo(1)));
  }

  // ---- what Redis holds ----

  @Test
  void redis_holdsOnlyHashesOfIds_andEveryKeyExpires() {
    SessionStore store = store();
    String user = newUser();
    Session a = store.create(user, Map.of("x", "y"));
    Session b = store.create(user, Map.of());
    List<String> keys = keysOf(user);
    UnifiedJedis jedis = client();

    String dump = jedis.hgetAll(keys.get(0)).toString() + jedis.zrange(keys.get(1), 0, -1) + keys;
    for (Session s : List.of(a, b)) {
      assertThat(dump).doesNotContain(s.id()).doesNotContain(s.id().substring(SessionIds.TAG_LENGTH))
          .contains(SessionIds.hash(s.id()));
    }
    for (String key : keys) {
      assertThat(jedis.pttl(key)).as("pttl %s", key).isPositive().isLessThanOrEqualTo(IDLE.toMillis());
    }
  }

  // ---- expiry ----

  @Test
  void find_afterTouchThreshold_slidesIdleExpiry() {
    SessionStore store = store();
    Session s = store.create(newUser(), Map.of());
    clock.advance(Duration.ofMinutes(20));

    Session found = store.find(s.id()).orElseThrow();

    assertThat(found.lastAccessedAt()).isEqualTo(clock.instant());
    assertThat(found.idleExpiresAt()).isEqualTo(clock.instant().plus(IDLE));
    assertThat(found.version()).isEqualTo(s.version());
    clock.advance(Duration.ofMinutes(20)); // 40 min after creation, 20 after the slide: still alive
    assertThat(store.find(s.id())).isPresent();
  }

  @Test
  void find_withinTouchThreshold_doesNotSlide() {
    SessionStore store = store();
    Session s = store.create(newUser(), Map.of());
    clock.advance(TOUCH.minusMillis(1));

    assertThat(store.find(s.id()).orElseThrow().idleExpiresAt()).isEqualTo(s.idleExpiresAt());
  }

  @Test
  void find_afterIdleTimeout_isEmptyAndTheRecordIsGone() {
    SessionStore store = store();
    String user = newUser();
    Session s = store.create(user, Map.of());
    clock.advance(IDLE);

    assertThat(store.find(s.id())).isEmpty();
    assertThat(client().exists(keysOf(user).get(0))).isFalse();
    assertThat(client().exists(keysOf(user).get(1))).isFalse();
  }

  @Test
  void find_afterAbsoluteLifetime_isEmptyEvenWhenUsedThroughout() {
    SessionStore store = store();
    Session s = store.create(newUser(), Map.of());
    Instant end = s.absoluteExpiresAt();
    while (clock.instant().plus(Duration.ofMinutes(10)).isBefore(end)) {
      clock.advance(Duration.ofMinutes(10));
      assertThat(store.find(s.id())).as("at %s", clock.instant()).isPresent();
    }
    clock.advance(Duration.between(clock.instant(), end));

    assertThat(store.find(s.id())).isEmpty();
  }

  @Test
  void ttls_neverExceedTheConfiguredBounds() {
    SessionStore store = builder(client()).idleTimeout(Duration.ofMinutes(10)).absoluteLifetime(Duration.ofMinutes(15))
        .build();
    String user = newUser();
    Session s = store.create(user, Map.of());
    for (int i = 0; i < 6; i++) {
      clock.advance(Duration.ofMinutes(2));
      store.find(s.id());
      Instant end = s.absoluteExpiresAt();
      long bound = Math.min(Duration.ofMinutes(10).toMillis(), Duration.between(clock.instant(), end).toMillis());
      for (String key : keysOf(user)) {
        assertThat(client().pttl(key)).as("pttl %s after %d finds", key, i + 1).isPositive()
            .isLessThanOrEqualTo(bound);
      }
    }
  }

  // ---- update ----

  @Test
  void update_changesAttributes_bumpsVersion_andSlides() {
    SessionStore store = store();
    Session s = store.create(newUser(), Map.of("a", 1, "b", 2));
    clock.advance(TOUCH.plusSeconds(5));

    Session u = store.update(s.id(), m -> {
      m.remove("a");
      m.put("c", List.of(1, 2));
    }).orElseThrow();

    assertThat(u.attributes()).isEqualTo(Map.of("b", 2L, "c", List.of(1L, 2L)));
    assertThat(u.version()).isEqualTo(2);
    assertThat(u.idleExpiresAt()).isEqualTo(clock.instant().plus(IDLE));
    assertThat(store.find(s.id())).contains(u);
  }

  @Test
  void update_ofTheSessionAsRead_withinTouchThreshold_isOneEvalshaReadingOnlyTheMeta() {
    SessionStore store = store();
    Session s = store.create(newUser(), Map.of("n", 1));
    store.update(s, m -> m.put("warm", true)).orElseThrow(); // the script is loaded from here on
    Session read = store.find(s.id()).orElseThrow();
    clock.advance(TOUCH.minusSeconds(1));

    Session[] u = new Session[1];
    Map<String, Long> calls = commandsOf(() -> u[0] = store.update(read, m -> m.put("n", 2)).orElseThrow());

    assertThat(calls).containsExactlyInAnyOrderEntriesOf(Map.of("evalsha", 1L, "hget", 1L, "hset", 1L));
    assertThat(u[0].version()).isEqualTo(3);
    assertThat(u[0].attributes()).containsEntry("n", 2L).containsEntry("warm", true);
    assertThat(u[0].lastAccessedAt()).isEqualTo(read.lastAccessedAt());
    assertThat(u[0].idleExpiresAt()).isEqualTo(read.idleExpiresAt());
    assertThat(store().find(s.id())).contains(u[0]); // what was written is what update returned
    assertThat(listener.conflicts.get()).isZero();
  }

  @Test
  void updateById_ofASessionThisStoreSaw_isOneRoundTrip_andAnotherInstancesWriteIsNeverLost() {
    String user = newUser();
    SessionStore a = store();
    SessionStore b = anotherInstance();
    Session s = a.create(user, Map.of("n", 1));
    a.find(s.id()).orElseThrow(); // a has seen the session
    a.update(s.id(), m -> m.put("warm", true)).orElseThrow(); // the script is loaded from here on

    Session[] u = new Session[1];
    Map<String, Long> calls = commandsOf(() -> u[0] = a.update(s.id(), m -> m.put("n", 2)).orElseThrow());

    assertThat(calls).containsExactlyInAnyOrderEntriesOf(Map.of("evalsha", 1L, "hget", 1L, "hset", 1L));
    assertThat(u[0].version()).isEqualTo(3);
    assertThat(listener.conflicts.get()).isZero();

    // b writes; a's memory of the session is now stale: its compare-and-set misses, the full script rejects the
    // write and returns the current record, and the change is reapplied to it.
    b.update(s.id(), m -> m.put("fromB", "x")).orElseThrow();
    Session after = a.update(s.id(), m -> m.put("n", (Long) m.get("n") + 1)).orElseThrow();

    assertThat(after.attributes()).containsEntry("n", 3L).containsEntry("fromB", "x").containsEntry("warm", true);
    assertThat(after.version()).isEqualTo(5);
    assertThat(listener.conflicts.get()).isEqualTo(1);
    assertThat(b.find(s.id())).contains(after);

    // Deleted elsewhere: empty, nothing written back.
    b.delete(s.id());
    assertThat(a.update(s.id(), m -> m.put("n", 9))).isEmpty();
    assertThat(client().hexists(keysOf(user).get(0), "d:" + SessionIds.hash(s.id()))).isFalse();
  }

  @Test
  void update_thatLosesARace_costsTheCompareAndSetTheFullScriptAndARetry_andLosesNothing() {
    String user = newUser();
    SessionStore a = store();
    SessionStore b = anotherInstance();
    Session s = a.create(user, Map.of("n", 1L));
    s = a.update(s, m -> m.put("n", 2L)).orElseThrow(); // loads cas.lua on this slot's node
    clock.advance(TOUCH.plusSeconds(1));
    s = a.update(s, m -> m.put("n", 3L)).orElseThrow(); // a slide is due: loads update.lua
    b.update(s.id(), m -> m.put("fromB", true)).orElseThrow(); // a's copy is now stale
    Session stale = s;

    Session[] after = new Session[1];
    Map<String, Long> calls = commandsOf(() -> after[0] =
        a.update(stale, m -> m.put("n", (Long) m.get("n") + 1)).orElseThrow());

    // cas.lua misses, update.lua rejects the version and returns the current record, cas.lua writes the retry.
    assertThat(calls).containsEntry("evalsha", 3L).doesNotContainKey("eval");
    assertThat(listener.conflicts.get()).isEqualTo(1);
    assertThat(after[0].attributes()).containsEntry("n", 4L).containsEntry("fromB", true);
    assertThat(after[0].version()).isEqualTo(5);
    assertThat(b.find(s.id())).contains(after[0]);
  }

  @Test
  void update_whenOnlyTheTimesDifferFromTheStoredOnes_isNoConflict() {
    SessionStore store = store();
    Session s = store.create(newUser(), Map.of("n", 1));
    // Same id and version, other times: what a session read just before another instance's slide looks like to
    // the fast path. Its compare-and-set misses, and the full script decides, where only the version counts.
    Session skewed = new Session(s.id(), s.userId(), s.attributes(), s.createdAt(),
        s.lastAccessedAt().plusSeconds(1), s.idleExpiresAt().plusSeconds(1), s.absoluteExpiresAt(), s.version());

    Session u = store.update(skewed, m -> m.put("n", 2)).orElseThrow();

    assertThat(u.version()).isEqualTo(2);
    assertThat(u.idleExpiresAt()).isEqualTo(s.idleExpiresAt()); // the stored times, not the caller's
    assertThat(u.attributes()).containsEntry("n", 2L);
    assertThat(store().find(s.id())).contains(u);
    assertThat(listener.conflicts.get()).isZero();
  }

  @Test
  void update_afterIdleTimeout_isEmptyAndTheRecordIsGone() {
    SessionStore store = store();
    String user = newUser();
    Session s = store.create(user, Map.of("n", 1));
    clock.advance(IDLE.plusSeconds(1));

    assertThat(store.update(s, m -> m.put("n", 2))).isEmpty();
    assertThat(client().hexists(keysOf(user).get(0), "m:" + SessionIds.hash(s.id()))).isFalse();
    clock.set(s.createdAt()); // even back in time, the write never happened
    assertThat(store.find(s.id())).isEmpty();
  }

  @Test
  void update_fromAStaleSession_reappliesTheChangeOnTheCurrentState() {
    SessionStore store = store();
    Session s = store.create(newUser(), Map.of());
    store.update(s, m -> m.put("first", true)).orElseThrow();

    Session u = store.update(s, m -> m.put("second", true)).orElseThrow(); // s is now stale (version 1)

    assertThat(u.attributes()).containsEntry("first", true).containsEntry("second", true);
    assertThat(u.version()).isEqualTo(3);
    assertThat(listener.conflicts.get()).isEqualTo(1);
  }

  @Test
  void update_twoStoresOnTwoClientsConcurrently_loseNoWrite() throws Exception {
    clients.add(connect());
    clients.add(connect());
    SessionStore one = builder(clients.get(0)).maxUpdateAttempts(1000).build();
    SessionStore two = builder(clients.get(1)).maxUpdateAttempts(1000).build();
    Session s = one.create(newUser(), Map.of("count", 0));
    int threads = 4;
    int increments = 40;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<Void>> done = new ArrayList<>();
    try {
      for (int t = 0; t < threads; t++) {
        SessionStore store = t % 2 == 0 ? one : two;
        String mine = "thread-" + t;
        Callable<Void> work = () -> {
          go.await();
          for (int i = 0; i < increments; i++) {
            store.update(s.id(), m -> {
              m.put("count", (Long) m.get("count") + 1);
              m.put(mine, (Long) m.getOrDefault(mine, 0L) + 1);
            }).orElseThrow();
          }
          return null;
        };
        done.add(pool.submit(work));
      }
      go.countDown();
      for (Future<Void> f : done) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }

    Session end = one.find(s.id()).orElseThrow();
    assertThat(end.attribute("count")).isEqualTo((long) threads * increments);
    for (int t = 0; t < threads; t++) {
      assertThat(end.attribute("thread-" + t)).isEqualTo((long) increments);
    }
    assertThat(end.version()).isEqualTo(1L + threads * increments);
  }

  @Test
  void update_withinTouchThreshold_changesDataButNeitherExpiryNorKeyTtls() {
    SessionStore store = store();
    String user = newUser();
    Session s = store.create(user, Map.of("n", 1));
    clock.advance(TOUCH.minusSeconds(1));
    long ttlBefore = client().pttl(keysOf(user).get(0));

    Session u = store.update(s, m -> m.put("n", 2)).orElseThrow();

    assertThat(u.attributes()).containsEntry("n", 2L);
    assertThat(u.version()).isEqualTo(2);
    assertThat(u.idleExpiresAt()).isEqualTo(s.idleExpiresAt());
    assertThat(u.lastAccessedAt()).isEqualTo(s.lastAccessedAt());
    assertThat(client().pttl(keysOf(user).get(0))).isLessThanOrEqualTo(ttlBefore);
    // The next find, once the threshold has passed since the last slide, still slides.
    clock.advance(Duration.ofSeconds(2));
    assertThat(store.find(s.id()).orElseThrow().idleExpiresAt()).isEqualTo(clock.instant().plus(IDLE));
  }

  @Test
  void update_givesAKeyWithoutTtlOneAgain_andAForeignIndexReadsAsCorrupt() {
    SessionStore store = store();
    String user = newUser();
    Session s = store.create(user, Map.of());
    String index = keysOf(user).get(1);
    client().persist(index); // not something this store writes; an operator's mistake, say
    clock.advance(TOUCH.plusSeconds(5));

    Session u = store.update(s, m -> m.put("x", 1)).orElseThrow();

    assertThat(client().pttl(index)).isPositive().isLessThanOrEqualTo(IDLE.toMillis());
    assertThat(client().pttl(keysOf(user).get(0))).isPositive().isLessThanOrEqualTo(IDLE.toMillis());

    client().del(index);
    client().set(index, "not a sorted set");
    clock.advance(TOUCH.plusSeconds(5)); // a slide: the update must touch the index, and finds it foreign
    assertThat(store.update(u, m -> m.put("y", 2))).isEmpty();
    assertThat(client().exists(keysOf(user).get(0))).isFalse();
    assertThat(client().exists(index)).isFalse();
    assertThat(listener.corrupt.get()).isEqualTo(1);
  }

  @Test
  void update_unknownSession_isEmpty() {
    SessionStore store = store();
    Session s = store.create(newUser(), Map.of());
    store.delete(s.id());

    assertThat(store.update(s, m -> m.put("a", 1))).isEmpty();
  }

  @Test
  void update_whenConflictsNeverStop_throwsAfterTheConfiguredAttempts() {
    SessionStore store = builder(client()).maxUpdateAttempts(3).build();
    SessionStore other = store();
    Session s = store.create(newUser(), Map.of("n", 0));

    // The change itself makes another instance write first, every time.
    assertThatThrownBy(() -> store.update(s, m -> other.update(s.id(), o -> o.put("n", 1)).orElseThrow()))
        .isInstanceOf(SessionConflictException.class).hasMessageContaining("3 times");
    assertThat(listener.operations).contains("update:conflict");
  }

  // ---- rotate ----

  @Test
  void rotate_oldIdDiesAtOnce_newIdCarriesTheData() {
    SessionStore store = store();
    Session s = store.create(newUser(), Map.of("cart", List.of("x")));
    clock.advance(Duration.ofMinutes(5));

    Session r = store.rotate(s.id()).orElseThrow();

    assertThat(r.id()).isNotEqualTo(s.id()).hasSize(59);
    assertThat(store.find(s.id())).isEmpty();
    assertThat(store.update(s, m -> m.put("evil", true))).isEmpty();
    assertThat(store.rotate(s.id())).isEmpty();
    Session found = store.find(r.id()).orElseThrow();
    assertThat(found.attributes()).isEqualTo(s.attributes());
    assertThat(found.userId()).isEqualTo(s.userId());
    assertThat(found.createdAt()).isEqualTo(s.createdAt());
    assertThat(found.absoluteExpiresAt()).as("rotation never extends the lifetime").isEqualTo(s.absoluteExpiresAt());
    assertThat(found.idleExpiresAt()).isEqualTo(clock.instant().plus(IDLE));
    assertThat(store.findAllForUser(s.userId())).hasSize(1);
  }

  // ---- delete, per-user index ----

  @Test
  void delete_endsTheSession() {
    SessionStore store = store();
    Session s = store.create(newUser(), Map.of());

    assertThat(store.delete(s.id())).isTrue();
    assertThat(store.find(s.id())).isEmpty();
    assertThat(store.delete(s.id())).isFalse();
  }

  @Test
  void findAllForUser_listsLiveSessionsOnly_withoutTheirIds() {
    SessionStore store = store();
    String user = newUser();
    Session old = store.create(user, Map.of("device", "old"));
    clock.advance(IDLE.minusMinutes(1));
    Session a = store.create(user, Map.of("device", "a"));
    clock.advance(Duration.ofSeconds(1));
    Session b = store.create(user, Map.of("device", "b"));
    store.create(newUser(), Map.of("device", "someone else"));
    clock.advance(Duration.ofMinutes(2)); // old has expired by idleness

    List<SessionInfo> all = store.findAllForUser(user);

    assertThat(all).extracting(i -> i.attribute("device")).containsExactly("a", "b");
    assertThat(all).extracting(SessionInfo::handle)
        .containsExactly(SessionIds.hash(a.id()), SessionIds.hash(b.id()))
        .doesNotContain(old.id(), a.id(), b.id());
    assertThat(store.findAllForUser(newUser())).isEmpty();
  }

  @Test
  void deleteAllForUser_endsEverySessionOfThatUserOnly() {
    SessionStore store = store();
    String user = newUser();
    String other = newUser();
    List<Session> mine = List.of(store.create(user, Map.of()), store.create(user, Map.of()),
        store.create(user, Map.of()));
    Session theirs = store.create(other, Map.of());

    assertThat(store.deleteAllForUser(user)).isEqualTo(3);

    mine.forEach(s -> assertThat(store.find(s.id())).isEmpty());
    assertThat(store.find(theirs.id())).isPresent();
    assertThat(store.findAllForUser(user)).isEmpty();
    assertThat(client().exists(keysOf(user).get(0))).isFalse();
    assertThat(store.deleteAllForUser(user)).isZero();
  }

  @Test
  void maxSessionsPerUser_evictsTheSoonestExpiring() {
    SessionStore store = builder(client()).maxSessionsPerUser(2).build();
    String user = newUser();
    Session first = store.create(user, Map.of());
    clock.advance(Duration.ofMinutes(2));
    Session second = store.create(user, Map.of());
    clock.advance(Duration.ofMinutes(2));
    store.find(first.id()); // first is now the most recently used

    Session third = store.create(user, Map.of());

    assertThat(store.find(second.id())).isEmpty();
    assertThat(store.find(first.id())).isPresent();
    assertThat(store.find(third.id())).isPresent();
    assertThat(listener.evicted.get()).isEqualTo(1);
    assertThat(store.findAllForUser(user)).hasSize(2);
  }

  // ---- bad input and corrupt data ----

  @Test
  void create_oversizedAttributes_failsClearlyAndStoresNothing() {
    SessionStore store = builder(client()).maxAttributesBytes(1024).build();
    String user = newUser();

    assertThatThrownBy(() -> store.create(user, Map.of("blob", "x".repeat(2000))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("session store 'contract': attributes are ")
        .hasMessageContaining("maxAttributesBytes is 1024").hasMessageNotContaining("xxxx");
    assertThat(store.findAllForUser(user)).isEmpty();
  }

  @Test
  void update_oversizedAttributes_failsAndKeepsTheOldData() {
    SessionStore store = builder(client()).maxAttributesBytes(1024).build();
    Session s = store.create(newUser(), Map.of("a", 1));

    assertThatThrownBy(() -> store.update(s, m -> m.put("blob", "x".repeat(2000))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bytes as JSON");
    assertThat(store.find(s.id()).orElseThrow().attributes()).isEqualTo(Map.of("a", 1L));
  }

  @Test
  void create_nonJsonAttributes_areRejectedNamingThePath() {
    SessionStore store = store();
    String user = newUser();
    Map<String, Object> nested = new HashMap<>();
    nested.put("when", Instant.now());

    assertThatThrownBy(() -> store.create(user, Map.of("meta", nested)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("session store 'contract': ")
        .hasMessageContaining("'meta.when'")
        .hasMessageContaining("java.time.Instant");
    assertThatThrownBy(() -> store.create(user, Map.of("x", Double.NaN)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("finite");
    assertThatThrownBy(() -> store.create(" ", Map.of())).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("session store 'contract': userId must not be blank");
    assertThatThrownBy(() -> store.create("u".repeat(513), Map.of())).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("session store 'contract': userId must be at most 512 characters but was 513 characters");
  }

  @Test
  void find_whenTheUserKeyHoldsAForeignType_isEmpty_deletesAndCounts() {
    SessionStore store = store();
    String user = newUser();
    Session s = store.create(user, Map.of());
    String hashKey = keysOf(user).get(0);
    client().del(hashKey);
    client().set(hashKey, "\u0000\u00ff garbage");

    assertThat(store.find(s.id())).isEmpty();
    assertThat(client().exists(hashKey)).isFalse();
    assertThat(listener.corrupt.get()).isEqualTo(1);
    assertThat(store.create(user, Map.of())).isNotNull(); // the user can log in again
  }

  @Test
  void find_whenTheIndexHoldsAForeignType_createStillWorks() {
    SessionStore store = store();
    String user = newUser();
    client().set(keysOf(user).get(1), "not a zset");

    Session s = store.create(user, Map.of());

    assertThat(store.find(s.id())).isPresent();
    assertThat(listener.corrupt.get()).isEqualTo(1);
  }

  @Test
  void find_garbageMetadataOrJson_readsAsNoSession_deletesAndCounts() {
    SessionStore store = store();
    String user = newUser();
    String hashKey = keysOf(user).get(0);
    Session badMeta = store.create(user, Map.of());
    Session badJson = store.create(user, Map.of());
    Session foreignJson = store.create(user, Map.of());
    Session classJson = store.create(user, Map.of());
    client().hset(hashKey, "m:" + SessionIds.hash(badMeta.id()), "1:2:x");
    client().hset(hashKey, "d:" + SessionIds.hash(badJson.id()), "{\"s\":1,\"u\":");
    client().hset(hashKey, "d:" + SessionIds.hash(foreignJson.id()), "{\"s\":99,\"u\":\"x\",\"a\":{}}");
    client().hset(hashKey, "d:" + SessionIds.hash(classJson.id()),
        "[\"java.util.HashMap\",{\"@class\":\"java.lang.ProcessBuilder\"}]");

    for (Session s : List.of(badMeta, badJson, foreignJson, classJson)) {
      assertThat(store.find(s.id())).isEmpty();
      assertThat(client().hexists(hashKey, "d:" + SessionIds.hash(s.id()))).isFalse();
    }
    assertThat(listener.corrupt.get()).isEqualTo(4);
  }

  @Test
  void find_recordOfAnotherUserUnderThisUsersKeys_isNeverHandedOut() {
    SessionStore store = store();
    String victim = newUser();
    String attacker = newUser();
    Session a = store.create(attacker, Map.of());
    Session v = store.create(victim, Map.of());
    // Copy the victim's record under the attacker's keys with the attacker's session hash.
    String data = client().hget(keysOf(victim).get(0), "d:" + SessionIds.hash(v.id()));
    client().hset(keysOf(attacker).get(0), "d:" + SessionIds.hash(a.id()), data);

    assertThat(store.find(a.id())).isEmpty();
    assertThat(listener.corrupt.get()).isEqualTo(1);
  }

  // ---- keyed id hashes (HMAC-SHA256 under the deployment secret) and key rotation ----

  static final byte[] KEY_A = "key-A: 32 bytes or more of secret".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
  static final byte[] KEY_B = "key-B: 32 bytes or more of secret".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

  /** A store on a client of its own, keyed with {@code current} and accepting {@code previous}. */
  SessionStore keyedInstance(byte[] current, byte[]... previous) {
    client();
    clients.add(connect());
    return builder(clients.get(clients.size() - 1)).idHashKey(current, previous).build();
  }

  /** HMAC-SHA256 of the id's secret part, computed here independently of the store. */
  static String hmac(byte[] key, String id) {
    try {
      javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
      mac.init(new javax.crypto.spec.SecretKeySpec(key, "HmacSHA256"));
      byte[] digest = mac.doFinal(id.substring(SessionIds.TAG_LENGTH).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
    } catch (java.security.GeneralSecurityException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void idHashKey_recordsAreNamedByTheHmacOfTheId_neverByItsPlainSha256() {
    String user = newUser();
    Session s = keyedInstance(KEY_A).create(user, Map.of("role", "student"));
    String recordKey = keysOf(user).get(0);

    assertThat(client().hexists(recordKey, "m:" + hmac(KEY_A, s.id()))).isTrue();
    assertThat(client().hexists(recordKey, "m:" + SessionIds.hash(s.id()))).isFalse();
    assertThat(client().zrange(keysOf(user).get(1), 0, -1)).containsExactly(hmac(KEY_A, s.id()));
  }

  @Test
  void idHashKey_aSessionPlantedByAnAttackerWithRedisWriteAccessButNotTheKey_isNeverAccepted() {
    SessionStore keyed = keyedInstance(KEY_A);
    String victim = newUser();
    // Without the key, the best an attacker can do is name a record the unkeyed way (plain SHA-256, as any
    // store without a key writes it) or with a key of their own. Each writes a complete, well-formed admin session.
    Session plain = anotherInstance().create(victim, Map.of("role", "admin"));
    Session wrongKey = keyedInstance(KEY_B).create(victim, Map.of("role", "admin"));
    assertThat(client().hlen(keysOf(victim).get(0))).isEqualTo(4);

    assertThat(keyed.find(plain.id())).isEmpty();
    assertThat(keyed.find(wrongKey.id())).isEmpty();
    assertThat(keyed.rotate(plain.id())).isEmpty();
    assertThat(keyed.update(plain.id(), m -> m.put("x", 1))).isEmpty();
    // The honest session of the same user still works.
    Session honest = keyed.create(victim, Map.of("role", "student"));
    assertThat(keyed.find(honest.id())).contains(honest);
  }

  @Test
  void idHashKey_previousKey_findMovesTheSessionToTheCurrentKey_withOneMoreRoundTripOnce() {
    String user = newUser();
    SessionStore before = keyedInstance(KEY_A);
    Session s = before.create(user, Map.of("a", 1));
    Session warm = before.create(user, Map.of());
    SessionStore after = keyedInstance(KEY_B, KEY_A);
    after.find(warm.id()); // scripts loaded on the node of this slot

    Map<String, Long> first = commandsOf(() -> assertThat(after.find(s.id())).hasValueSatisfying(found -> {
      assertThat(found.id()).isEqualTo(s.id());
      assertThat(found.attributes()).isEqualTo(Map.of("a", 1L));
      assertThat(found.createdAt()).isEqualTo(s.createdAt());
      assertThat(found.absoluteExpiresAt()).isEqualTo(s.absoluteExpiresAt());
    }));
    // One miss under the current key, then one rotate script under the previous key that moves the record.
    assertThat(first).containsEntry("evalsha", 2L).doesNotContainKey("eval");
    String recordKey = keysOf(user).get(0);
    assertThat(client().hexists(recordKey, "m:" + hmac(KEY_B, s.id()))).isTrue();
    assertThat(client().hexists(recordKey, "m:" + hmac(KEY_A, s.id()))).isFalse();

    SessionStore third = keyedInstance(KEY_B, KEY_A);
    third.find(warm.id());
    clock.advance(TOUCH.plusSeconds(1));
    assertOneRoundTrip(commandsOf(() -> assertThat(third.find(s.id())).isPresent()));
  }

  @Test
  void idHashKey_previousKey_unknownIdCostsOneMoreRoundTripPerPreviousKey() {
    String user = newUser();
    SessionStore after = keyedInstance(KEY_B, KEY_A);
    Session warm = after.create(user, Map.of());
    after.find(warm.id());
    after.delete(after.create(user, Map.of()).id());
    String unknown = SessionIds.userTag(user) + warm.id().substring(SessionIds.TAG_LENGTH, SessionIds.ID_LENGTH - 1)
        + (warm.id().endsWith("A") ? "Q" : "A");

    Map<String, Long> calls = commandsOf(() -> assertThat(after.find(unknown)).isEmpty());

    assertThat(calls).containsEntry("evalsha", 2L);
  }

  @Test
  void idHashKey_previousKey_logoutRotationAndUpdateReachSessionsWrittenBeforeTheRotation() {
    String user = newUser();
    SessionStore before = keyedInstance(KEY_A);
    Session loggedOut = before.create(user, Map.of());
    Session rotated = before.create(user, Map.of("r", 1));
    Session updated = before.create(user, Map.of("u", 1));
    SessionStore after = keyedInstance(KEY_B, KEY_A);

    assertThat(after.delete(loggedOut.id())).isTrue();
    assertThat(before.find(loggedOut.id())).isEmpty();
    assertThat(after.find(loggedOut.id())).isEmpty();

    Session next = after.rotate(rotated.id()).orElseThrow();
    assertThat(next.attributes()).isEqualTo(Map.of("r", 1L));
    assertThat(after.find(rotated.id())).isEmpty();
    assertThat(before.find(rotated.id())).isEmpty();
    assertThat(after.find(next.id())).isPresent();
    assertThat(client().hexists(keysOf(user).get(0), "m:" + hmac(KEY_B, next.id()))).isTrue();

    assertThat(after.update(updated.id(), m -> m.put("u", 2))).hasValueSatisfying(
        u -> assertThat(u.attributes()).isEqualTo(Map.of("u", 2L)));
    assertThat(keyedInstance(KEY_B).find(updated.id())).hasValueSatisfying(
        u -> assertThat(u.attributes()).isEqualTo(Map.of("u", 2L)));
  }

  @Test
  void idHashKey_twoStepRollout_instancesOnEitherStepFindEverySession() {
    String user = newUser();
    // Step 1: every instance keeps A current and accepts B. Step 2 rolls out one instance at a time.
    SessionStore step1 = keyedInstance(KEY_A, KEY_B);
    SessionStore step2 = keyedInstance(KEY_B, KEY_A);
    Session fromStep1 = step1.create(user, Map.of("by", 1));
    Session fromStep2 = step2.create(user, Map.of("by", 2));

    for (int round = 0; round < 3; round++) {
      clock.advance(TOUCH.plusSeconds(1));
      for (SessionStore store : List.of(step2, step1)) {
        assertThat(store.find(fromStep1.id())).isPresent();
        assertThat(store.find(fromStep2.id())).isPresent();
      }
    }
    // The rollout done (every instance on step 2), each session is moved to B on its next use; from then on a store
    // without the previous key finds it.
    clock.advance(TOUCH.plusSeconds(1));
    assertThat(step2.find(fromStep1.id())).isPresent();
    assertThat(step2.find(fromStep2.id())).isPresent();
    SessionStore onlyB = keyedInstance(KEY_B);
    assertThat(onlyB.find(fromStep1.id())).isPresent();
    assertThat(onlyB.find(fromStep2.id())).isPresent();
  }
}
