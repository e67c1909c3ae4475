package io.vtp.bench.springpeer;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/** {@code GET /api/v1/courses/{id}}: authenticated (session), rate limited (interceptor), cached (repository). */
@RestController
class CourseController {
  private final CourseRepository courses;

  CourseController(CourseRepository courses) {
    this.courses = courses;
  }

  @GetMapping("/api/v1/courses/{id}")
  Course course(@PathVariable("id") long id) {
    return courses.find(id);
  }

  /** For the benchmark's readiness wait and nginx's probe; touches nothing. */
  @GetMapping("/health/live")
  String live() {
    return "ok";
  }
}
