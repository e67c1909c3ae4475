package io.vtp.spring.boot.session.internal;

import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.vtp.spring.boot.session.SessionAttributeCodec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DefaultTyping;
import tools.jackson.databind.ObjectReader;
import tools.jackson.databind.ObjectWriter;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.jsontype.BasicPolymorphicTypeValidator;

/**
 * The default {@link SessionAttributeCodec}: strings, booleans, longs and finite doubles are stored as themselves,
 * and so are lists of such values (maps of them as {@code {"@map": {...}}}); an {@code Integer} as
 * {@code {"@int": n}} (JSON has one number type, and an {@code Integer} must come back as one); anything else as
 * {@code {"@json": <document>}}, written and read by a private Jackson 3 mapper.
 *
 * <p>That mapper is Spring Security's own setup when Spring Security is present
 * ({@code SecurityJacksonModules.getModules}: its mixins for the security context, authentication tokens,
 * {@code User}, CSRF tokens and saved requests). Those mixins need a type id on {@code Object}-typed fields (the
 * principal, the details), so the mapper writes one ({@code @class}) and, reading, resolves only class names its
 * {@link BasicPolymorphicTypeValidator} allows: Spring Security's allowlist plus the exact class names configured
 * ({@code vtp.session.json.allowed-types}). A document naming any other class fails to decode and the attribute
 * reads as absent; that class is never instantiated. No other mapper in the application is touched, and nothing is
 * ever Java-serialized. Without Spring Security the same typing runs with only the configured names allowed.
 *
 * <p>Thread-safe (Jackson readers and writers are).
 */
public final class JacksonAttributeCodec implements SessionAttributeCodec {
  private static final Logger LOG = LoggerFactory.getLogger(JacksonAttributeCodec.class);
  private static final String SECURITY_MODULES = "org.springframework.security.jackson.SecurityJacksonModules";
  /** Key of an {@code Integer} in its envelope. */
  static final String INT = "@int";
  /** Key of a map of JSON values in its envelope (a bare map could look like an envelope). */
  static final String MAP = "@map";
  private static final int MAX_DEPTH = 16;
  /** Key of a Jackson document in its envelope. */
  static final String JSON = "@json";

  private final ObjectWriter typedWriter;
  private final ObjectReader typedReader;
  private final JsonMapper plain = JsonMapper.builder().build();

  /**
   * Creates the codec.
   *
   * @param classLoader the application's class loader (Spring Security's modules are looked up in it)
   * @param allowedTypes exact class names a stored document may name besides Spring Security's allowlist
   */
  public JacksonAttributeCodec(ClassLoader classLoader, List<String> allowedTypes) {
    Objects.requireNonNull(classLoader, "classLoader");
    BasicPolymorphicTypeValidator.Builder validator = BasicPolymorphicTypeValidator.builder();
    for (String name : allowedTypes) {
      // Exact name, matched before the class is loaded: a prefix would also allow every class that starts with it.
      validator.allowIfSubType(Pattern.compile(Pattern.quote(name)));
    }
    JsonMapper.Builder builder = JsonMapper.builder();
    if (isPresent(SECURITY_MODULES, classLoader)) {
      builder.addModules(SecurityModules.modules(classLoader, validator));
    } else {
      builder.activateDefaultTyping(validator.build(), DefaultTyping.NON_FINAL, JsonTypeInfo.As.PROPERTY);
    }
    JsonMapper typed = builder.build();
    this.typedWriter = typed.writerFor(Object.class);
    this.typedReader = typed.readerFor(Object.class);
  }

