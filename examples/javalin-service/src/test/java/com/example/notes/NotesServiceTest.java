package com.example.notes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vtp.testkit.RedisServer;
import io.vtp.testkit.VtpServers;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import redis.clients.jedis.RedisClient;

/** The service on a free port over a real Redis (vtp-testkit), through a real HTTP client. */
@ExtendWith(VtpServers.class)
class NotesServiceTest {
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @Test
  void sessionsLimitsHealthAndMetricsWork(RedisServer redis) throws Exception {
    try (RedisClient client = redis.newClient(); NotesService service = new NotesService(client, 2).start(0)) {
      String base = "http://127.0.0.1:" + service.port();
      HttpResponse<String> login = send(HttpRequest.newBuilder(URI.create(base + "/login/ada"))
          .POST(HttpRequest.BodyPublishers.noBody()));
      String cookie = login.headers().firstValue("Set-Cookie").orElseThrow();
      assertTrue(cookie.startsWith("vtp_session=") && cookie.contains("HttpOnly"), cookie);
      String session = cookie.substring(0, cookie.indexOf(';'));

      HttpResponse<String> note = send(HttpRequest.newBuilder(URI.create(base + "/notes/1")).header("Cookie", session));
      assertEquals("note 1 of ada", note.body());
      assertTrue(note.headers().firstValue("RateLimit").isPresent());
      assertEquals(401, send(HttpRequest.newBuilder(URI.create(base + "/notes/1"))).statusCode());
      HttpResponse<String> limited = send(HttpRequest.newBuilder(URI.create(base + "/notes/2"))
          .header("Cookie", session));
      assertEquals(429, limited.statusCode());
      assertTrue(limited.headers().firstValue("Retry-After").isPresent());

      assertEquals(200, send(HttpRequest.newBuilder(URI.create(base + "/health/live"))).statusCode());
      String metrics = send(HttpRequest.newBuilder(URI.create(base + "/metrics"))).body();
      assertTrue(metrics.contains("uri=\"/notes/{id}\""), metrics);
    }
  }

  private static HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }
}
