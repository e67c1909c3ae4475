package io.vtp.app.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.StackTraceElementProxy;
import ch.qos.logback.core.encoder.EncoderBase;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import org.slf4j.event.KeyValuePair;

/**
 * One JSON object per line: {@code timestamp} (ISO-8601, UTC, milliseconds), {@code level}, {@code logger},
 * {@code message}, {@code instance}, {@code thread}, then the event's MDC entries ({@code request_id},
 * {@code trace_id}, {@code span_id} while a request runs) and its SLF4J key-value pairs (the access log's
 * {@code route}, {@code status}, {@code duration_ms}, ...) as top-level fields, and {@code exception} with the stack
 * trace when there is one. Numbers and booleans stay JSON numbers and booleans; everything else is a string. The line
 * is built once, in one buffer.
 *
 * <p>What it writes is what the code logs: the app never logs a password, a token, a cookie or a session id, and
 * neither may a new log statement.
 *
 * <p>Thread-safe (the appender calls it from its one worker thread).
 */
public final class JsonLineEncoder extends EncoderBase<ILoggingEvent> {
  private static final byte[] EMPTY = new byte[0];
  private volatile String instance = "";

  /**
   * Sets the instance id written into every line.
   *
   * @param instance the instance id
   */
  public void setInstance(String instance) {
    this.instance = instance == null ? "" : instance;
  }

  @Override
  public byte[] headerBytes() {
    return EMPTY;
  }

  @Override
  public byte[] footerBytes() {
    return EMPTY;
  }

  @Override
  public byte[] encode(ILoggingEvent event) {
    StringBuilder b = new StringBuilder(256);
    b.append("{\"timestamp\":\"");
    DateTimeFormatter.ISO_INSTANT.formatTo(Instant.ofEpochMilli(event.getTimeStamp()), b);
    b.append("\",\"level\":\"").append(event.getLevel().levelStr);
    b.append("\",\"logger\":");
    string(b, event.getLoggerName());
    b.append(",\"message\":");
    string(b, event.getFormattedMessage());
    b.append(",\"instance\":");
    string(b, instance);
    b.append(",\"thread\":");
    string(b, event.getThreadName());
    Map<String, String> mdc = event.getMDCPropertyMap();
    if (mdc != null && !mdc.isEmpty()) {
      for (Map.Entry<String, String> e : mdc.entrySet()) {
        b.append(',');
        string(b, e.getKey());
        b.append(':');
        string(b, e.getValue());
      }
    }
    List<KeyValuePair> kvs = event.getKeyValuePairs();
    if (kvs != null) {
      for (KeyValuePair kv : kvs) {
        b.append(',');
        string(b, kv.key);
        b.append(':');
        value(b, kv.value);
      }
    }
    IThrowableProxy t = event.getThrowableProxy();
    if (t != null) {
      StringBuilder trace = new StringBuilder();
      throwable(trace, t, "");
      b.append(",\"exception\":");
      string(b, trace.toString());
    }
    b.append("}\n");
    return b.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static void throwable(StringBuilder out, IThrowableProxy t, String prefix) {
    out.append(prefix).append(t.getClassName()).append(": ").append(t.getMessage());
    for (StackTraceElementProxy s : t.getStackTraceElementProxyArray()) {
      out.append("\n\tat ").append(s.getStackTraceElement());
    }
    if (t.getCause() != null && t.getCause() != t) {
      throwable(out.append('\n'), t.getCause(), "Caused by: ");
    }
  }

  private static void value(StringBuilder b, Object v) {
    if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte
        || v instanceof Boolean) {
      b.append(v);
    } else if (v instanceof Double || v instanceof Float) {
      double d = ((Number) v).doubleValue();
      if (Double.isFinite(d)) {
        b.append(v);
      } else {
        string(b, v.toString());
      }
    } else {
      string(b, v == null ? null : v.toString());
    }
  }

  /** Appends a JSON string (RFC 8259 escaping), or {@code null}. */
  static void string(StringBuilder b, String s) {
    if (s == null) {
      b.append("null");
      return;
    }
    b.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"':
          b.append("\\\"");
          break;
        case '\\':
          b.append("\\\\");
          break;
        case '\n':
          b.append("\\n");
          break;
        case '\r':
          b.append("\\r");
          break;
        case '\t':
          b.append("\\t");
          break;
        default:
          if (c < 0x20 || c == 0x2028 || c == 0x2029) {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
      }
    }
    b.append('"');
  }
}
