package io.vtp.health.internal;

import io.vtp.health.CheckResult;
import io.vtp.health.Criticality;
import io.vtp.health.HealthFormat;
import io.vtp.health.HealthReport;
import io.vtp.health.HealthStatus;
import java.util.Map;

/** Renders a {@link HealthReport} as health+json or in the plain-JSON compatibility shape. */
public final class HealthJson {
  private HealthJson() {}

  /**
   * Renders a report.
   *
   * @param report the report
   * @param format the shape
   * @return the JSON text
   */
  public static String write(HealthReport report, HealthFormat format) {
    StringBuilder sb = new StringBuilder(256 + report.checks().size() * 256);
    sb.append('{');
    if (format == HealthFormat.COMPAT) {
      field(sb, "status", report.isHealthy() ? "healthy" : "unhealthy");
      sb.append(',');
      field(sb, "health", report.status().ietf());
    } else {
      field(sb, "status", report.status().ietf());
    }
    sb.append(',');
    field(sb, "instance", report.instance());
    sb.append(",\"timestamp\":").append(report.time().getEpochSecond());
    sb.append(',');
    field(sb, "time", report.time().toString());
    sb.append(',');
    field(sb, "serviceId", report.instance());
    sb.append(',');
    field(sb, "description", report.view().name().toLowerCase(java.util.Locale.ROOT));
    if (report.reason() != null) {
      sb.append(',');
      field(sb, "reason", report.reason());
    }
    sb.append(",\"draining\":").append(report.draining());
    if (report.view() != HealthReport.View.LIVENESS) {
      sb.append(",\"checks\":{");
      boolean first = true;
      for (CheckResult c : report.checks()) {
        if (!first) {
          sb.append(',');
        }
        first = false;
        string(sb, c.name() + ":responseTime");
        sb.append(":[{");
        writeCheck(sb, c, report.view() == HealthReport.View.FULL);
        sb.append("}]");
      }
      sb.append('}');
    }
    sb.append('}');
    return sb.toString();
  }

  private static void writeCheck(StringBuilder sb, CheckResult c, boolean full) {
    field(sb, "componentId", c.name());
    sb.append(',');
    field(sb, "componentType", c.componentType());
    sb.append(",\"observedValue\":").append(Math.round(c.latency().toNanos() / 1_000.0) / 1_000.0);
    sb.append(',');
    field(sb, "observedUnit", "ms");
    sb.append(',');
    field(sb, "status", c.status().ietf());
    sb.append(",\"critical\":").append(c.criticality() == Criticality.CRITICAL);
    sb.append(',');
    field(sb, "time", c.time().toString());
    if (c.message() != null) {
      sb.append(',');
      field(sb, "output", c.message());
    }
    if (full) {
      if (c.observed() != c.status()) {
        sb.append(',');
        field(sb, "observedStatus", c.observed().ietf());
      }
      sb.append(",\"consecutiveFailures\":").append(c.consecutiveFailures());
      sb.append(",\"consecutiveSuccesses\":").append(c.consecutiveSuccesses());
      if (c.status() == HealthStatus.FAIL) {
        sb.append(',');
        field(sb, "reason", c.unhealthyReason());
      }
      for (Map.Entry<String, Object> d : c.details().entrySet()) {
        sb.append(',');
        string(sb, d.getKey());
        sb.append(':');
        value(sb, d.getValue());
      }
    }
  }

  private static void value(StringBuilder sb, Object v) {
    if (v == null) {
      sb.append("null");
    } else if (v instanceof Boolean || v instanceof Integer || v instanceof Long || v instanceof Short) {
      sb.append(v);
    } else if (v instanceof Number) {
      double d = ((Number) v).doubleValue();
      sb.append(Double.isFinite(d) ? Double.toString(d) : "null");
    } else {
      string(sb, v.toString());
    }
  }

  private static void field(StringBuilder sb, String name, String value) {
    string(sb, name);
    sb.append(':');
    string(sb, value);
  }

  /** Appends a JSON string literal with every character JSON requires escaped. */
  static void string(StringBuilder sb, String s) {
    sb.append('"');
    int clean = 0;
    while (clean < s.length() && plain(s.charAt(clean))) {
      clean++;
    }
    if (clean == s.length()) { // the usual case (names, statuses, ISO times): one append, no per-char switch
      sb.append(s).append('"');
      return;
    }
    sb.append(s, 0, clean);
    for (int i = clean; i < s.length(); i++) {
      char ch = s.charAt(i);
      switch (ch) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        case '\b' -> sb.append("\\b");
        case '\f' -> sb.append("\\f");
        default -> {
          if (ch < 0x20 || ch == 0x2028 || ch == 0x2029) {
            sb.append(String.format("\\u%04x", (int) ch));
          } else {
            sb.append(ch);
          }
        }
      }
    }
    sb.append('"');
  }

  private static boolean plain(char ch) {
    return ch >= 0x20 && ch != '"' && ch != '\\' && ch != 0x2028 && ch != 0x2029;
  }
}
