package io.vtp.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Logs and traces of the real deployment ({@code deployment/local/vtp up} with {@code VTP_LOG_FORMAT=json} and
 * {@code VTP_OTEL_EXPORTER_OTLP_ENDPOINT} pointing at an OTLP/HTTP receiver in this test): one request sent through
 * nginx with a W3C {@code traceparent} is found, by its trace id, in nginx's access log, in exactly one instance's
 * JSON access line (with nginx's request id and a span id of its own), and in the spans that instance exported. Then
 * every line the instances wrote parses as one JSON object, and none holds the run's password, session token or
 * database password. A room message sent on one instance is one trace: the publish's producer span there, and a
 * consumer span, its child, on each instance that delivered it. Ports 28600-28799 (the deployment's block) and 28590 (the receiver): the tests' block, below
 * Linux's ephemeral range (an outgoing connection took 33760 in CI).
 */
class ObservabilityIT {
  private static final int OTLP_PORT = 28590; // the tests' block (28000-31999), below the ephemeral range
  private static final int INSTANCES = 2;
  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String PASSWORD = "demo-password-123";
  private static final List<byte[]> EXPORTED = new CopyOnWriteArrayList<>();
  private static HttpServer receiver;
  private static Deployment deployment;
  private static Path state;

  @BeforeAll
  static void up() throws Exception {
    receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", OTLP_PORT), 16);
    receiver.createContext("/v1/traces", exchange -> {
      try (InputStream in = exchange.getRequestBody()) {
        byte[] body = in.readAllBytes();
        if ("gzip".equalsIgnoreCase(exchange.getRequestHeaders().getFirst("Content-Encoding"))) {
          body = new GZIPInputStream(new java.io.ByteArrayInputStream(body)).readAllBytes();
        }
        EXPORTED.add(body);
      }
      exchange.getResponseHeaders().add("Content-Type", "application/x-protobuf");
      exchange.sendResponseHeaders(200, -1); // an empty ExportTraceServiceResponse: everything accepted
      exchange.close();
    });
    receiver.start();
    state = Files.createTempDirectory("vtp-observability-it-");
    deployment = new Deployment(state, 28600);
    deployment.env.put("VTP_LOG_FORMAT", "json");
    deployment.env.put("VTP_OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:" + OTLP_PORT);
    String out = deployment.run("up", "--instances", Integer.toString(INSTANCES));
    assertThat(out).contains("VTP Scale is up");
  }

  @AfterAll
  static void down() throws Exception {
    try {
      if (deployment != null) {
        deployment.run("down");
      }
    } finally {
      if (receiver != null) {
        receiver.stop(0);
      }
    }
  }

  @Test
  void oneRequest_carriesItsTraceIdThroughNginxOneInstanceAndTheExportedSpans() throws Exception {
    String token = login();

    byte[] traceBytes = new byte[16];
    new SecureRandom().nextBytes(traceBytes);
    traceBytes[0] |= 1;
    String traceId = HexFormat.of().formatHex(traceBytes);
    String parentId = "00f067aa0ba902b7";
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(deployment.url("/api/v1/auth/me")))
        .header("Authorization", "Bearer " + token)
        .header("traceparent", "00-" + traceId + "-" + parentId + "-01")
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    String requestId = r.headers().firstValue("X-Request-Id").orElseThrow();
    String instance = r.headers().firstValue("X-Instance-Id").orElseThrow();

    // nginx: one JSON line with the request id and the client's trace id.
    Path nginxLog = state.resolve("logs/nginx-access.log");
    await().atMost(Duration.ofSeconds(10)).until(() -> Files.readString(nginxLog).contains(traceId));
    List<JsonNode> nginxLines = new ArrayList<>();
    for (String line : Files.readAllLines(nginxLog)) {
      if (line.contains(traceId)) {
        nginxLines.add(JSON.readTree(line));
      }
    }
    assertThat(nginxLines).hasSize(1);
    assertThat(nginxLines.get(0).path("request_id").asText()).isEqualTo(requestId);
    assertThat(nginxLines.get(0).path("trace_id").asText()).isEqualTo(traceId);

    // The instances: exactly one wrote a line with this trace id (the access line), the one that answered.
    await().atMost(Duration.ofSeconds(10)).until(() -> linesWith(traceId).size() == 1);
    List<String[]> found = linesWith(traceId);
    assertThat(found).hasSize(1);
    assertThat(found.get(0)[0]).isEqualTo(instance);
    JsonNode access = JSON.readTree(found.get(0)[1]);
    assertThat(access.path("logger").asText()).isEqualTo("io.vtp.app.access");
    assertThat(access.path("trace_id").asText()).isEqualTo(traceId);
    assertThat(access.path("request_id").asText()).isEqualTo(requestId);
    assertThat(access.path("span_id").asText()).matches("[0-9a-f]{16}").isNotEqualTo(parentId);
    assertThat(access.path("instance").asText()).isEqualTo(instance);
    assertThat(access.path("route").asText()).isEqualTo("/api/v1/auth/me");
    assertThat(access.path("status").asInt()).isEqualTo(200);
    assertThat(access.path("duration_ms").isNumber()).isTrue();
    assertThat(access.path("level").asText()).isEqualTo("INFO");
    assertThat(access.path("timestamp").asText()).isNotEmpty();

    // The exported spans (OTLP protobuf): the trace id travels as its 16 raw bytes, and so does the span id.
    byte[] spanBytes = HexFormat.of().parseHex(access.path("span_id").asText());
    await().atMost(Duration.ofSeconds(15)).until(() -> EXPORTED.stream().anyMatch(b -> contains(b, traceBytes)));
    assertThat(EXPORTED.stream().anyMatch(b -> contains(b, traceBytes) && contains(b, spanBytes)))
        .as("one export holds the trace id and the instance's span id").isTrue();
    // Decoded: the instance's server span continues the client's trace, with the client's span as its parent.
    await().atMost(Duration.ofSeconds(15)).until(() -> spans().stream()
        .anyMatch(s -> s.spanId().equals(access.path("span_id").asText())));
    OtlpSpans.Span server = spans().stream().filter(s -> s.spanId().equals(access.path("span_id").asText()))
        .findFirst().orElseThrow();
    assertThat(server.traceId()).isEqualTo(traceId);
    assertThat(server.parentSpanId()).isEqualTo(parentId);
    assertThat(server.instance()).isEqualTo(instance);
    assertThat(server.name()).isEqualTo("GET /api/v1/auth/me");
    // The guard's spans: the session lookup and the limit decision (one span when they share a round trip).
    for (String name : List.of("session.lookup", "ratelimit.acquire")) {
      byte[] nameBytes = name.getBytes(java.nio.charset.StandardCharsets.UTF_8);
      await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(EXPORTED.stream()
          .anyMatch(b -> contains(b, traceBytes) && contains(b, nameBytes))).as("a %s span in the trace", name)
          .isTrue());
    }

    // Every line of every instance is one JSON object; no secret of this run is in any of them.
    List<String> secrets = new ArrayList<>(List.of(PASSWORD, token,
        Files.readString(state.resolve("db-password")).trim(), Files.readString(state.resolve("jwt-secret")).trim()));
    if (Files.exists(state.resolve("redis-password"))) {
      secrets.add(Files.readString(state.resolve("redis-password")).trim());
    }
    int lines = 0;
    for (int i = 1; i <= INSTANCES; i++) {
      for (String line : Files.readAllLines(state.resolve("logs/backend-" + i + ".log"))) {
        if (line.isBlank()) {
          continue;
        }
        lines++;
        JsonNode n = JSON.readTree(line);
        assertThat(n.isObject()).as("backend-%d: %s", i, line).isTrue();
        assertThat(n.path("instance").asText()).isEqualTo("backend-" + i);
        for (String secret : secrets) {
          assertThat(line).as("backend-%d log line", i).doesNotContain(secret);
        }
      }
      assertThat(Files.readString(state.resolve("logs/nginx-access.log"))).doesNotContain(token).doesNotContain(PASSWORD);
    }
    assertThat(lines).isGreaterThan(INSTANCES * 2);
  }

  @Test
  void aRoomMessage_isOneTrace_fromItsPublishToTheDeliveryOnEachInstance() throws Exception {
    String token = login();
    HttpResponse<String> course = HTTP.send(HttpRequest.newBuilder(URI.create(deployment.url("/api/v1/courses")))
        .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"title\":\"Traced room\",\"description\":\"\"}"))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(course.statusCode()).as(course.body()).isEqualTo(201);
    String room = JSON.readTree(course.body()).get("id").asLong() + "-traced";
    List<RoomMember> members = new ArrayList<>();
    try {
      // One member on each instance (directly: nginx's ip_hash sends every loopback client to the same one).
      for (int i = 1; i <= INSTANCES; i++) {
        members.add(RoomMember.connectWelcomed(URI.create("ws://127.0.0.1:" + (deployment.basePort + i)
            + "/ws/rooms/" + room), token));
      }
      String text = "traced-" + UUID.randomUUID();
      members.get(0).ws.sendText("{\"type\":\"message\",\"data\":\"" + text + "\"}", true)
          .get(5, TimeUnit.SECONDS);
      for (RoomMember m : members) {
        String frame = m.frameWith(text, Duration.ofSeconds(10));
        assertThat(frame).as("the message reached every member").isNotNull();
        // The relay's trace context stays between the instances: members get the event as it was sent.
        assertThat(JSON.readTree(frame).has("traceparent")).as(frame).isFalse();
        assertThat(JSON.readTree(frame).path("data").asText()).isEqualTo(text);
      }
      // Publishes on backend-1 so far: member 1's join (only backend-1 had a member) and the message. The
      // message's producer span is the one whose trace holds a consumer span, its child, on each instance.
      await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
        List<OtlpSpans.Span> all = spans();
        List<OtlpSpans.Span> relayed = all.stream().filter(s -> s.name().equals("PUBLISH vtp:room")
            && s.instance().equals("backend-1") && deliveries(all, s).size() == INSTANCES)
            .collect(Collectors.toList());
        assertThat(relayed).as("a publish on backend-1 delivered on both instances, among %s", all).hasSize(1);
        OtlpSpans.Span publish = relayed.get(0);
        assertThat(publish.kind()).isEqualTo(OtlpSpans.PRODUCER);
        assertThat(deliveries(all, publish)).extracting(OtlpSpans.Span::instance)
            .containsExactlyInAnyOrder("backend-1", "backend-2");
        assertThat(deliveries(all, publish)).allSatisfy(d -> {
          assertThat(d.parentSpanId()).isEqualTo(publish.spanId());
          assertThat(d.kind()).isEqualTo(OtlpSpans.CONSUMER);
        });
      });
    } finally {
      for (RoomMember m : members) {
        m.ws.abort();
      }
    }
    String channel = "vtp:room:" + room;
    assertThat(EXPORTED.stream().anyMatch(b -> contains(b, channel.getBytes(StandardCharsets.UTF_8))))
        .as("the spans name the channel %s", channel).isTrue();
  }

  private static String login() throws IOException, InterruptedException {
    HttpResponse<String> login = HTTP.send(HttpRequest.newBuilder(URI.create(deployment.url("/api/v1/auth/login")))
        .header("Content-Type", "application/json").header("X-Token-Type", "bearer")
        .POST(HttpRequest.BodyPublishers.ofString("{\"email\":\"teacher@vtp.local\",\"password\":\"" + PASSWORD
            + "\"}"))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(login.statusCode()).as(login.body()).isEqualTo(200);
    return JSON.readTree(login.body()).get("token").asText();
  }

  /** The delivery spans in the trace of a publish span. */
  private static List<OtlpSpans.Span> deliveries(List<OtlpSpans.Span> all, OtlpSpans.Span publish) {
    return all.stream().filter(d -> d.name().equals("process vtp:room") && d.traceId().equals(publish.traceId()))
        .collect(Collectors.toList());
  }

  /** Every span exported so far, decoded. */
  private static List<OtlpSpans.Span> spans() {
    List<OtlpSpans.Span> out = new ArrayList<>();
    for (byte[] body : EXPORTED) {
      out.addAll(OtlpSpans.parse(body));
    }
    return out;
  }

  /** Lines holding {@code text} in the instances' logs, as (instance, line). */
  private static List<String[]> linesWith(String text) throws IOException {
    List<String[]> out = new ArrayList<>();
    for (int i = 1; i <= INSTANCES; i++) {
      Path log = state.resolve("logs/backend-" + i + ".log");
      for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
        if (line.contains(text)) {
          out.add(new String[] {"backend-" + i, line});
        }
      }
    }
    return out;
  }

  private static boolean contains(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }
}
