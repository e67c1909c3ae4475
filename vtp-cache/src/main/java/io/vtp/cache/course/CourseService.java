package io.vtp.cache.course;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Courses: create, read, update, delete and list them; the entity of the worked example of caching
 * ({@link CachedCourseService}).
 *
 * <p>Implementations are thread-safe. Failures of the store are {@link CourseStoreException}s.
 */
public interface CourseService {
  /**
   * Finds a course.
   *
   * @param id the id
   * @return the course, or empty when there is none
   */
  Optional<Course> findById(long id);

  /**
   * Finds many courses in one query.
   *
   * @param ids the ids; not {@code null}
   * @return the courses found, by id
   */
  Map<Long, Course> findByIds(Collection<Long> ids);

  /**
   * Lists a page of courses, ordered by id.
   *
   * @param page from 0
   * @param size 1 to 1000
   * @return the page's courses; empty past the end
   * @throws IllegalArgumentException when page or size is out of range
   */
  List<Course> list(int page, int size);

  /**
   * Creates a course with version 1.
   *
   * @param title not {@code null}
   * @param description not {@code null}
   * @param instructorId the instructor
   * @return the created course with its id
   */
  Course create(String title, String description, long instructorId);

  /**
   * Replaces a course's title, description and instructor, incrementing its version.
   *
   * @param course the new state; its id names the course, its version is ignored
   * @return the updated course, or empty when there is no such course
   */
  Optional<Course> update(Course course);

  /**
   * Deletes a course.
   *
   * @param id the id
   * @return whether a course was deleted
   */
  boolean delete(long id);
}
