package io.vtp.session.internal;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON half of a session record, {@code {"s":1,"u":"<user id>","a":{...attributes}}}, written and read only
 * by Java (the scripts copy it as an opaque string). {@code s} is the schema version: a record with another one
 * (a foreign value, or one written by a future version during a rolling deploy) reads as corrupt.
 *
 * <p>Written with Jackson's plain data binding; read with its streaming parser into maps, lists, strings,
 * booleans and numbers only: no type information is ever read, no class is ever named or instantiated, duplicate
 * keys and {@code null}s are rejected. Thread-safe.
 */
public final class RecordCodec {
  /** The schema version written into every record. */
  public static final long SCHEMA = 1;

  private final ObjectMapper mapper = JsonMapper.builder()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .build();
  private final int maxAttributesBytes;

  /**
   * Creates a codec.
   *
   * @param maxAttributesBytes cap on the attributes' UTF-8 JSON size
   */
  public RecordCodec(int maxAttributesBytes) {
    this.maxAttributesBytes = maxAttributesBytes;
  }

  /** A decoded record. */
  public record Decoded(String userId, Map<String, Object> attributes) {}

  /** A record that cannot be read; the message says why without quoting the content. */
  public static final class CorruptRecordException extends Exception {
    private static final long serialVersionUID = 1L;

    CorruptRecordException(String reason) {
      super(reason);
    }
  }

  /**
   * Encodes a record.
   *
   * @param userId the user id
   * @param attributes normalized attributes (from {@link JsonValues#copyOf(Map)})
   * @return the JSON text
   * @throws IllegalArgumentException when the attributes exceed the size cap
   */
  public String encode(String userId, Map<String, Object> attributes) {
    String a;
    String u;
    try {
      a = mapper.writeValueAsString(attributes);
      u = mapper.writeValueAsString(userId);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("attributes could not be written as JSON: " + e.getOriginalMessage(), e);
    }
    int bytes = utf8Length(a);
    if (bytes > maxAttributesBytes) {
      throw new IllegalArgumentException("attributes are " + bytes + " bytes as JSON but maxAttributesBytes is "
          + maxAttributesBytes + "; store large data elsewhere and keep a reference in the session");
    }
    return "{\"s\":" + SCHEMA + ",\"u\":" + u + ",\"a\":" + a + "}";
  }

  /**
   * Decodes a record in one streaming pass, building the normalized, unmodifiable attributes directly.
   *
   * @param json the stored text
   * @return the user id and normalized attributes
   * @throws CorruptRecordException when it is not a record of this schema
   */
  public Decoded decode(String json) throws CorruptRecordException {
    if (json == null) {
      throw new CorruptRecordException("missing");
    }
    try (JsonParser p = mapper.getFactory().createParser(json)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new CorruptRecordException("not a JSON object");
      }
      long schema = -1;
      String userId = null;
      Map<String, Object> attributes = null;
      for (JsonToken t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
        if (t != JsonToken.FIELD_NAME) {
          throw new CorruptRecordException("malformed object");
        }
        String field = p.currentName();
        JsonToken v = p.nextToken();
        if ("s".equals(field) && v == JsonToken.VALUE_NUMBER_INT) {
          schema = p.getLongValue();
        } else if ("u".equals(field) && v == JsonToken.VALUE_STRING) {
          userId = p.getText();
        } else if ("a".equals(field) && v == JsonToken.START_OBJECT) {
          attributes = readObject(p, 1);
        } else {
          throw new CorruptRecordException("unexpected field or type");
        }
      }
      if (p.nextToken() != null) {
        throw new CorruptRecordException("trailing content");
      }
      if (schema != SCHEMA) {
        throw new CorruptRecordException("unknown schema version");
      }
      if (userId == null || attributes == null) {
        throw new CorruptRecordException("missing fields");
      }
      return new Decoded(userId, attributes);
    } catch (IOException e) {
      // JsonProcessingException included; the message is not quoted because it can echo content.
      throw new CorruptRecordException("not JSON of the expected shape (" + e.getClass().getSimpleName() + ")");
    }
  }

  private static Map<String, Object> readObject(JsonParser p, int depth) throws IOException, CorruptRecordException {
    if (depth > JsonValues.MAX_DEPTH) {
      throw new CorruptRecordException("nested too deep");
    }
    LinkedHashMap<String, Object> map = new LinkedHashMap<>();
    for (JsonToken t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
      String name = p.currentName();
      map.put(name, readValue(p, p.nextToken(), depth));
    }
    return JsonValues.trusted(map);
  }

  private static Object readValue(JsonParser p, JsonToken t, int depth) throws IOException, CorruptRecordException {
    switch (t) {
      case VALUE_STRING:
        return p.getText();
      case VALUE_NUMBER_INT:
        return p.getNumberType() == JsonParser.NumberType.BIG_INTEGER ? JsonValues.integer(p.getBigIntegerValue())
            : (Object) p.getLongValue();
      case VALUE_NUMBER_FLOAT: {
        double d = p.getDoubleValue();
        if (Double.isNaN(d) || Double.isInfinite(d)) {
          throw new CorruptRecordException("non-finite number");
        }
        return d;
      }
      case VALUE_TRUE:
        return Boolean.TRUE;
      case VALUE_FALSE:
        return Boolean.FALSE;
      case START_OBJECT:
        return readObject(p, depth + 1);
      case START_ARRAY: {
        if (depth + 1 > JsonValues.MAX_DEPTH) {
          throw new CorruptRecordException("nested too deep");
        }
        List<Object> list = new ArrayList<>();
        for (JsonToken e = p.nextToken(); e != JsonToken.END_ARRAY; e = p.nextToken()) {
          list.add(readValue(p, e, depth + 1));
        }
        return Collections.unmodifiableList(list);
      }
      default:
        throw new CorruptRecordException("null or unexpected JSON token");
    }
  }

  private static int utf8Length(String s) {
    int n = s.length();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c >= 0x80) {
        // Cheap path for ASCII; exact count otherwise.
        return s.getBytes(StandardCharsets.UTF_8).length;
      }
    }
    return n;
  }
}
