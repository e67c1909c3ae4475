package io.vtp.app.web;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.vtp.app.auth.Principal;
import io.vtp.app.http.ApiException;
import io.vtp.app.http.JsonBodies;
import io.vtp.cache.CacheAside;
import io.vtp.cache.CacheException;
import io.vtp.cache.Loaded;
import io.vtp.cache.Lookup;
import io.vtp.cache.course.CachedCourseService;
import io.vtp.cache.course.Course;
import io.vtp.cache.course.CourseService;
import io.vtp.cache.course.CourseStoreException;
import io.vtp.redis.BackendUnavailableException;
import io.vtp.redis.PipelinedCall;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import javax.sql.DataSource;

/**
 * {@code /api/v1/courses}: public cached reads (through {@link CachedCourseService}; a course read answers
 * {@code X-Cache: HIT} when it did not reach the database, else {@code MISS}),
 * writes for teachers (their own courses) and admins. A write invalidates after the database committed, so the
 * next read on any instance is fresh.
 */
public final class CourseRoutes {
  private static final Pattern DIGITS = Pattern.compile("[0-9]+");
  private static final int MAX_PAGE = 10_000;
  private static final int MAX_PAGE_SIZE = 100;

  private final CachedCourseService courses;
  private final CacheAside<Long> countCache;
  private final CourseService store;
  private final DataSource reads;
  private final Guard guard;
  private final ObjectMapper json;

  /**
   * Creates the routes.
   *
   * @param courses the cached service (reads, with their cache outcome for {@code X-Cache}, and writes)
   * @param countCache caches the total count
   * @param store the uncached store (ownership checks read the truth)
   * @param reads the read-only data source (replica or primary) for the count
   * @param guard authentication and API limits
   * @param json the JSON mapper
   */
  public CourseRoutes(CachedCourseService courses, CacheAside<Long> countCache, CourseService store, DataSource reads,
      Guard guard, ObjectMapper json) {
    this.courses = courses;
    this.countCache = countCache;
    this.store = store;
    this.reads = reads;
    this.guard = guard;
    this.json = json;
  }

  /** A create or update body. */
  public record CourseRequest(String title, String description) {}

  /**
   * Registers the routes.
   *
   * @param routes the route config
   */
  public void register(RoutesConfig routes) {
    routes.get("/api/v1/courses", this::list);
    routes.get("/api/v1/courses/{id}", this::get);
    routes.post("/api/v1/courses", this::create);
    routes.put("/api/v1/courses/{id}", this::update);
    routes.delete("/api/v1/courses/{id}", this::delete);
  }

  private void list(Context ctx) {
    guard.publicRoute(ctx);
    int page = intParam(ctx, "page", 1, 1, MAX_PAGE);
    int size = intParam(ctx, "pageSize", 20, 1, MAX_PAGE_SIZE);
    List<Course> items = dependency(() -> courses.list(page - 1, size));
    long total = dependency(() -> countCache.get("all", key -> Loaded.of(countCourses())).orElse(0L));
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("items", items);
    body.put("page", page);
    body.put("pageSize", size);
    body.put("total", total);
    ctx.json(body);
  }

  private void get(Context ctx) {
    // The cached course travels in the guard's round trip (L1 first: then it costs nothing); only when it is not
    // fresh in the cache does the full read (single flight, lease, load) run, after the limit allowed the request.
    long valid = validId(ctx.pathParam("id"));
    PipelinedCall<Optional<Loaded<Course>>> cached = valid > 0 ? courses.readCallById(valid) : null;
    if (cached == null) {
      guard.publicRoute(ctx);
    } else {
      guard.publicRoute(ctx, cached);
    }
    long id = id(ctx);
    Optional<Loaded<Course>> hit = cached.result();
    Lookup<Course> read = hit.isPresent() ? new Lookup<>(hit.get().toOptional(), Lookup.Outcome.HIT)
        : dependency(() -> courses.lookupById(id));
    ctx.header("X-Cache", read.isHit() ? "HIT" : "MISS"); // a stale course served after a database error: MISS
    ctx.json(read.value().orElseThrow(() -> ApiException.notFound("course " + id + " does not exist")));
  }

