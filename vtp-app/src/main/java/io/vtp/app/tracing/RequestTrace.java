package io.vtp.app.tracing;

import io.javalin.http.Context;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.vtp.app.logging.AccessLogMode;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * A request's trace context and its access log line. {@link #begin} (first before-handler) continues the W3C
 * {@code traceparent} nginx sends (or starts a trace) and puts {@code request_id}, {@code trace_id} and
 * {@code span_id} into the MDC, so every line logged while the request runs carries them; {@link #end} (the request
 * logger) writes the access line ({@code ACCESS_LOG}) and ends the server span.
 *
 * <p>With tracing off, no OpenTelemetry object is created: the trace id is read from the header (or made up) and the
 * instance's span id is a random 64-bit number, for the logs only.
 *
 * <p>Thread-safe; per request, {@code begin} and {@code end} run on the request's thread.
 */
public final class RequestTrace {
  private static final Logger ACCESS = LoggerFactory.getLogger("io.vtp.app.access");
  private static final String SCOPE = "io.vtp.app.tracing.scope";
  private static final String SPAN = "io.vtp.app.tracing.span";
  @SuppressWarnings("deprecation") // keys(): the propagator reads the two W3C headers by name only
  private static final TextMapGetter<Context> HEADERS = new TextMapGetter<>() {
    @Override
    public Iterable<String> keys(Context ctx) {
      return List.of("traceparent", "tracestate");
    }

    @Override
    public String get(Context ctx, String key) {
      return ctx == null ? null : ctx.header(key);
    }
  };

  private final Tracing tracing;
  private final AccessLogMode access;

  /**
   * @param tracing the tracing (possibly off)
   * @param access which requests the access log writes
   */
  public RequestTrace(Tracing tracing, AccessLogMode access) {
    this.tracing = tracing;
    this.access = access;
  }

  /**
   * Starts the request's trace context and its MDC entries.
   *
   * @param ctx the request
   * @param requestId the request id (nginx's, from a trusted proxy)
   */
  public void begin(Context ctx, String requestId) {
    String traceId;
    String spanId;
    if (tracing.enabled()) {
      io.opentelemetry.context.Context parent = W3CTraceContextPropagator.getInstance()
          .extract(io.opentelemetry.context.Context.root(), ctx, HEADERS);
      Span span = tracing.tracer().spanBuilder(ctx.method().name())
          .setSpanKind(SpanKind.SERVER)
          .setParent(parent)
          .setAttribute("http.request.method", ctx.method().name())
          .setAttribute("url.path", ctx.path())
          .setAttribute("vtp.request_id", requestId)
          .startSpan();
      ctx.attribute(SPAN, span);
      ctx.attribute(SCOPE, span.makeCurrent());
      SpanContext sc = span.getSpanContext();
      traceId = sc.getTraceId();
      spanId = sc.getSpanId();
    } else {
      traceId = traceIdOf(ctx.header("traceparent"));
      ThreadLocalRandom random = ThreadLocalRandom.current();
      if (traceId == null) {
        traceId = hex16(random.nextLong() | 1) + hex16(random.nextLong());
      }
      spanId = hex16(random.nextLong() | 1);
    }
    MDC.put("request_id", requestId);
    MDC.put("trace_id", traceId);
    MDC.put("span_id", spanId);
  }

  /**
   * Writes the access line (when {@code ACCESS_LOG} selects this request), ends the span and clears the MDC.
   *
   * @param ctx the request
   * @param route the route template ({@code /api/v1/courses/{id}}), or {@code NOT_FOUND}
   * @param requestId the request id
   * @param client the client's address
   * @param ms the duration in milliseconds
   * @param log false for requests never logged (health, metrics)
   */
  public void end(Context ctx, String route, String requestId, String client, float ms, boolean log) {
    int status = ctx.statusCode();
    try {
      if (log && access.enabled() && ACCESS.isInfoEnabled()
          && access.logs(status, ThreadLocalRandom.current().nextDouble())) {
        double duration = Math.round(ms * 10) / 10.0;
        String method = ctx.method().name();
        ACCESS.atInfo()
            .addKeyValue("route", route)
            .addKeyValue("method", method)
            .addKeyValue("path", ctx.path())
            .addKeyValue("status", status)
            .addKeyValue("duration_ms", duration)
            .addKeyValue("client", client)
            .log(method + " " + ctx.path() + " " + status + " " + duration + "ms");
      }
    } finally {
      Span span = ctx.attribute(SPAN);
      if (span != null) {
        span.updateName(ctx.method().name() + " " + route);
        span.setAttribute("http.route", route);
        span.setAttribute("http.response.status_code", status);
        if (status >= 500) {
          span.setStatus(StatusCode.ERROR);
        }
        span.end();
        Scope scope = ctx.attribute(SCOPE);
        if (scope != null) {
          scope.close();
        }
      }
      MDC.remove("request_id");
      MDC.remove("trace_id");
      MDC.remove("span_id");
    }
  }

  /**
   * Returns the trace id of a valid W3C {@code traceparent} (version 00, lower-case hex, ids not all zero), or
   * {@code null}.
   *
   * @param header the header, or {@code null}
   * @return the 32-hex trace id, or {@code null}
   */
  static String traceIdOf(String header) {
    if (header == null || header.length() < 55 || header.charAt(2) != '-' || header.charAt(35) != '-'
        || header.charAt(52) != '-' || header.startsWith("ff")) {
      return null;
    }
    if (header.length() > 55 && (header.startsWith("00") || header.charAt(55) != '-')) {
      return null;
    }
    boolean traceNonZero = false;
    boolean parentNonZero = false;
    for (int i = 0; i < 55; i++) {
      if (i == 2 || i == 35 || i == 52) {
        continue;
      }
      char c = header.charAt(i);
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
        return null;
      }
      if (c != '0') {
        if (i > 2 && i < 35) {
          traceNonZero = true;
        } else if (i > 35 && i < 52) {
          parentNonZero = true;
        }
      }
    }
    return traceNonZero && parentNonZero ? header.substring(3, 35) : null;
  }

  private static String hex16(long v) {
    String s = Long.toHexString(v);
    return s.length() == 16 ? s : "0".repeat(16 - s.length()) + s;
  }
}
