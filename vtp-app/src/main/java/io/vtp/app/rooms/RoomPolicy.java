package io.vtp.app.rooms;

import io.vtp.app.auth.Principal;
import io.vtp.app.http.ApiException;
import java.sql.SQLException;
import java.util.List;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Who may be in a room: the one place that decides, asked by {@link RoomHub} when a member joins, again when a
 * revocation names the member's course or user, and on every revalidation tick.
 *
 * <p>Every room belongs to a course: its id is the course id ({@code 42}) or the course id and a name
 * ({@code 42-breakout-1}). A room is open to the course's teacher, to admins and to the students enrolled in the
 * course; to nobody when the course does not exist. Decisions read the primary database, never a cache, so an
 * un-enrolment counts at once.
 *
 * <p>Thread-safe.
 */
public final class RoomPolicy {
  /** The room id rule, for messages. */
  public static final String ROOM_RULE = "<courseId> or <courseId>-<name>, name [A-Za-z0-9_-]{1,40}";
  private static final Pattern ROOM = Pattern.compile("([1-9][0-9]{0,17})(?:-[A-Za-z0-9_-]{1,40})?");

  /** A decision. */
  public enum Decision {
    /** The user may be in the course's rooms. */
    ALLOWED,
    /** The course does not exist (or was deleted). */
    NO_SUCH_COURSE,
    /** The user is not the course's teacher, not an admin and not enrolled. */
    NOT_A_MEMBER
  }

  private final Enrolments enrolments;

  /**
   * Creates the policy.
   *
   * @param enrolments the enrolment repository
   */
  public RoomPolicy(Enrolments enrolments) {
    this.enrolments = enrolments;
  }

  /**
   * Returns the course a room belongs to.
   *
   * @param roomId the room id from the URL
   * @return the course id, or empty when the id does not follow {@link #ROOM_RULE}
   */
  public static OptionalLong courseOf(String roomId) {
    Matcher m = ROOM.matcher(roomId);
    return m.matches() ? OptionalLong.of(Long.parseLong(m.group(1))) : OptionalLong.empty();
  }

  /**
   * Decides whether a user may be in the rooms of a course.
   *
   * @param p the user
   * @param courseId the course
   * @return the decision
   * @throws ApiException 503 when the database cannot answer (the caller refuses, never allows)
   */
  public Decision decide(Principal p, long courseId) {
    try {
      return enrolments.access(courseId, p.userId())
          .map(a -> p.isAdmin() || a.instructorId() == p.userId() || a.enrolled() ? Decision.ALLOWED
              : Decision.NOT_A_MEMBER)
          .orElse(Decision.NO_SUCH_COURSE);
    } catch (SQLException e) {
      throw new ApiException(503, "Service unavailable", "database unavailable", List.of(),
          java.util.Map.of("Retry-After", "5"));
    }
  }
}
