package io.vtp.cache.course;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/** A real delegating decorator that counts reads reaching the database (not a mock: every call runs the SQL). */
final class CountingCourseService implements CourseService {
  final AtomicInteger findById = new AtomicInteger();
  final AtomicInteger findByIds = new AtomicInteger();
  final AtomicInteger list = new AtomicInteger();
  private final CourseService delegate;

  CountingCourseService(CourseService delegate) {
    this.delegate = delegate;
  }

  @Override
  public Optional<Course> findById(long id) {
    findById.incrementAndGet();
    return delegate.findById(id);
  }

  @Override
  public Map<Long, Course> findByIds(Collection<Long> ids) {
    findByIds.incrementAndGet();
    return delegate.findByIds(ids);
  }

  @Override
  public List<Course> list(int page, int size) {
    list.incrementAndGet();
    return delegate.list(page, size);
  }

  @Override
  public Course create(String title, String description, long instructorId) {
    return delegate.create(title, description, instructorId);
  }

  @Override
  public Optional<Course> update(Course course) {
    return delegate.update(course);
  }

  @Override
  public boolean delete(long id) {
    return delegate.delete(id);
  }
}
