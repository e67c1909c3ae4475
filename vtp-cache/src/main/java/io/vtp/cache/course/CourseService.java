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
   * @return the course, or empty when there is none; never {@code null}
   * @throws CourseStoreException when the store fails
   */
  Optional<Course> findById(long id);

  /**
   * Finds many courses in one query.
   *
   * @param ids the ids; not {@code null}, no {@code null} element
   * @return the courses found, by id; ids not found are absent; never {@code null}
   * @throws NullPointerException when {@code ids} or one of its elements is {@code null}
   * @throws CourseStoreException when the store fails
   */
  Map<Long, Course> findByIds(Collection<Long> ids);

  /**
   * Lists a page of courses, ordered by id.
   *
   * @param page from 0
   * @param size 1 to 1000
   * @return the page's courses; empty past the end; never {@code null}
   * @throws IllegalArgumentException when page or size is out of range
   * @throws CourseStoreException when the store fails
   */
  List<Course> list(int page, int size);

  /**
   * Creates a course with version 1.
   *
   * @param title the title; not {@code null}
   * @param description the description; not {@code null}, may be empty
   * @param instructorId the instructor
   * @return the created course with its id; never {@code null}
   * @throws NullPointerException when {@code title} or {@code description} is {@code null}
   * @throws CourseStoreException when the store fails
   */
  Course create(String title, String description, long instructorId);

  /**
   * Replaces a course's title, description and instructor, incrementing its version.
   *
   * @param course the new state; its id names the course, its version is ignored; not {@code null}
   * @return the updated course, or empty when there is no such course; never {@code null}
   * @throws NullPointerException when {@code course} is {@code null}
   * @throws CourseStoreException when the store fails
   */
  Optional<Course> update(Course course);

  /**
   * Deletes a course.
   *
   * @param id the id
   * @return whether a course was deleted
   * @throws CourseStoreException when the store fails
   */
  boolean delete(long id);
}