  private void create(Context ctx) {
    Principal p = guard.requireUser(ctx);
    if (!p.canTeach()) {
      throw ApiException.forbidden("only teachers and admins can create courses");
    }
    CourseRequest r = validate(JsonBodies.read(json, ctx.bodyAsBytes(), CourseRequest.class));
    Course created = dependency(() -> courses.create(r.title().trim(), r.description().trim(), p.userId()));
    countCache.invalidate("all");
    ctx.status(201).json(created);
  }

  private void update(Context ctx) {
    Principal p = guard.requireUser(ctx);
    long id = id(ctx);
    CourseRequest r = validate(JsonBodies.read(json, ctx.bodyAsBytes(), CourseRequest.class));
    Course current = owned(p, id);
    Course updated = dependency(() -> courses.update(new Course(id, r.title().trim(), r.description().trim(),
        current.instructorId(), current.version())))
        .orElseThrow(() -> ApiException.notFound("course " + id + " does not exist"));
    ctx.json(updated);
  }

  private void delete(Context ctx) {
    Principal p = guard.requireUser(ctx);
    long id = id(ctx);
    owned(p, id);
    if (!dependency(() -> courses.delete(id))) {
      throw ApiException.notFound("course " + id + " does not exist");
    }
    countCache.invalidate("all");
    ctx.status(204);
  }

  private Course owned(Principal p, long id) {
    Course current = dependency(() -> store.findById(id))
        .orElseThrow(() -> ApiException.notFound("course " + id + " does not exist"));
    if (!p.isAdmin() && current.instructorId() != p.userId()) {
      throw ApiException.forbidden("only the course's teacher or an admin can change it");
    }
    return current;
  }

  private static CourseRequest validate(CourseRequest r) {
    List<Map<String, String>> errors = new ArrayList<>();
    if (r.title() == null || r.title().isBlank()) {
      errors.add(Map.of("field", "title", "message", "is required"));
    } else if (r.title().trim().length() > 200) {
      errors.add(Map.of("field", "title", "message", "must be at most 200 characters"));
    }
    if (r.description() == null) {
      errors.add(Map.of("field", "description", "message", "is required (may be empty)"));
    } else if (r.description().length() > 10_000) {
      errors.add(Map.of("field", "description", "message", "must be at most 10000 characters"));
    }
    if (!errors.isEmpty()) {
      throw ApiException.invalid(errors);
    }
    return r;
  }

  /** The id when the text is a valid one, else 0 ({@link #id(Context)} then answers 400). */
  private static long validId(String raw) {
    if (raw.length() > 19 || !DIGITS.matcher(raw).matches()) {
      return 0;
    }
    try {
      return Math.max(0, Long.parseLong(raw));
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private static long id(Context ctx) {
    String raw = ctx.pathParam("id");
    if (raw.length() > 19 || !DIGITS.matcher(raw).matches()) {
      throw ApiException.badRequest("id", "must be a positive whole number");
    }
    try {
      long id = Long.parseLong(raw);
      if (id < 1) {
        throw ApiException.badRequest("id", "must be a positive whole number");
      }
      return id;
    } catch (NumberFormatException e) {
      throw ApiException.badRequest("id", "must be at most " + Long.MAX_VALUE);
    }
  }

  private static int intParam(Context ctx, String name, int def, int min, int max) {
    String raw = ctx.queryParam(name);
    if (raw == null || raw.isEmpty()) {
      return def;
    }
    if (raw.length() > 9 || !DIGITS.matcher(raw).matches()) {
      throw ApiException.badRequest(name, "must be a whole number from " + min + " to " + max);
    }
    int v = Integer.parseInt(raw);
    if (v < min || v > max) {
      throw ApiException.badRequest(name, "must be a whole number from " + min + " to " + max);
    }
    return v;
  }

  private long countCourses() {
    try (Connection c = reads.getConnection(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT count(*) FROM course")) {
      rs.next();
      return rs.getLong(1);
    } catch (SQLException e) {
      throw new CourseStoreException("course count failed: " + e.getMessage(), e);
    }
  }

  /** Maps store and cache failures (the database down, the outage bypass full) to 503. */
  private static <T> T dependency(Supplier<T> call) {
    try {
      return call.get();
    } catch (CourseStoreException | CacheException | BackendUnavailableException e) {
      throw ApiException.unavailable("course store unavailable", 5);
    }
  }
}
