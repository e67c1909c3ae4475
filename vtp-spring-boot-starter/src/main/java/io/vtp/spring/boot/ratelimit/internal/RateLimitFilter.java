package io.vtp.spring.boot.ratelimit.internal;

import io.vtp.ratelimit.Decision;
import io.vtp.ratelimit.RateLimitHttp;
import io.vtp.spring.boot.ratelimit.VtpRateLimitProperties.KeyBy;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.Principal;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.http.server.PathContainer;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * The servlet filter that applies {@code vtp.ratelimit.rules.*}: every matching rule costs one Redis round trip
 * (none for a key in the local deny cache), the IETF {@code RateLimit-Policy} and {@code RateLimit} headers go on
 * every limited response, and a denial answers 429 (503 when a fail-closed rule cannot reach Redis) with
 * {@code Retry-After} and an RFC 9457 problem body, without calling the rest of the chain. A fail-open rule lets
 * requests through while Redis is away. Thread-safe.
 */
public final class RateLimitFilter extends OncePerRequestFilter {
  private final RateLimitRules rules;
  private final boolean legacyHeaders;

  /**
   * Creates the filter.
   *
   * @param rules the compiled rules; not null
   * @param legacyHeaders whether to add the {@code X-RateLimit-*} headers
   */
  public RateLimitFilter(RateLimitRules rules, boolean legacyHeaders) {
    this.rules = rules;
    this.legacyHeaders = legacyHeaders;
  }

  @Override
  protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    PathContainer path = null;
    Map<String, String> headers = new LinkedHashMap<>();
    Decision denial = null;
    for (RateLimitRules.Rule rule : rules.rules()) {
      if (path == null) {
        path = PathContainer.parsePath(pathWithinApplication(request));
      }
      if (!rule.matches(request.getMethod(), path)) {
        continue;
      }
      Decision d = rule.limiter().tryAcquire(key(rule.keyBy(), request));
      RateLimitHttp.headers(d, legacyHeaders).forEach((name, value) ->
          headers.merge(name, value, (a, b) -> name.startsWith("RateLimit") ? a + ", " + b : b));
      if (!d.allowed()) {
        denial = d;
        break;
      }
    }
    headers.forEach(response::setHeader);
    if (denial == null) {
      chain.doFilter(request, response);
      return;
    }
    response.setStatus(RateLimitHttp.rejectionStatus(denial));
    response.setContentType(RateLimitHttp.PROBLEM_CONTENT_TYPE);
    byte[] body = RateLimitHttp.problemJson(denial).getBytes(StandardCharsets.UTF_8);
    response.setContentLength(body.length);
    response.getOutputStream().write(body);
  }

  private static String pathWithinApplication(HttpServletRequest request) {
    String uri = request.getRequestURI();
    String context = request.getContextPath();
    return context != null && !context.isEmpty() && uri.startsWith(context) ? uri.substring(context.length()) : uri;
  }

  /**
   * The limiter key: "u:" and the principal's name, or "a:" and the address as the servlet container reports it
   * (after Boot's forwarded-header handling, when configured). The prefixes keep a user named like an address
   * apart from that address.
   */
  private static String key(KeyBy keyBy, HttpServletRequest request) {
    if (keyBy == KeyBy.USER) {
      Principal p = request.getUserPrincipal();
      if (p != null && p.getName() != null && !p.getName().isEmpty()) {
        return "u:" + p.getName();
      }
    }
    return "a:" + request.getRemoteAddr();
  }
}
