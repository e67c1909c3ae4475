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
 * auto-commit (so a method that returned has committed). The table it needs is described once, by the resource
 * {@code io/vtp/cache/course/course-schema.sql} ({@link #schemaDdl()}): create it with {@link #createSchema()}, or
 * run {@link #schemaDdl()} from your own migration tool (the reference app runs it as a Flyway migration).
 *
 * <p>Thread-safe when the {@link DataSource} is (a pool such as HikariCP).
 */
public final class JdbcCourseService implements CourseService {
  private static final String COLUMNS = "id, title, description, instructor_id, version";
  private static final String SCHEMA_RESOURCE = "course-schema.sql";

  private final DataSource dataSource;

  /**
   * Creates the service.
   *
   * @param dataSource the database; not {@code null}
   * @throws NullPointerException when {@code dataSource} is {@code null}
   */
  public JdbcCourseService(DataSource dataSource) {
    this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
  }

  /**
   * Returns the DDL of the {@code course} table this service reads and writes: the text of the resource
   * {@code io/vtp/cache/course/course-schema.sql}, idempotent ({@code CREATE TABLE IF NOT EXISTS}). Migration tools
   * that record checksums see any edit of it as a change of an applied migration.
   *
   * <p>Thread-safe; reads the resource on every call.
   *
   * @return the DDL; never {@code null}
   * @throws IllegalStateException when the resource is missing from the class path (a broken jar)
   * @throws CourseStoreException when the resource cannot be read
   */
  public static String schemaDdl() {
    try (InputStream in = JdbcCourseService.class.getResourceAsStream(SCHEMA_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("io/vtp/cache/course/" + SCHEMA_RESOURCE
            + " is missing from the class path; rebuild or re-download the vtp-cache jar");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new CourseStoreException(SCHEMA_RESOURCE + " could not be read", e);
    }
  }

  /**
   * Creates the {@code course} table if it does not exist, running {@link #schemaDdl()}.
   *
   * @throws IllegalStateException when the schema resource is missing from the class path
   * @throws CourseStoreException when the schema resource cannot be read or the database fails
   */
  public void createSchema() {
    String ddl = schemaDdl();
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