  private static boolean isPresent(String className, ClassLoader loader) {
    try {
      Class.forName(className, false, loader);
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }

  @Override
  public Object encode(String name, Object value) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(value, "value");
    if (value instanceof String || value instanceof Boolean || value instanceof Long) {
      return value;
    }
    if (value instanceof Double d && Double.isFinite(d)) {
      return value;
    }
    if (value instanceof Integer i) {
      return Map.of(INT, i.longValue());
    }
    if (value instanceof List<?> && isJsonShaped(value, 0)) {
      return value;
    }
    if (value instanceof Map<?, ?> && isJsonShaped(value, 0)) {
      return Map.of(MAP, value);
    }
    try {
      // Written with the type id, then re-read as plain JSON values: that is what vtp-session stores.
      String text = typedWriter.writeValueAsString(value);
      Object tree = withoutNulls(name, plain.readValue(text, Object.class));
      return Map.of(JSON, tree);
    } catch (JacksonException e) {
      throw new IllegalArgumentException("session attribute '" + name + "': a " + value.getClass().getName()
          + " cannot be stored as JSON (" + e.getOriginalMessage() + "); store JSON-friendly values, or list the"
          + " type in vtp.session.json.allowed-types if it is only the type id that is refused", e);
    }
  }

  /**
   * Whether a value is made of JSON values only (strings, booleans, longs, finite doubles, lists, maps with string
   * keys, no null), so that it comes back equal as it is; anything else (an {@code Integer} inside, say) goes
   * through Jackson.
   */
  private static boolean isJsonShaped(Object value, int depth) {
    if (depth > MAX_DEPTH) {
      return false;
    }
    if (value instanceof String || value instanceof Boolean || value instanceof Long) {
      return true;
    }
    if (value instanceof Double d) {
      return Double.isFinite(d);
    }
    if (value instanceof List<?> list) {
      for (Object v : list) {
        if (v == null || !isJsonShaped(v, depth + 1)) {
          return false;
        }
      }
      return true;
    }
    if (value instanceof Map<?, ?> map) {
      for (Map.Entry<?, ?> e : map.entrySet()) {
        if (!(e.getKey() instanceof String) || e.getValue() == null || !isJsonShaped(e.getValue(), depth + 1)) {
          return false;
        }
      }
      return true;
    }
    return false;
  }

  /**
   * The store keeps no JSON {@code null}: a null property is left out (Jackson reads a missing property as null). A
   * null inside an array cannot be left out without moving its neighbours, so it is refused.
   */
  private static Object withoutNulls(String name, Object tree) {
    if (tree instanceof Map<?, ?> map) {
      Map<String, Object> out = new LinkedHashMap<>();
      map.forEach((k, v) -> {
        if (v != null) {
          out.put((String) k, withoutNulls(name, v));
        }
      });
      return out;
    }
    if (tree instanceof List<?> list) {
      List<Object> out = new ArrayList<>(list.size());
      for (Object v : list) {
        if (v == null) {
          throw new IllegalArgumentException("session attribute '" + name + "': a null inside an array cannot be"
              + " stored (the session store keeps no JSON null)");
        }
        out.add(withoutNulls(name, v));
      }
      return out;
    }
    return tree;
  }

  @Override
  public Object decode(String name, Object json) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(json, "json");
    if (!(json instanceof Map<?, ?> map)) {
      return json; // String, Boolean, Long, Double, or a list stored by another codec: as is
    }
    if (map.size() == 1 && map.get(INT) instanceof Long l && l >= Integer.MIN_VALUE && l <= Integer.MAX_VALUE) {
      return l.intValue();
    }
    if (map.size() == 1 && map.get(MAP) instanceof Map<?, ?> plainMap) {
      return plainMap;
    }
    Object document = map.size() == 1 ? map.get(JSON) : null;
    if (document == null) {
      return json;
    }
    try {
      return typedReader.readValue(plain.writeValueAsString(document));
    } catch (JacksonException e) {
      // A type outside the allowlist, or a document this version cannot read: the attribute is absent. The message
      // names the attribute and Jackson's reason (which may name the refused class), never the value.
      LOG.warn("session attribute '{}' cannot be read back and is ignored: {}", name, e.getOriginalMessage());
      return null;
    }
  }

  /** Kept apart so that the Spring Security classes load only when they are present. */
  private static final class SecurityModules {
    static List<tools.jackson.databind.JacksonModule> modules(ClassLoader loader,
        BasicPolymorphicTypeValidator.Builder validator) {
      return org.springframework.security.jackson.SecurityJacksonModules.getModules(loader, validator);
    }
  }
}
