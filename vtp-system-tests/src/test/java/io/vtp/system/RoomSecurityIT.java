package io.vtp.system;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Issue 18, items 1, 4, 5 and 7 as attacks on the running local deployment (nginx, two backends, Redis,
 * PostgreSQL), configured as production is by default ({@code SELF_REGISTER_ROLES=student}): a logged-in stranger
 * joins a course's room through nginx, a socket outlives its session's logout done through another instance, a
 * member floods a room, and a visitor registers as a teacher. One deployment start.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RoomSecurityIT {
  private static final String TEACHER = "teacher@vtp.local";
  private static final String STUDENT = "student@vtp.local";
  private static final int POLICY_VIOLATION = 1008;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static Deployment d;
  private static long course;

  @BeforeAll
  static void up() throws Exception {
    d = new Deployment(Files.createTempDirectory("vtp-room-security-it-"), 31400);
    d.env.put("VTP_LOGIN_LIMIT", "100000");
    d.env.put("VTP_SELF_REGISTER_ROLES", "student");
    d.run("up", "--instances", "2");
    String teacher = Faults.token(d.url(""), TEACHER);
    HttpResponse<String> created = Faults.post(d.url("/api/v1/courses"), teacher,
        "{\"title\":\"Room security\",\"description\":\"\"}");
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    course = Faults.json(created).get("id").asLong();
  }

  @AfterAll
  static void down() throws Exception {
    if (d != null) {
      d.run("down");
    }
  }

  @Test
  @Order(1)
  void strangerJoinsACoursesRoomThroughNginx_isClosed_enrolledStudentGetsIn() throws Exception {
    String student = Faults.token(d.url(""), STUDENT);
    RoomMember stranger = RoomMember.connect(URI.create("ws://127.0.0.1:" + d.httpPort + "/ws/rooms/" + course), student);
    assertThat(stranger.closed.get(10, TimeUnit.SECONDS)).isEqualTo(POLICY_VIOLATION);
    assertThat(stranger.frames).noneMatch(f -> f.contains("\"welcome\""));

    HttpResponse<String> enrol = Faults.post(d.url("/api/v1/courses/" + course + "/enrolment"), student, "{}");
    assertThat(enrol.statusCode()).as(enrol.body()).isEqualTo(201);
    RoomMember member = RoomMember.connect(URI.create("ws://127.0.0.1:" + d.httpPort + "/ws/rooms/" + course), student);
    assertThat(member.await("\"welcome\"", Duration.ofSeconds(10))).isTrue();
    member.ws.abort();
  }

  @Test
  @Order(2)
  void logoutThroughOneBackend_closesTheSocketOnTheOther() throws Exception {
    String student = Faults.token(d.url(""), STUDENT);
    Faults.post(d.url("/api/v1/courses/" + course + "/enrolment"), student, "{}");
    RoomMember onTwo = RoomMember.connect(URI.create("ws://127.0.0.1:" + (d.basePort + 2) + "/ws/rooms/" + course), student);
    assertThat(onTwo.await("\"welcome\"", Duration.ofSeconds(10))).isTrue();
    HttpResponse<String> logout = Faults.post("http://127.0.0.1:" + (d.basePort + 1) + "/api/v1/auth/logout", student,
        "{}");
    assertThat(logout.statusCode()).as(logout.body()).isEqualTo(204);
    // The revalidation timer would take up to 30 s: closing within 5 s is the revocation through Redis.
    assertThat(onTwo.closed.get(5, TimeUnit.SECONDS)).isEqualTo(POLICY_VIOLATION);
  }

  @Test
  @Order(3)
  void floodingARoom_isClosedWith1008() throws Exception {
    String teacher = Faults.token(d.url(""), TEACHER);
    Faults f = new Faults(d);
    double rateCloses = f.metricSum(2, "ws_policy_closes_total", "reason=\"message-rate\"");
    RoomMember flooder = RoomMember.connect(URI.create("ws://127.0.0.1:" + d.httpPort + "/ws/rooms/" + course), teacher);
    assertThat(flooder.await("\"welcome\"", Duration.ofSeconds(10))).isTrue();
    int sent = 0;
    for (; sent < 200 && !flooder.closed.isDone(); sent++) {
      try {
        flooder.ws.sendText("{\"type\":\"message\",\"data\":" + sent + "}", true).get(5, TimeUnit.SECONDS);
      } catch (java.util.concurrent.ExecutionException e) {
        break;
      }
    }
    // The server closes with 1008; a client still writing may lose the close frame with the connection (the server
    // closed with the client's further messages unread): the JDK client then reports a reset, or 1006 (closed
    // without a close frame). Unlimited, the socket would stay open. That it was the flood limit that closed it,
    // whichever code the client saw, the server's count of policy closes for the message rate tells.
    assertThat(flooder.closed.get(10, TimeUnit.SECONDS)).as("after %d messages", sent)
        .isIn(POLICY_VIOLATION, RoomMember.RESET, 1006);
    assertThat(f.metricSum(2, "ws_policy_closes_total", "reason=\"message-rate\"") - rateCloses)
        .as("policy closes for the message rate").isEqualTo(1.0);
  }

  @Test
  @Order(4)
  void registeringAsATeacher_isRefused() throws Exception {
    HttpResponse<String> r = Faults.post(d.url("/api/v1/auth/register"), null,
        "{\"email\":\"mallory@example.com\",\"password\":\"not-on-any-list-1\",\"fullName\":\"Mallory\","
            + "\"role\":\"teacher\"}");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(403);
    JsonNode problem = JSON.readTree(r.body());
    assertThat(problem.get("detail").asText()).contains("cannot self-register");
  }
}
