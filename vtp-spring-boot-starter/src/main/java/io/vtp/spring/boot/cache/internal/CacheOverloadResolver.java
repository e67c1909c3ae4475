package io.vtp.spring.boot.cache.internal;

import io.vtp.cache.CacheOverloadedException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.web.servlet.HandlerExceptionResolver;
import org.springframework.web.servlet.ModelAndView;

/**
 * Answers a {@link CacheOverloadedException} (Redis unavailable and the cache's bounded bypass full) with
 * {@code 503}, {@code Retry-After: 1} and an RFC 9457 problem body naming the cache, instead of a 500: the outage
 * is the server's, and the client may retry shortly. Runs before the application's own resolvers. Stateless and
 * thread-safe.
 */
public final class CacheOverloadResolver implements HandlerExceptionResolver, Ordered {
  private static final Logger LOG = LoggerFactory.getLogger(CacheOverloadResolver.class);

  /** Creates the resolver. */
  public CacheOverloadResolver() {
  }

  @Override
  public ModelAndView resolveException(HttpServletRequest request, HttpServletResponse response, Object handler,
      Exception ex) {
    CacheOverloadedException overload = null;
    for (Throwable t = ex; t != null && overload == null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof CacheOverloadedException c) {
        overload = c;
      }
    }
    if (overload == null || response.isCommitted()) {
      return null;
    }
    LOG.warn("answered 503: {}", overload.getMessage());
    // Cache names are [A-Za-z0-9._-] (validated), so the body needs no JSON escaping.
    String body = "{\"type\":\"about:blank\",\"title\":\"Service Unavailable\",\"status\":503,\"detail\":\"cache '"
        + overload.cacheName() + "' cannot serve right now; retry after 1 s\",\"retry_after\":1}";
    try {
      response.resetBuffer();
      response.setStatus(HttpServletResponse.SC_SERVICE_UNAVAILABLE);
      response.setHeader("Retry-After", "1");
      response.setHeader("Cache-Control", "no-store");
      response.setContentType("application/problem+json");
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      response.setContentLength(bytes.length);
      response.getOutputStream().write(bytes);
    } catch (IOException e) {
      LOG.debug("could not write the 503 answer", e);
    }
    return new ModelAndView();
  }

  @Override
  public int getOrder() {
    return Ordered.HIGHEST_PRECEDENCE;
  }
}
