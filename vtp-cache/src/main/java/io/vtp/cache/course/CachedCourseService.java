package io.vtp.cache.course;

import com.fasterxml.jackson.core.type.TypeReference;
import io.vtp.cache.CacheAside;
import io.vtp.cache.CacheTtl;
import io.vtp.cache.Loaded;
import io.vtp.cache.Lookup;
import io.vtp.cache.RedisCacheAside;
import io.vtp.redis.PipelinedCall;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import redis.clients.jedis.UnifiedJedis;

/**
 * A {@link CourseService} decorator that caches reads and stays right under load and faults: the library's
 * cache-aside service for courses, and the worked example of {@link CacheAside} for any entity.
 *
 * <ul>
 *   <li>{@link #findById}: one cache read; a missing id is cached as "not found" (negative caching);
 *       {@link #lookupById} is the same read and also tells whether it was a cache hit;</li>
 *   <li>{@link #findByIds}: one {@code getAll} (one MGET, one {@code WHERE id = ANY(?)} for the misses only);</li>
 *   <li>{@link #list}: the page's ids are cached briefly ({@code pages}, a {@code List<Long>} cache), the courses
 *       come from {@code getAll};</li>
 *   <li>writes go to the delegate first and invalidate only after it returned (committed): update and delete
 *       invalidate the course, create and delete invalidate the page lists.</li>
 * </ul>
 *
 * <p>Failures: besides the delegate's {@link CourseStoreException} (when no stale value can be served), every read
 * may throw what {@link CacheAside#get} throws: {@link io.vtp.cache.CacheOverloadedException} (a
 * {@link io.vtp.redis.BackendUnavailableException}) when Redis is unavailable and the bounded bypass is full, and
 * {@link io.vtp.cache.CacheException} when interrupted while waiting. A Redis outage alone never fails a call.
 *
 * <p>Thread-safe.
 */
public final class CachedCourseService implements CourseService {
  private final CourseService delegate;
  private final CacheAside<Course> courses;
  private final CacheAside<List<Long>> pages;

  /**
   * Creates the decorator over two caches the caller built and owns.
   *
   * @param delegate the source of truth; not {@code null}
   * @param courses courses by id; not {@code null}
   * @param pages page id lists; not {@code null}
   * @throws NullPointerException when an argument is {@code null}
   */
  public CachedCourseService(CourseService delegate, CacheAside<Course> courses, CacheAside<List<Long>> pages) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
    this.courses = Objects.requireNonNull(courses, "courses");
    this.pages = Objects.requireNonNull(pages, "pages");
  }

  /**
   * Builds the two caches with the defaults ({@code courses}: {@link CacheTtl#MEDIUM}; {@code course-pages}:
   * {@link CacheTtl#SHORT}) and returns the decorator. The caller closes the caches with the client.
   *
   * @param redis the client; not {@code null}
   * @param delegate the source of truth; not {@code null}
   * @return the decorator; never {@code null}
   * @throws NullPointerException when an argument is {@code null}
   */
  public static CachedCourseService create(UnifiedJedis redis, CourseService delegate) {
    return new CachedCourseService(delegate,
        RedisCacheAside.builder(redis, Course.class).name("courses").ttl(CacheTtl.MEDIUM).build(),
        RedisCacheAside.builder(redis, new TypeReference<List<Long>>() {}).name("course-pages").ttl(CacheTtl.SHORT)
            .build());
  }

  /**
   * Returns the course cache.
   *
   * @return the course cache; never {@code null}
   */
  public CacheAside<Course> courses() {
    return courses;
  }

  /**
   * Returns the page-list cache.
   *
   * @return the page-list cache; never {@code null}
   */
  public CacheAside<List<Long>> pages() {
    return pages;
  }

  /**
   * Finds a course through the course cache, like {@link #findById}, and tells how the read was answered: a
   * {@link Lookup.Outcome#HIT} did not reach the delegate (the course, or its absence, came from the cache or from
   * a load another caller ran at the same time), a {@link Lookup.Outcome#MISS} read it from the delegate, a
   * {@link Lookup.Outcome#STALE} served the previously cached course because the delegate failed. Same cost as
   * {@link #findById}.
   *
   * <p>Thread-safe; the outcome belongs to this call alone.
   *
   * @param id the id
   * @return the course (empty when there is none) and the outcome; never {@code null}
   * @throws CourseStoreException when the delegate failed and no stale course could be served
   * @throws io.vtp.cache.CacheOverloadedException when Redis is unavailable and the bounded bypass stayed full
   */
  public Lookup<Course> lookupById(long id) {
    return courses.lookup(Long.toString(id), key -> Loaded.fromOptional(delegate.findById(id)));
  }

  /**
   * Prepares the cheap part of {@link #lookupById(long)} to share a Redis round trip with other calls
   * ({@link io.vtp.redis.RoundTrip}): the L1, else one {@code GET} in the shared round trip; see
   * {@link CacheAside#readCall(String)}. Its result is the course (or a cached "not found") when fresh in the cache,
   * else empty: then call {@link #lookupById(long)}. Never reaches the delegate and never throws for Redis trouble.
   *
   * @param id the id
   * @return the call, to be sent once; never {@code null}
   */
  public PipelinedCall<Optional<Loaded<Course>>> readCallById(long id) {
    return courses.readCall(Long.toString(id));
  }

  @Override
  public Optional<Course> findById(long id) {
    return lookupById(id).value();
  }

  @Override
  public Map<Long, Course> findByIds(Collection<Long> ids) {
    List<String> keys = ids.stream().map(String::valueOf).toList();
    Map<String, Course> found = courses.getAll(keys, missed -> {
      Map<String, Course> loaded = new LinkedHashMap<>();
      delegate.findByIds(missed.stream().map(Long::valueOf).toList())
          .forEach((id, course) -> loaded.put(Long.toString(id), course));
      return loaded;
    });
    Map<Long, Course> result = new LinkedHashMap<>();
    found.forEach((key, course) -> result.put(Long.valueOf(key), course));
    return result;
  }

  @Override
  public List<Course> list(int page, int size) {
    if (page < 0 || size < 1 || size > 1000) {
      return delegate.list(page, size); // let the delegate reject it with its message
    }
    AtomicReference<List<Course>> loadedHere = new AtomicReference<>();
    List<Long> ids = pages.get(page + "x" + size, key -> {
      List<Course> loaded = delegate.list(page, size);
      loadedHere.set(loaded);
      return Loaded.of(loaded.stream().map(Course::id).toList());
    }).orElse(List.of());
    if (loadedHere.get() != null) {
      return loadedHere.get();
    }
    Map<Long, Course> byId = findByIds(ids);
    List<Course> result = new ArrayList<>(ids.size());
    for (Long id : ids) {
      Course course = byId.get(id);
      if (course != null) { // deleted since the page was cached
        result.add(course);
      }
    }
    return result;
  }

  @Override
  public Course create(String title, String description, long instructorId) {
    Course created = delegate.create(title, description, instructorId);
    pages.invalidateAll();
    courses.invalidate(Long.toString(created.id())); // drop a cached "not found" for the new id
    return created;
  }

  @Override
  public Optional<Course> update(Course course) {
    Optional<Course> updated = delegate.update(course);
    courses.invalidate(Long.toString(course.id()));
    return updated;
  }

  @Override
  public boolean delete(long id) {
    boolean deleted = delegate.delete(id);
    courses.invalidate(Long.toString(id));
    pages.invalidateAll();
    return deleted;
  }
}
