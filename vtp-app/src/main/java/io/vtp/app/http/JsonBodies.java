package io.vtp.app.http;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.util.stream.Collectors;

/**
 * The app's JSON: strict when reading request bodies (unknown fields, wrong types, scalars coerced from other
 * types, trailing tokens and malformed JSON are 400 naming the field), ISO-8601 instants when writing. No default
 * typing anywhere.
 */
public final class JsonBodies {
  private JsonBodies() {}

  /**
   * Creates the app's mapper.
   *
   * @return a new, strict mapper
   */
  public static ObjectMapper mapper() {
    ObjectMapper m = JsonMapper.builder()
        .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
        .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
        .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
        .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
        .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
        .addModule(new JavaTimeModule())
        .build();
    // "title": 42 is a wrong type, not the string "42".
    m.coercionConfigFor(LogicalType.Textual).setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
        .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
        .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
    m.getFactory().setStreamReadConstraints(StreamReadConstraints.builder()
        .maxNestingDepth(32).maxStringLength(1 << 20).maxNumberLength(32).build());
    return m;
  }

  /**
   * Reads a request body into a type, turning every parse problem into a 400 that names the field.
   *
   * @param mapper the mapper
   * @param body the raw body
   * @param type the target type
   * @param <T> the type
   * @return the value; never {@code null}
   * @throws ApiException 400 for an empty, malformed or ill-typed body
   */
  public static <T> T read(ObjectMapper mapper, byte[] body, Class<T> type) {
    if (body == null || body.length == 0) {
      throw ApiException.badRequest("body", "a JSON object is required");
    }
    try {
      T value = mapper.readValue(body, type);
      if (value == null) {
        throw ApiException.badRequest("body", "a JSON object is required, not null");
      }
      return value;
    } catch (UnrecognizedPropertyException e) {
      throw ApiException.badRequest(path(e), "unknown field");
    } catch (InvalidFormatException e) {
      throw ApiException.badRequest(path(e), "must be " + describe(e.getTargetType()));
    } catch (MismatchedInputException e) {
      String field = path(e);
      if (field.isEmpty()) {
        throw ApiException.badRequest("body", "must be a JSON object");
      }
      throw ApiException.badRequest(field, "must be " + describe(e.getTargetType()));
    } catch (JsonParseException e) {
      throw ApiException.badRequest("body", "malformed JSON at line " + e.getLocation().getLineNr() + " column "
          + e.getLocation().getColumnNr());
    } catch (JsonMappingException e) {
      String field = path(e);
      throw ApiException.badRequest(field.isEmpty() ? "body" : field, "is invalid");
    } catch (JsonProcessingException e) {
      throw ApiException.badRequest("body", "malformed JSON");
    } catch (java.io.IOException e) {
      throw ApiException.badRequest("body", "could not be read");
    }
  }

  private static String path(JsonMappingException e) {
    return e.getPath().stream()
        .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
        .collect(Collectors.joining("."));
  }

  private static String describe(Class<?> type) {
    if (type == null) {
      return "of the right type";
    }
    if (type == String.class) {
      return "a string";
    }
    if (type == int.class || type == Integer.class || type == long.class || type == Long.class) {
      return "a whole number";
    }
    if (type == boolean.class || type == Boolean.class) {
      return "true or false";
    }
    if (type.isEnum()) {
      return "one of " + java.util.Arrays.toString(type.getEnumConstants());
    }
    return "a " + type.getSimpleName();
  }
}
