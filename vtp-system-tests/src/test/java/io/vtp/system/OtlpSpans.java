package io.vtp.system;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Reads the spans out of an OTLP/HTTP protobuf export ({@code ExportTraceServiceRequest}) with a small wire-format
 * reader, so a test can check how spans link (trace id, parent) without the OTLP protobuf classes. Only the fields
 * the tests read are decoded; every other field is skipped by its wire type.
 */
final class OtlpSpans {
  /** OTLP's {@code SpanKind} numbers. */
  static final int PRODUCER = 4;
  static final int CONSUMER = 5;

  /**
   * One exported span.
   *
   * @param instance the resource's {@code service.instance.id} ("" when absent)
   * @param traceId 32 hex digits
   * @param spanId 16 hex digits
   * @param parentSpanId 16 hex digits, or "" for a root span
   * @param name the span name
   * @param kind OTLP's SpanKind number
   */
  record Span(String instance, String traceId, String spanId, String parentSpanId, String name, int kind) {}

  private OtlpSpans() {}

  /** Parses one export request's body (uncompressed). */
  static List<Span> parse(byte[] body) {
    List<Span> out = new ArrayList<>();
    Reader request = new Reader(body, 0, body.length);
    while (request.more()) {
      int field = request.tag();
      if (field == 1 && request.wire == 2) { // resource_spans
        resourceSpans(request.bytes(), out);
      } else {
        request.skip();
      }
    }
    return out;
  }

  private static void resourceSpans(Reader r, List<Span> out) {
    String instance = "";
    List<Reader> scopes = new ArrayList<>();
    while (r.more()) {
      int field = r.tag();
      if (field == 1 && r.wire == 2) { // resource
        instance = instanceOf(r.bytes(), instance);
      } else if (field == 2 && r.wire == 2) { // scope_spans
        scopes.add(r.bytes());
      } else {
        r.skip();
      }
    }
    for (Reader scope : scopes) {
      while (scope.more()) {
        int field = scope.tag();
        if (field == 2 && scope.wire == 2) { // spans
          out.add(span(scope.bytes(), instance));
        } else {
          scope.skip();
        }
      }
    }
  }

  private static String instanceOf(Reader resource, String fallback) {
    String instance = fallback;
    while (resource.more()) {
      int field = resource.tag();
      if (field == 1 && resource.wire == 2) { // attributes: KeyValue {key = 1; AnyValue value = 2}
        Reader kv = resource.bytes();
        String key = null;
        String value = null;
        while (kv.more()) {
          int f = kv.tag();
          if (f == 1 && kv.wire == 2) {
            key = kv.string();
          } else if (f == 2 && kv.wire == 2) {
            Reader any = kv.bytes();
            while (any.more()) {
              if (any.tag() == 1 && any.wire == 2) { // string_value
                value = any.string();
              } else {
                any.skip();
              }
            }
          } else {
            kv.skip();
          }
        }
        if ("service.instance.id".equals(key) && value != null) {
          instance = value;
        }
      } else {
        resource.skip();
      }
    }
    return instance;
  }

  private static Span span(Reader s, String instance) {
    String traceId = "";
    String spanId = "";
    String parent = "";
    String name = "";
    int kind = 0;
    while (s.more()) {
      int field = s.tag();
      if (field == 1 && s.wire == 2) {
        traceId = s.hex();
      } else if (field == 2 && s.wire == 2) {
        spanId = s.hex();
      } else if (field == 4 && s.wire == 2) {
        parent = s.hex();
      } else if (field == 5 && s.wire == 2) {
        name = s.string();
      } else if (field == 6 && s.wire == 0) {
        kind = (int) s.varint();
      } else {
        s.skip();
      }
    }
    return new Span(instance, traceId, spanId, parent, name, kind);
  }

  /** A cursor over one message's bytes. */
  private static final class Reader {
    private final byte[] b;
    private int pos;
    private final int end;
    int wire;

    Reader(byte[] b, int from, int to) {
      this.b = b;
      this.pos = from;
      this.end = to;
    }

    boolean more() {
      return pos < end;
    }

    int tag() {
      long t = varint();
      wire = (int) (t & 7);
      return (int) (t >>> 3);
    }

    long varint() {
      long v = 0;
      for (int shift = 0; shift < 64; shift += 7) {
        if (pos >= end) {
          throw new IllegalArgumentException("truncated varint at " + pos);
        }
        byte x = b[pos++];
        v |= (long) (x & 0x7f) << shift;
        if (x >= 0) {
          return v;
        }
      }
      throw new IllegalArgumentException("varint longer than 10 bytes at " + pos);
    }

    Reader bytes() {
      int n = (int) varint();
      if (n < 0 || pos + n > end) {
        throw new IllegalArgumentException("length " + n + " past the end at " + pos);
      }
      Reader r = new Reader(b, pos, pos + n);
      pos += n;
      return r;
    }

    String string() {
      Reader r = bytes();
      return new String(r.b, r.pos, r.end - r.pos, StandardCharsets.UTF_8);
    }

    String hex() {
      Reader r = bytes();
      return HexFormat.of().formatHex(r.b, r.pos, r.end);
    }

    void skip() {
      switch (wire) {
        case 0:
          varint();
          break;
        case 1:
          pos += 8;
          break;
        case 2:
          bytes();
          break;
        case 5:
          pos += 4;
          break;
        default:
          throw new IllegalArgumentException("wire type " + wire + " at " + pos);
      }
    }
  }
}
