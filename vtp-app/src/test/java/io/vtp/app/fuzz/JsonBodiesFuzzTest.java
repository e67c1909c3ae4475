package io.vtp.app.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vtp.app.auth.AuthService;
import io.vtp.app.http.ApiException;
import io.vtp.app.http.JsonBodies;
import io.vtp.app.web.CourseRoutes;
import java.util.List;

/**
 * Request body parsing with the app's strict mapper: whatever the bytes, {@link JsonBodies#read} returns a value or
 * throws {@link ApiException} 400 with a message; nothing else ever comes out (no 500 from a body).
 *
 * <p>Runs in regression mode in the ordinary build (the inputs in {@code JsonBodiesFuzzTestInputs/}); to fuzz for
 * real: {@code JAZZER_FUZZ=1 ./mvnw test -pl vtp-app -Dtest=JsonBodiesFuzzTest}.
 */
class JsonBodiesFuzzTest {
  private static final ObjectMapper MAPPER = JsonBodies.mapper();
  private static final List<Class<?>> BODIES = List.of(CourseRoutes.CourseRequest.class,
      AuthService.LoginRequest.class, AuthService.RegisterRequest.class);

  @FuzzTest(maxDuration = "60s")
  void read_answersAValueOr400(byte[] body) {
    for (Class<?> type : BODIES) {
      try {
        assertThat(JsonBodies.read(MAPPER, body, type)).isNotNull();
      } catch (ApiException e) {
        assertThat(e.status()).isEqualTo(400);
        assertThat(e.getMessage()).isNotBlank();
      }
    }
  }
}
