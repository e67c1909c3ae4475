package io.vtp.cache.course;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * {@link CourseService} over PostgreSQL with plain JDBC: one statement per call, {@code PreparedStatement} only,
 * auto-commit (so a method that returned has committed). The table is created by {@link #createSchema()} from
 * {@code course-schema.sql}.
 *
 * <p>Thread-safe when the {@link DataSource} is (a pool such as HikariCP).
 */
public final class JdbcCourseService implements CourseService {
  private static final String COLUMNS = "id, title, description, instructor_id, version";

  private final DataSource dataSource;

  /**
   * Creates the service.
   *
   * @param dataSource the database; not {@code null}
   */
  public JdbcCourseService(DataSource dataSource) {
    this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
  }

  /**
   * Creates the {@code course} table if it does not exist.
   *
   * @throws CourseStoreException when the database fails
   */
  public void createSchema() {
    String ddl;
    try (InputStream in = JdbcCourseService.class.getResourceAsStream("course-schema.sql")) {
      ddl = new String(Objects.requireNonNull(in, "course-schema.sql").readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new CourseStoreException("course-schema.sql could not be read", e);
    }
    try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
      s.execute(ddl); // a constant resource, never input
    } catch (SQLException e) {
      throw new CourseStoreException("creating the course schema failed: " + e.getMessage(), e);
    }
  }

  @Override
  public Optional<Course> findById(long id) {
    try (Connection c = dataSource.getConnection();
         PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM course WHERE id = ?")) {
      ps.setLong(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(row(rs)) : Optional.empty();
      }
    } catch (SQLException e) {
      throw new CourseStoreException("findById failed: " + e.getMessage(), e);
    }
  }

  @Override
  public Map<Long, Course> findByIds(Collection<Long> ids) {
    Objects.requireNonNull(ids, "ids");
    Map<Long, Course> found = new LinkedHashMap<>();
    if (ids.isEmpty()) {
      return found;
    }
    try (Connection c = dataSource.getConnection();
         PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM course WHERE id = ANY(?) ORDER BY id")) {
      Array array = c.createArrayOf("bigint", ids.toArray(Long[]::new));
      try {
        ps.setArray(1, array);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            Course course = row(rs);
            found.put(course.id(), course);
          }
        }
      } finally {
        array.free();
      }
      return found;
    } catch (SQLException e) {
      throw new CourseStoreException("findByIds failed for " + ids.size() + " ids: " + e.getMessage(), e);
    }
  }

  @Override
  public List<Course> list(int page, int size) {
    if (page < 0) {
      throw new IllegalArgumentException("page must be >= 0 but was " + page);
    }
    if (size < 1 || size > 1000) {
      throw new IllegalArgumentException("size must be within [1, 1000] but was " + size);
    }
    try (Connection c = dataSource.getConnection();
         PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM course ORDER BY id LIMIT ? OFFSET ?")) {
      ps.setInt(1, size);
      ps.setLong(2, (long) page * size);
      List<Course> courses = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          courses.add(row(rs));
        }
      }
      return courses;
    } catch (SQLException e) {
      throw new CourseStoreException("list failed: " + e.getMessage(), e);
    }
  }

  @Override
  public Course create(String title, String description, long instructorId) {
    Objects.requireNonNull(title, "title");
    Objects.requireNonNull(description, "description");
    try (Connection c = dataSource.getConnection();
         PreparedStatement ps = c.prepareStatement("INSERT INTO course (title, description, instructor_id, version) "
             + "VALUES (?, ?, ?, 1) RETURNING " + COLUMNS)) {
      ps.setString(1, title);
      ps.setString(2, description);
      ps.setLong(3, instructorId);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return row(rs);
      }
    } catch (SQLException e) {
      throw new CourseStoreException("create failed: " + e.getMessage(), e);
    }
  }

  @Override
  public Optional<Course> update(Course course) {
    Objects.requireNonNull(course, "course");
    try (Connection c = dataSource.getConnection();
         PreparedStatement ps = c.prepareStatement("UPDATE course SET title = ?, description = ?, instructor_id = ?, "
             + "version = version + 1 WHERE id = ? RETURNING " + COLUMNS)) {
      ps.setString(1, course.title());
      ps.setString(2, course.description());
      ps.setLong(3, course.instructorId());
      ps.setLong(4, course.id());
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(row(rs)) : Optional.empty();
      }
    } catch (SQLException e) {
      throw new CourseStoreException("update failed: " + e.getMessage(), e);
    }
  }

  @Override
  public boolean delete(long id) {
    try (Connection c = dataSource.getConnection();
         PreparedStatement ps = c.prepareStatement("DELETE FROM course WHERE id = ?")) {
      ps.setLong(1, id);
      return ps.executeUpdate() > 0;
    } catch (SQLException e) {
      throw new CourseStoreException("delete failed: " + e.getMessage(), e);
    }
  }

  private static Course row(ResultSet rs) throws SQLException {
    return new Course(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getLong(4), rs.getLong(5));
  }
}
