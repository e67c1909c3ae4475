package io.vtp.app.web;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.vtp.app.auth.Principal;
import io.vtp.app.http.ApiException;
import io.vtp.app.http.JsonBodies;
import io.vtp.app.rooms.Enrolments;
import io.vtp.app.rooms.Revocations;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Enrolment: {@code POST /api/v1/courses/{id}/enrolment} enrols the caller (or, for the course's teacher or an
 * admin, the user named by {@code {"userId":n}}); {@code DELETE} the same un-enrols the caller (or
 * {@code ?userId=n}, teacher or admin); {@code GET /api/v1/me/courses} lists the caller's courses. Enrolment is
 * open: a logged-in user may enrol in any course. An un-enrolment publishes a revocation, so the member's sockets
 * in the course's rooms close on every instance ({@link Revocations}).
 */
public final class EnrolmentRoutes {
  private static final Pattern DIGITS = Pattern.compile("[1-9][0-9]{0,17}");

  private final Enrolments enrolments;
  private final Revocations revocations;
  private final Guard guard;
  private final ObjectMapper json;

  /**
   * Creates the routes.
   *
   * @param enrolments the repository
   * @param revocations publishes un-enrolments to every instance
   * @param guard authentication and API limits
   * @param json the JSON mapper
   */
  public EnrolmentRoutes(Enrolments enrolments, Revocations revocations, Guard guard, ObjectMapper json) {
    this.enrolments = enrolments;
    this.revocations = revocations;
    this.guard = guard;
    this.json = json;
  }

  /** An enrolment body (optional): whom to enrol, when not the caller. */
  public record EnrolmentRequest(Long userId) {}

  /**
   * Registers the routes.
   *
   * @param routes the route config
   */
  public void register(RoutesConfig routes) {
    routes.post("/api/v1/courses/{id}/enrolment", this::enrol);
    routes.delete("/api/v1/courses/{id}/enrolment", this::unenrol);
    routes.get("/api/v1/me/courses", this::mine);
  }

  private void enrol(Context ctx) {
    Principal p = guard.requireUser(ctx);
    long course = id(ctx.pathParam("id"), "id");
    long user = p.userId();
    if (ctx.bodyAsBytes().length > 0) {
      EnrolmentRequest r = JsonBodies.read(json, ctx.bodyAsBytes(), EnrolmentRequest.class);
      if (r.userId() != null) {
        user = r.userId();
      }
    }
    if (user != p.userId()) {
      requireTeacherOrAdmin(p, course);
    }
    long who = user;
    int result = db(() -> enrolments.enrol(course, who));
    if (result < 0) {
      throw ApiException.notFound("course " + course + " or user " + who + " does not exist");
    }
    ctx.status(result > 0 ? 201 : 200).json(Map.of("courseId", course, "userId", who));
  }

  private void unenrol(Context ctx) {
    Principal p = guard.requireUser(ctx);
    long course = id(ctx.pathParam("id"), "id");
    String raw = ctx.queryParam("userId");
    long user = raw == null ? p.userId() : id(raw, "userId");
    if (user != p.userId()) {
      requireTeacherOrAdmin(p, course);
    }
    if (!db(() -> enrolments.unenrol(course, user))) {
      throw ApiException.notFound("user " + user + " is not enrolled in course " + course);
    }
    revocations.membershipChanged(course, user);
    ctx.status(204);
  }

  private void mine(Context ctx) {
    Principal p = guard.requireUser(ctx);
    List<Map<String, Object>> items = new ArrayList<>();
    for (Enrolments.Enrolled e : db(() -> enrolments.coursesOf(p.userId()))) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("id", e.courseId());
      m.put("title", e.title());
      m.put("instructorId", e.instructorId());
      m.put("enrolledAt", e.enrolledAt());
      items.add(m);
    }
    ctx.json(Map.of("items", items));
  }

  private static long id(String raw, String field) {
    if (raw == null || !DIGITS.matcher(raw).matches()) {
      throw ApiException.badRequest(field, "must be a positive whole number");
    }
    return Long.parseLong(raw);
  }

  private void requireTeacherOrAdmin(Principal p, long course) {
    if (p.isAdmin()) {
      return;
    }
    Optional<Enrolments.Access> a = db(() -> enrolments.access(course, p.userId()));
    if (a.isEmpty()) {
      throw ApiException.notFound("course " + course + " does not exist");
    }
    if (a.get().instructorId() != p.userId()) {
      throw ApiException.forbidden("only the course's teacher or an admin can enrol or remove someone else");
    }
  }

  private interface Sql<T> {
    T run() throws SQLException;
  }

  private static <T> T db(Sql<T> call) {
    try {
      return call.run();
    } catch (SQLException e) {
      throw ApiException.unavailable("database unavailable", 5);
    }
  }
}
