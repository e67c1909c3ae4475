package io.vtp.javalin;

import java.util.Map;
import java.util.Objects;

/**
 * An HTTP error that the plugins answer with an RFC 9457 problem body ({@code application/problem+json}): 401 from
 * {@link Sessions#require()}, 429 and 503 from rate limits, 503 when the session store is down. Every plugin of this
 * package registers a handler for it; an application that writes problems its own way registers its own handler
 * after the plugins (a later handler for the same class replaces the earlier one). Never carries a session id.
 *
 * <p>Immutable and thread-safe.
 */
public final class ProblemException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** The HTTP status. */
  private final int status;
  /** The problem title. */
  private final String title;
  private final transient Map<String, String> headers;

  /**
   * Creates a problem.
   *
   * @param status the HTTP status, 400..599
   * @param title a short, fixed summary of the problem type; not {@code null}
   * @param detail this occurrence's explanation; not {@code null}
   * @param headers response headers to send with it (e.g. {@code Retry-After}); not {@code null}, may be empty
   * @throws NullPointerException when an argument is {@code null}
   * @throws IllegalArgumentException when {@code status} is not an error status
   */
  public ProblemException(int status, String title, String detail, Map<String, String> headers) {
    super(Objects.requireNonNull(detail, "detail"));
    if (status < 400 || status > 599) {
      throw new IllegalArgumentException("status must be 400..599 but was " + status);
    }
    this.status = status;
    this.title = Objects.requireNonNull(title, "title");
    this.headers = Map.copyOf(Objects.requireNonNull(headers, "headers"));
  }

  /**
   * Returns the HTTP status.
   *
   * @return 400..599
   */
  public int status() {
    return status;
  }

  /**
   * Returns the problem title.
   *
   * @return the title; never {@code null}
   */
  public String title() {
    return title;
  }

  /**
   * Returns the headers to send with the problem.
   *
   * @return the headers, unmodifiable; never {@code null}
   */
  public Map<String, String> headers() {
    return headers;
  }
}
