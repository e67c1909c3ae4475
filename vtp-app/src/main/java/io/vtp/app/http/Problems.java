package io.vtp.app.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Writes RFC 9457 problem bodies. */
public final class Problems {
  /** The problem content type. */
  public static final String CONTENT_TYPE = "application/problem+json";

  private Problems() {}

  /**
   * Answers a request with a problem.
   *
   * @param ctx the request
   * @param mapper the JSON mapper
   * @param e the problem
   */
  public static void write(Context ctx, ObjectMapper mapper, ApiException e) {
    e.headers().forEach(ctx::header);
    write(ctx, mapper, e.status(), e.title(), e.getMessage(), e.errors());
  }

  /**
   * Answers a request with a problem raised by a vtp-javalin plugin (rate limits, sessions).
   *
   * @param ctx the request
   * @param mapper the JSON mapper
   * @param e the problem
   */
  public static void write(Context ctx, ObjectMapper mapper, io.vtp.javalin.ProblemException e) {
    e.headers().forEach(ctx::header);
    write(ctx, mapper, e.status(), e.title(), e.getMessage(), List.of());
  }

  /**
   * Answers a request with a problem.
   *
   * @param ctx the request
   * @param mapper the JSON mapper
   * @param status the HTTP status
   * @param title the problem title
   * @param detail the occurrence's detail
   * @param errors per-field errors, may be empty
   */
  public static void write(Context ctx, ObjectMapper mapper, int status, String title, String detail,
      List<Map<String, String>> errors) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("type", "about:blank");
    body.put("title", title);
    body.put("status", status);
    body.put("detail", detail);
    body.put("instance", ctx.path());
    body.put("requestId", Requests.requestId(ctx));
    if (!errors.isEmpty()) {
      body.put("errors", errors);
    }
    try {
      ctx.status(status).contentType(CONTENT_TYPE).result(mapper.writeValueAsBytes(body));
    } catch (com.fasterxml.jackson.core.JsonProcessingException ex) {
      ctx.status(status).contentType(CONTENT_TYPE).result("{\"status\":" + status + "}");
    }
  }
}
