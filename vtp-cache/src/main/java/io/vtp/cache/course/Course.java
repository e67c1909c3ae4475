package io.vtp.cache.course;

import java.util.Objects;

/**
 * A course, as stored in PostgreSQL and cached as JSON. Immutable and thread-safe.
 *
 * @param id the database id
 * @param title the title; not {@code null}
 * @param description the description; not {@code null}, may be empty
 * @param instructorId the instructor's id
 * @param version incremented by every update (starts at 1)
 */
public record Course(long id, String title, String description, long instructorId, long version) {
  /**
   * Checks the fields.
   *
   * @param id the database id
   * @param title the title; not {@code null}
   * @param description the description; not {@code null}, may be empty
   * @param instructorId the instructor's id
   * @param version incremented by every update (starts at 1)
   * @throws NullPointerException when {@code title} or {@code description} is {@code null}
   */
  public Course {
    Objects.requireNonNull(title, "title");
    Objects.requireNonNull(description, "description");
  }
}
