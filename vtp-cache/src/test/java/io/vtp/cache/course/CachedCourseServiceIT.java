package io.vtp.cache.course;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.core.type.TypeReference;
import io.vtp.cache.CacheAside;
import io.vtp.cache.CacheTtl;
import io.vtp.cache.Lookup;
import io.vtp.cache.RedisCacheAside;
import io.vtp.testkit.KeyNamespace;
import io.vtp.testkit.PostgresDatabase;
import io.vtp.testkit.RedisServer;
import io.vtp.testkit.VtpServers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import redis.clients.jedis.RedisClient;

/**
 * CachedCourseService over real PostgreSQL and Redis, as two instances (A and B, separate clients and caches):
 * a write on A followed by a read on B returns the new value, with and without L1.
 */
@ExtendWith(VtpServers.class)
class CachedCourseServiceIT {
  private static final AtomicInteger NAMES = new AtomicInteger();

  private final RedisServer redis;
  private final KeyNamespace ns;
  private final JdbcCourseService db;
  private final List<AutoCloseable> closeables = new ArrayList<>();

  CachedCourseServiceIT(RedisServer redis, KeyNamespace ns, PostgresDatabase database) {
    this.redis = redis;
    this.ns = ns;
    this.db = new JdbcCourseService(database.dataSource());
    db.createSchema();
  }

  @AfterEach
  void close() throws Exception {
    for (AutoCloseable c : closeables) {
      c.close();
    }
  }

  /** One instance of the service; instances made with the same {@code suffix} share the cache names. */
  private CachedCourseService instance(CourseService delegate, String suffix, boolean l1) {
    RedisClient client = redis.newClient();
    RedisCacheAside.Builder<Course> courses = RedisCacheAside.builder(client, Course.class).name("courses-" + suffix)
        .keyPrefix(ns.prefix()).ttl(CacheTtl.MEDIUM);
    RedisCacheAside.Builder<List<Long>> pages = RedisCacheAside.builder(client, new TypeReference<List<Long>>() {})
        .name("pages-" + suffix).keyPrefix(ns.prefix()).ttl(CacheTtl.SHORT);
    if (l1) {
      courses.l1(1_000, Duration.ofMinutes(1));
      pages.l1(100, Duration.ofMinutes(1));
    }
    CacheAside<Course> c = courses.build();
    CacheAside<List<Long>> p = pages.build();
    closeables.add(c);
    closeables.add(p);
    closeables.add(client);
    return new CachedCourseService(delegate, c, p);
  }

  @Test
  void update_onAIsReadOnB_withoutL1() {
    String suffix = "n" + NAMES.incrementAndGet();
    CachedCourseService a = instance(db, suffix, false);
    CachedCourseService b = instance(db, suffix, false);
    Course course = db.create("Intro", "v1", 1);
    assertThat(b.findById(course.id())).contains(course);
    Course updated = a.update(new Course(course.id(), "Intro", "v2", 1, 0)).orElseThrow();
    assertThat(b.findById(course.id())).contains(updated); // immediately: the Redis entry is gone
  }

  @Test
  void update_onAIsReadOnB_withL1() throws Exception {
    String suffix = "l" + NAMES.incrementAndGet();
    CachedCourseService a = instance(db, suffix, true);
    CachedCourseService b = instance(db, suffix, true);
    Course course = db.create("Intro", "v1", 1);
    assertThat(b.findById(course.id())).contains(course);
    assertThat(b.findById(course.id())).contains(course); // now in B's L1
    assertThat(b.courses().stats().l1Hits()).isEqualTo(1);
    Course updated = a.update(new Course(course.id(), "Intro", "v2", 1, 0)).orElseThrow();
    // B's L1 copy is dropped when the pub/sub message arrives (the documented bound).
    await("B reads v2").atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(2))
        .until(() -> b.findById(course.id()).equals(Optional.of(updated)));
  }

  @Test
  void delete_onAIsReadOnBAsNotFound() throws Exception {
    String suffix = "d" + NAMES.incrementAndGet();
    CachedCourseService a = instance(db, suffix, true);
    CachedCourseService b = instance(db, suffix, true);
    Course course = db.create("Gone", "", 1);
    assertThat(b.findById(course.id())).isPresent();
    assertThat(a.delete(course.id())).isTrue();
    await("B reads not found").atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(2))
        .until(() -> b.findById(course.id()).isEmpty());
  }

  @Test
  void findById_missingIdReachesTheDatabaseOnce() {
    CountingCourseService counting = new CountingCourseService(db);
    CachedCourseService service = instance(counting, "m" + NAMES.incrementAndGet(), false);
    assertThat(service.findById(-42)).isEmpty();
    assertThat(service.findById(-42)).isEmpty();
    assertThat(counting.findById).hasValue(1);
  }

  @Test
  void lookupById_missReadsTheDelegateThenHitsDoNot() {
    CountingCourseService counting = new CountingCourseService(db);
    String suffix = "h" + NAMES.incrementAndGet();
    CachedCourseService a = instance(counting, suffix, false);
    CachedCourseService b = instance(counting, suffix, true);
    Course course = db.create("Hit", "", 1);
    assertThat(a.lookupById(course.id())).isEqualTo(new Lookup<>(Optional.of(course), Lookup.Outcome.MISS));
    assertThat(a.lookupById(course.id())).isEqualTo(new Lookup<>(Optional.of(course), Lookup.Outcome.HIT));
    assertThat(b.lookupById(course.id()).outcome()).isEqualTo(Lookup.Outcome.HIT); // from Redis
    assertThat(b.lookupById(course.id()).outcome()).isEqualTo(Lookup.Outcome.HIT); // from B's L1
    assertThat(b.courses().stats().l1Hits()).isEqualTo(1);
    assertThat(counting.findById).hasValue(1);
    assertThat(a.lookupById(-7)).isEqualTo(new Lookup<>(Optional.<Course>empty(), Lookup.Outcome.MISS));
    assertThat(a.lookupById(-7)).isEqualTo(new Lookup<>(Optional.<Course>empty(), Lookup.Outcome.HIT));
  }

  @Test
  void create_afterANotFoundIsVisible() {
    CachedCourseService service = instance(db, "c" + NAMES.incrementAndGet(), false);
    Course created = service.create("New", "", 1);
    assertThat(service.findById(created.id())).contains(created);
  }

  @Test
  void list_cachesPageIdsAndReadsCoursesWithOneGetAll() {
    CountingCourseService counting = new CountingCourseService(db);
    String suffix = "p" + NAMES.incrementAndGet();
    CachedCourseService a = instance(counting, suffix, false);
    CachedCourseService b = instance(counting, suffix, false);
    for (int i = 0; i < 5; i++) {
      db.create("course " + i, "", 1);
    }
    List<Course> first = a.list(0, 3);
    assertThat(first).hasSize(3);
    assertThat(counting.list).hasValue(1);
    // B: the page ids hit; the courses are missed once, in one bulk query.
    assertThat(b.list(0, 3)).isEqualTo(first);
    assertThat(counting.list).hasValue(1);
    assertThat(counting.findByIds).hasValue(1);
    assertThat(b.list(0, 3)).isEqualTo(first);
    assertThat(counting.findByIds).hasValue(1);
    // An update on A is seen in B's list; a create on A makes B reload the page ids.
    Course changed = a.update(new Course(first.get(1).id(), "renamed", "", 1, 0)).orElseThrow();
    assertThat(b.list(0, 3).get(1)).isEqualTo(changed);
    a.delete(first.get(0).id());
    assertThat(b.list(0, 3)).extracting(Course::id).doesNotContain(first.get(0).id()).hasSize(3);
  }
}
