package io.vtp.spring.boot.session.internal;

import io.vtp.redis.BackendUnavailableException;
import io.vtp.session.SessionConflictException;
import io.vtp.spring.boot.session.VtpSessionRepository;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sits just outside Spring Session's filter. It opens the repository's request scope (see
 * {@link VtpSessionRepository#openRequestScope()}), and when the session store cannot answer (a
 * {@link BackendUnavailableException} anywhere in the cause chain), the request gets {@code 503} with
 * {@code Retry-After} and an RFC 9457 problem body instead of a 500. Requests that never touch the session never
 * reach Redis and are not affected. The same 503 answers a {@link SessionConflictException}: one session written by
 * so many requests at once that an update lost the race on every attempt (nothing was written; the client may
 * retry). A response already committed cannot be changed; the exception then goes on.
 *
 * <p>Thread-safe (stateless).
 */
public final class SessionUnavailableFilter implements Filter {
  private static final Logger LOG = LoggerFactory.getLogger(SessionUnavailableFilter.class);
  private static final String BODY = "{\"type\":\"about:blank\",\"title\":\"Service Unavailable\",\"status\":503,"
      + "\"detail\":\"the session store is unavailable; retry shortly\"}";
  private static final String CONFLICT_BODY = "{\"type\":\"about:blank\",\"title\":\"Service Unavailable\","
      + "\"status\":503,\"detail\":\"the session is being written by too many requests at once; retry shortly\"}";

  private final int retryAfterSeconds;
  private final VtpSessionRepository repository;

  /**
   * Creates the filter.
   *
   * @param repository the repository whose request scope each request opens
   * @param retryAfterSeconds the {@code Retry-After} value, at least 1
   */
  public SessionUnavailableFilter(VtpSessionRepository repository, int retryAfterSeconds) {
    this.repository = java.util.Objects.requireNonNull(repository, "repository");
    if (retryAfterSeconds < 1) {
      throw new IllegalArgumentException("retryAfterSeconds must be >= 1 but was " + retryAfterSeconds);
    }
    this.retryAfterSeconds = retryAfterSeconds;
  }

  @Override
  public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
      throws IOException, ServletException {
    VtpSessionRepository.RequestScope scope = repository.openRequestScope();
    try {
      chain.doFilter(request, response);
    } catch (IOException | ServletException | RuntimeException e) {
      RuntimeException cause = cause(e);
      if (cause == null || response.isCommitted() || !(response instanceof HttpServletResponse http)) {
        throw e;
      }
      String bodyText = cause instanceof SessionConflictException ? CONFLICT_BODY : BODY;
      LOG.warn("session store unavailable or session contended, answered 503: {}", cause.getMessage());
      http.resetBuffer();
      http.setStatus(HttpServletResponse.SC_SERVICE_UNAVAILABLE);
      http.setHeader("Retry-After", Integer.toString(retryAfterSeconds));
      http.setHeader("Cache-Control", "no-store");
      http.setContentType("application/problem+json");
      byte[] body = bodyText.getBytes(StandardCharsets.UTF_8);
      http.setContentLength(body.length);
      try {
        http.getOutputStream().write(body);
      } catch (IllegalStateException writerInUse) {
        // The application already wrote through getWriter() (its output was discarded by resetBuffer above).
        http.setCharacterEncoding(StandardCharsets.UTF_8.name());
        http.getWriter().write(bodyText);
      }
    } finally {
      scope.close();
    }
  }

  /** The store outage or the lost update race in the cause chain, or null. */
  private static RuntimeException cause(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof BackendUnavailableException b) {
        return b;
      }
      if (t instanceof SessionConflictException c) {
        return c;
      }
    }
    return null;
  }
}
