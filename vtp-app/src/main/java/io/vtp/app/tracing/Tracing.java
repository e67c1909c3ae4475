package io.vtp.app.tracing;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import io.vtp.app.config.ConfigException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Traces with the OpenTelemetry SDK, exported over OTLP/HTTP (protobuf) when {@code OTEL_EXPORTER_OTLP_ENDPOINT}
 * is set (e.g. {@code http://otel-collector:4318}; spans go to {@code <endpoint>/v1/traces}), off otherwise: then no
 * SDK is built and {@link #span} costs one field read.
 *
 * <table>
 *   <caption>Variables</caption>
 *   <tr><th>Variable</th><th>Default</th><th>Rule</th></tr>
 *   <tr><td>OTEL_EXPORTER_OTLP_ENDPOINT</td><td>none (tracing off)</td><td>http:// or https:// URL of an OTLP/HTTP
 *       receiver (a collector)</td></tr>
 *   <tr><td>OTEL_SERVICE_NAME</td><td>vtp-app</td><td>the {@code service.name} of every span</td></tr>
 *   <tr><td>OTEL_TRACES_SAMPLER_ARG</td><td>1.0</td><td>0..1: the share of new traces sampled; a request with a
 *       {@code traceparent} follows its sampled flag</td></tr>
 * </table>
 *
 * <p>Thread-safe.
 */
public final class Tracing implements AutoCloseable {
  private static final Tracing OFF = new Tracing(null, null);
  @SuppressWarnings("deprecation") // keys(): the propagator reads the header by name only
  private static final TextMapGetter<String> TRACEPARENT = new TextMapGetter<>() {
    @Override
    public Iterable<String> keys(String carrier) {
      return java.util.List.of("traceparent");
    }

    @Override
    public String get(String carrier, String key) {
      return "traceparent".equals(key) ? carrier : null;
    }
  };
  private final OpenTelemetrySdk sdk;
  private final Tracer tracer;

  private Tracing(OpenTelemetrySdk sdk, Tracer tracer) {
    this.sdk = sdk;
    this.tracer = tracer;
  }

  /** Returns tracing switched off. */
  public static Tracing off() {
    return OFF;
  }

  /**
   * Builds tracing from the environment: off unless {@code OTEL_EXPORTER_OTLP_ENDPOINT} is set.
   *
   * @param env the environment
   * @param instanceId this instance ({@code service.instance.id})
   * @return the tracing
   * @throws ConfigException when a variable is invalid
   */
  public static Tracing fromEnv(Map<String, String> env, String instanceId) {
    String endpoint = env.get("OTEL_EXPORTER_OTLP_ENDPOINT");
    if (endpoint == null || endpoint.isBlank()) {
      return OFF;
    }
    endpoint = endpoint.trim();
    if (!endpoint.matches("https?://[^\\s/]+(/\\S*)?")) {
      throw new ConfigException("OTEL_EXPORTER_OTLP_ENDPOINT must be an http:// or https:// URL like "
          + "http://otel-collector:4318 but was '" + endpoint + "'");
    }
    double ratio = 1.0;
    String arg = env.get("OTEL_TRACES_SAMPLER_ARG");
    if (arg != null && !arg.isBlank()) {
      try {
        ratio = Double.parseDouble(arg.trim());
      } catch (NumberFormatException e) {
        ratio = -1;
      }
      if (!(ratio >= 0 && ratio <= 1)) {
        throw new ConfigException("OTEL_TRACES_SAMPLER_ARG must be a number in 0..1 but was '" + arg.trim() + "'");
      }
    }
    String service = env.getOrDefault("OTEL_SERVICE_NAME", "vtp-app").trim();
    String traces = (endpoint.endsWith("/") ? endpoint.substring(0, endpoint.length() - 1) : endpoint) + "/v1/traces";
    OtlpHttpSpanExporter exporter = OtlpHttpSpanExporter.builder()
        .setEndpoint(traces)
        .setTimeout(Duration.ofSeconds(5))
        .build();
    Resource resource = Resource.getDefault().merge(Resource.create(Attributes.of(
        AttributeKey.stringKey("service.name"), service.isEmpty() ? "vtp-app" : service,
        AttributeKey.stringKey("service.instance.id"), instanceId)));
    SdkTracerProvider provider = SdkTracerProvider.builder()
        .setResource(resource)
        .setSampler(Sampler.parentBased(Sampler.traceIdRatioBased(ratio)))
        // Bounded queue, exported from a background thread: a slow collector drops spans, never slows a request.
        .addSpanProcessor(BatchSpanProcessor.builder(exporter)
            .setMaxQueueSize(2048)
            .setScheduleDelay(Duration.ofMillis(500))
            .build())
        .build();
    OpenTelemetrySdk sdk = OpenTelemetrySdk.builder().setTracerProvider(provider).build();
    return new Tracing(sdk, sdk.getTracer("io.vtp.app"));
  }

  /** Returns whether spans are recorded and exported. */
  public boolean enabled() {
    return tracer != null;
  }

  /** Returns the tracer; only when {@link #enabled()}. */
  Tracer tracer() {
    return tracer;
  }

  /**
   * Runs {@code body} in a child span of the current one (the request's), named {@code name}; when tracing is off,
   * just runs it. An exception is recorded on the span and rethrown.
   *
   * @param name the span name, e.g. {@code session.lookup}
   * @param body the work
   * @param <T> its result
   * @return what {@code body} returned
   */
  public <T> T span(String name, Supplier<T> body) {
    if (tracer == null) {
      return body.get();
    }
    return inSpan(tracer.spanBuilder(name).setSpanKind(SpanKind.INTERNAL).setParent(Context.current()).startSpan(),
        body);
  }

  /**
   * Like {@link #span(String, Supplier)} for a call to another service (Redis, PostgreSQL): a client span with
   * {@code db.system.name}.
   *
   * @param name the span name, e.g. {@code SELECT courses}
   * @param system {@code redis} or {@code postgresql}
   * @param body the work
   * @param <T> its result
   * @return what {@code body} returned
   */
  public <T> T clientSpan(String name, String system, Supplier<T> body) {
    if (tracer == null) {
      return body.get();
    }
    return inSpan(tracer.spanBuilder(name).setSpanKind(SpanKind.CLIENT).setParent(Context.current())
        .setAttribute("db.system.name", system).startSpan(), body);
  }

  /**
   * Runs {@code body} in a producer span (a message sent through Redis pub/sub), a child of the current span or the
   * root of a new trace, and gives {@code body} that span's W3C {@code traceparent} to carry in the message, so the
   * instances that receive it continue the trace ({@link #consumerSpan}); when tracing is off, gives {@code null}.
   *
   * @param name the span name, e.g. {@code PUBLISH vtp:room}
   * @param channel the channel published to ({@code messaging.destination.name})
   * @param body the work, given the traceparent or {@code null}
   * @param <T> its result
   * @return what {@code body} returned
   */
  public <T> T producerSpan(String name, String channel, Function<String, T> body) {
    if (tracer == null) {
      return body.apply(null);
    }
    Span span = tracer.spanBuilder(name).setSpanKind(SpanKind.PRODUCER).setParent(Context.current())
        .setAttribute("messaging.system", "redis").setAttribute("messaging.operation.type", "send")
        .setAttribute("messaging.destination.name", channel).startSpan();
    SpanContext sc = span.getSpanContext();
    String traceparent = "00-" + sc.getTraceId() + "-" + sc.getSpanId() + "-" + sc.getTraceFlags().asHex();
    return inSpan(span, () -> body.apply(traceparent));
  }

  /**
   * Runs {@code body} in a consumer span whose parent is the {@code traceparent} a received message carried (a new
   * trace when it is {@code null} or invalid); when tracing is off, just runs it.
   *
   * @param name the span name, e.g. {@code process vtp:room}
   * @param channel the channel the message came on
   * @param traceparent the message's W3C traceparent, or {@code null}
   * @param body the work
   * @param <T> its result
   * @return what {@code body} returned
   */
  public <T> T consumerSpan(String name, String channel, String traceparent, Supplier<T> body) {
    if (tracer == null) {
      return body.get();
    }
    Context parent = traceparent == null ? Context.root() : W3CTraceContextPropagator.getInstance()
        .extract(Context.root(), traceparent, TRACEPARENT);
    return inSpan(tracer.spanBuilder(name).setSpanKind(SpanKind.CONSUMER).setParent(parent)
        .setAttribute("messaging.system", "redis").setAttribute("messaging.operation.type", "process")
        .setAttribute("messaging.destination.name", channel).startSpan(), body);
  }

  private static <T> T inSpan(Span span, Supplier<T> body) {
    Scope scope = span.makeCurrent();
    try {
      return body.get();
    } catch (RuntimeException | Error e) {
      span.recordException(e);
      span.setStatus(io.opentelemetry.api.trace.StatusCode.ERROR);
      throw e;
    } finally {
      scope.close();
      span.end();
    }
  }

  /** Exports what is queued (at most 5 s) and stops. */
  @Override
  public void close() {
    if (sdk != null) {
      sdk.getSdkTracerProvider().shutdown().join(5, TimeUnit.SECONDS);
    }
  }
}
