package io.vtp.app.rooms;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/** Course enrolments in PostgreSQL (table {@code enrolment}); prepared statements only. Thread-safe. */
public final class Enrolments {
  private static final String FOREIGN_KEY_VIOLATION = "23503";

  private final DataSource db;

  /**
   * Creates the repository.
   *
   * @param db the primary database (the room policy must never read a lagging replica)
   */
  public Enrolments(DataSource db) {
    this.db = db;
  }

  /** A course the user is enrolled in. */
  public record Enrolled(long courseId, String title, long instructorId, Instant enrolledAt) {}

  /** What the room policy needs to know about one user and one course. */
  public record Access(long instructorId, boolean enrolled) {}

  /**
   * Enrols a user (idempotent).
   *
   * @return 1 when enrolled now, 0 when already enrolled, -1 when the course or the user does not exist
   * @throws SQLException on a database error
   */
  public int enrol(long courseId, long userId) throws SQLException {
    try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(
        "INSERT INTO enrolment (course_id, user_id) VALUES (?, ?) ON CONFLICT DO NOTHING")) {
      ps.setLong(1, courseId);
      ps.setLong(2, userId);
      return ps.executeUpdate();
    } catch (SQLException e) {
      if (FOREIGN_KEY_VIOLATION.equals(e.getSQLState())) {
        return -1;
      }
      throw e;
    }
  }

  /**
   * Removes an enrolment.
   *
   * @return whether there was one
   * @throws SQLException on a database error
   */
  public boolean unenrol(long courseId, long userId) throws SQLException {
    try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(
        "DELETE FROM enrolment WHERE course_id = ? AND user_id = ?")) {
      ps.setLong(1, courseId);
      ps.setLong(2, userId);
      return ps.executeUpdate() > 0;
    }
  }

  /**
   * Lists a user's courses, most recent enrolment first.
   *
   * @throws SQLException on a database error
   */
  public List<Enrolled> coursesOf(long userId) throws SQLException {
    try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(
        "SELECT c.id, c.title, c.instructor_id, e.enrolled_at FROM enrolment e JOIN course c ON c.id = e.course_id"
            + " WHERE e.user_id = ? ORDER BY e.enrolled_at DESC, c.id LIMIT 1000")) {
      ps.setLong(1, userId);
      List<Enrolled> out = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(new Enrolled(rs.getLong(1), rs.getString(2), rs.getLong(3), rs.getTimestamp(4).toInstant()));
        }
      }
      return out;
    }
  }

  /**
   * Reads a course's teacher and whether the user is enrolled, in one query.
   *
   * @return empty when the course does not exist
   * @throws SQLException on a database error
   */
  public Optional<Access> access(long courseId, long userId) throws SQLException {
    try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(
        "SELECT c.instructor_id, EXISTS (SELECT 1 FROM enrolment e WHERE e.course_id = c.id AND e.user_id = ?)"
            + " FROM course c WHERE c.id = ?")) {
      ps.setLong(1, userId);
      ps.setLong(2, courseId);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(new Access(rs.getLong(1), rs.getBoolean(2))) : Optional.empty();
      }
    }
  }
}
