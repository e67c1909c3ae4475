package io.vtp.session.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The JSON half of a session record, {@code {"s":1,"u":"<user id>","a":{...attributes}}}, written and read only
 * by Java (the scripts copy it as an opaque string). {@code s} is the schema version: a record with another one
 * (a foreign value, or one written by a future version during a rolling deploy) reads as corrupt.
 *
 * <p>Plain data binding only: no default typing, no class names, untyped values become maps, lists, strings,
 * booleans and numbers. Thread-safe.
 */
public final class RecordCodec {
  /** The schema version written into every record. */
  public static final long SCHEMA = 1;

  private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};

  private final ObjectMapper mapper = JsonMapper.builder()
      .enable(DeserializationFeature.USE_LONG_FOR_INTS)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
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
      throw new IllegalArgumentException("session attributes could not be written as JSON: " + e.getOriginalMessage(), e);
    }
    int bytes = utf8Length(a);
    if (bytes > maxAttributesBytes) {
      throw new IllegalArgumentException("session attributes are " + bytes + " bytes as JSON but maxAttributesBytes is "
          + maxAttributesBytes + "; store large data elsewhere and keep a reference in the session");
    }
    return "{\"s\":" + SCHEMA + ",\"u\":" + u + ",\"a\":" + a + "}";
  }

  /**
   * Decodes a record.
   *
   * @param json the stored text
   * @return the user id and normalized attributes
   * @throws CorruptRecordException when it is not a record of this schema
   */
  public Decoded decode(String json) throws CorruptRecordException {
    Map<String, Object> root;
    try {
      root = mapper.readValue(json, MAP);
    } catch (JsonProcessingException e) {
      throw new CorruptRecordException("not JSON of the expected shape (" + e.getClass().getSimpleName() + ")");
    }
    if (root == null || !Long.valueOf(SCHEMA).equals(root.get("s"))) {
      throw new CorruptRecordException("unknown schema version");
    }
    Object u = root.get("u");
    Object a = root.get("a");
    if (!(u instanceof String) || !(a instanceof Map) || root.size() != 3) {
      throw new CorruptRecordException("missing or extra fields");
    }
    try {
      @SuppressWarnings("unchecked") // Jackson's untyped maps have String keys
      Map<String, Object> attributes = JsonValues.copyOf((Map<String, Object>) a);
      return new Decoded((String) u, attributes);
    } catch (IllegalArgumentException e) {
      throw new CorruptRecordException("attributes are not plain JSON values");
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
