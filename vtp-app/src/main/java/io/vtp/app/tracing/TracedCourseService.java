package io.vtp.app.tracing;

import io.vtp.cache.course.Course;
import io.vtp.cache.course.CourseService;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The course store with a client span ({@code db.system.name=postgresql}) around each SQL call, so a cache load
 * shows its query under the cache span. Used only when tracing is on; otherwise the store itself is wired.
 *
 * <p>Thread-safe when the delegate is.
 */
public final class TracedCourseService implements CourseService {
  private final CourseService delegate;
  private final Tracing tracing;

  /**
   * @param delegate the store (JDBC)
   * @param tracing the tracing
   */
  public TracedCourseService(CourseService delegate, Tracing tracing) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
    this.tracing = Objects.requireNonNull(tracing, "tracing");
  }

  @Override
  public Optional<Course> findById(long id) {
    return tracing.clientSpan("SELECT courses", "postgresql", () -> delegate.findById(id));
  }

  @Override
  public Map<Long, Course> findByIds(Collection<Long> ids) {
    return tracing.clientSpan("SELECT courses", "postgresql", () -> delegate.findByIds(ids));
  }

  @Override
  public List<Course> list(int page, int size) {
    return tracing.clientSpan("SELECT courses", "postgresql", () -> delegate.list(page, size));
  }

  @Override
  public Course create(String title, String description, long instructorId) {
    return tracing.clientSpan("INSERT courses", "postgresql", () -> delegate.create(title, description, instructorId));
  }

  @Override
  public Optional<Course> update(Course course) {
    return tracing.clientSpan("UPDATE courses", "postgresql", () -> delegate.update(course));
  }

  @Override
  public boolean delete(long id) {
    return tracing.clientSpan("DELETE courses", "postgresql", () -> delegate.delete(id));
  }
}
