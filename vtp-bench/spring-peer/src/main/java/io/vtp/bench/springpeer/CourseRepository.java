package io.vtp.bench.springpeer;

import java.util.List;
import org.springframework.cache.annotation.Cacheable;
import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;
import org.springframework.web.server.ResponseStatusException;

/** The course read from PostgreSQL, cached in Redis by Spring Cache ({@code courses}, TTL in the properties). */
@Repository
public class CourseRepository {
  private final JdbcTemplate jdbc;

  CourseRepository(JdbcTemplate jdbc) {
    this.jdbc = jdbc;
  }

  /**
   * Reads a course.
   *
   * @param id the course id
   * @return the course
   * @throws ResponseStatusException 404 when there is none (not cached)
   */
  @Cacheable(cacheNames = "courses")
  public Course find(long id) {
    List<Course> rows = jdbc.query("SELECT id, title, description, instructor_id, version FROM course WHERE id = ?",
        (rs, n) -> new Course(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getLong(4), rs.getLong(5)), id);
    if (rows.isEmpty()) {
      throw new ResponseStatusException(HttpStatus.NOT_FOUND, "no course " + id);
    }
    return rows.get(0);
  }
}
