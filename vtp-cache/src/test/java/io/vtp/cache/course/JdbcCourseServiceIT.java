package io.vtp.cache.course;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vtp.testkit.PostgresDatabase;
import io.vtp.testkit.VtpServers;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VtpServers.class)
class JdbcCourseServiceIT {
  private final JdbcCourseService courses;

  JdbcCourseServiceIT(PostgresDatabase db) {
    courses = new JdbcCourseService(db.dataSource());
    courses.createSchema(); // idempotent
  }

  @Test
  void crud_roundTripsThroughPostgres() {
    Course created = courses.create("Go to Java", "port it", 7);
    assertThat(created.id()).isPositive();
    assertThat(created.version()).isEqualTo(1);
    assertThat(courses.findById(created.id())).contains(created);
    Course renamed = courses.update(new Course(created.id(), "Java", "ported", 8, 0)).orElseThrow();
    assertThat(renamed).isEqualTo(new Course(created.id(), "Java", "ported", 8, 2));
    assertThat(courses.delete(created.id())).isTrue();
    assertThat(courses.delete(created.id())).isFalse();
    assertThat(courses.findById(created.id())).isEmpty();
    assertThat(courses.update(renamed)).isEmpty();
  }

  @Test
  void findByIdsAndList_useOneQueryEachAndStayInIdOrder() {
    Course a = courses.create("a", "", 1);
    Course b = courses.create("b'); DROP TABLE course; --", "", 1);
    assertThat(courses.findByIds(List.of(b.id(), a.id(), -1L))).containsOnlyKeys(a.id(), b.id());
    assertThat(courses.findById(b.id()).orElseThrow().title()).isEqualTo("b'); DROP TABLE course; --");
    List<Course> all = courses.list(0, 1000);
    assertThat(all).extracting(Course::id).isSorted().contains(a.id(), b.id());
    assertThat(courses.list(1000, 10)).isEmpty();
    assertThatThrownBy(() -> courses.list(0, 0)).hasMessage("size must be within [1, 1000] but was 0");
  }

  @Test
  void schemaDdl_isTheIdempotentCourseTableThatCreateSchemaRuns() {
    assertThat(JdbcCourseService.schemaDdl()).contains("CREATE TABLE IF NOT EXISTS course (");
    courses.createSchema(); // a second run changes nothing
    assertThat(courses.create("again", "", 1).version()).isEqualTo(1);
  }
}
