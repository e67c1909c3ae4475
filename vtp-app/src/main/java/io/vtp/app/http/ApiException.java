package io.vtp.app.http;

import java.util.List;
import java.util.Map;

/**
 * An HTTP error answered as an RFC 9457 problem body ({@code application/problem+json}). Client mistakes are 4xx
 * with the offending fields named; infrastructure failures are 503 with {@code Retry-After}. Never carries a
 * secret, a token or a password.
 */
public final class ApiException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int status;
  private final String title;
  private final transient List<Map<String, String>> errors;
  private final transient Map<String, String> headers;

  /**
   * Creates a problem.
   *
   * @param status the HTTP status
   * @param title a short, fixed summary of the problem type
   * @param detail this occurrence's explanation
   * @param errors per-field errors ({@code field}, {@code message}); may be empty
   * @param headers extra response headers (e.g. {@code Retry-After}); may be empty
   */
  public ApiException(int status, String title, String detail, List<Map<String, String>> errors,
      Map<String, String> headers) {
    super(detail);
    this.status = status;
    this.title = title;
    this.errors = List.copyOf(errors);
    this.headers = Map.copyOf(headers);
  }

  /** 400 with one field named. */
  public static ApiException badRequest(String field, String message) {
    return new ApiException(400, "Invalid request", field + ": " + message,
        List.of(Map.of("field", field, "message", message)), Map.of());
  }

  /** 400 with several fields named. */
  public static ApiException invalid(List<Map<String, String>> errors) {
    StringBuilder sb = new StringBuilder();
    for (Map<String, String> e : errors) {
      if (sb.length() > 0) {
        sb.append("; ");
      }
      sb.append(e.get("field")).append(": ").append(e.get("message"));
    }
    return new ApiException(400, "Invalid request", sb.toString(), errors, Map.of());
  }

  /** 401. */
  public static ApiException unauthorized(String detail) {
    return new ApiException(401, "Unauthorized", detail, List.of(), Map.of());
  }

  /** 403. */
  public static ApiException forbidden(String detail) {
    return new ApiException(403, "Forbidden", detail, List.of(), Map.of());
  }

  /** 404. */
  public static ApiException notFound(String detail) {
    return new ApiException(404, "Not found", detail, List.of(), Map.of());
  }

  /** 409. */
  public static ApiException conflict(String detail) {
    return new ApiException(409, "Conflict", detail, List.of(), Map.of());
  }

  /** 413. */
  public static ApiException tooLarge(String detail) {
    return new ApiException(413, "Payload too large", detail, List.of(), Map.of());
  }

  /** 503 with {@code Retry-After}: a dependency is down; the client may retry. */
  public static ApiException unavailable(String detail, long retryAfterSeconds) {
    return new ApiException(503, "Service unavailable", detail, List.of(),
        Map.of("Retry-After", Long.toString(Math.max(1, retryAfterSeconds))));
  }

  /** Returns the HTTP status. */
  public int status() {
    return status;
  }

  /** Returns the problem title. */
  public String title() {
    return title;
  }

  /** Returns the per-field errors. */
  public List<Map<String, String>> errors() {
    return errors;
  }

  /** Returns extra headers. */
  public Map<String, String> headers() {
    return headers;
  }
}
