package io.vtp.session.internal;

import java.math.BigInteger;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Validates session attributes as JSON values and copies them into the exact shape a JSON round trip gives back,
 * so a value reads back equal to what was stored: {@code String}, {@code Boolean}, {@code Long} (or
 * {@code BigInteger} outside its range), finite {@code Double}, unmodifiable {@code List} and insertion-ordered
 * unmodifiable {@code Map<String, Object>}. No {@code null}s, no other types.
 *
 * <p>Error messages name the attribute path and the offending type, never the value (it may be a secret).
 */
public final class JsonValues {
  /** Maximum nesting of lists and maps. */
  public static final int MAX_DEPTH = 32;

  private static final BigInteger LONG_MIN = BigInteger.valueOf(Long.MIN_VALUE);
  private static final BigInteger LONG_MAX = BigInteger.valueOf(Long.MAX_VALUE);

  private JsonValues() {}

  /**
   * Returns a deeply unmodifiable, normalized copy of an attribute map; a map this class made is returned as is.
   *
   * @param attributes the attributes
   * @return the copy
   * @throws IllegalArgumentException naming the path when a value is not a JSON value
   */
  public static Map<String, Object> copyOf(Map<String, ?> attributes) {
    if (attributes instanceof Frozen) {
      @SuppressWarnings("unchecked") // Frozen is only ever Map<String, Object>
      Map<String, Object> frozen = (Map<String, Object>) attributes;
      return frozen;
    }
    return copyMap(attributes, "", 0);
  }

  /**
   * Wraps a map that is already deeply normalized and unmodifiable (built by the record decoder) without copying.
   *
   * @param normalized a map whose values were all produced by this class's rules
   * @return the map, marked as normalized
   */
  static Map<String, Object> trusted(LinkedHashMap<String, Object> normalized) {
    return new Frozen(normalized);
  }

  /**
   * Returns a mutable (top level only) copy of an attribute map, for change callbacks.
   *
   * @param attributes normalized attributes
   * @return a new {@code LinkedHashMap}
   */
  public static Map<String, Object> mutableCopy(Map<String, Object> attributes) {
    return new LinkedHashMap<>(attributes);
  }

  /**
   * Normalizes a number as a JSON round trip would.
   *
   * @param value a BigInteger
   * @return a Long when it fits, else the BigInteger
   */
  static Object integer(BigInteger value) {
    return value.compareTo(LONG_MIN) >= 0 && value.compareTo(LONG_MAX) <= 0 ? (Object) value.longValue() : value;
  }

  private static Map<String, Object> copyMap(Map<?, ?> map, String path, int depth) {
    if (depth > MAX_DEPTH) {
      throw new IllegalArgumentException("attribute '" + path + "' nests deeper than " + MAX_DEPTH + " levels");
    }
    LinkedHashMap<String, Object> copy = new LinkedHashMap<>(Math.max(4, map.size() * 2));
    for (Map.Entry<?, ?> e : map.entrySet()) {
      Object key = e.getKey();
      if (!(key instanceof String)) {
        throw new IllegalArgumentException("attribute '" + path + "' has a " + typeName(key)
            + " key; map keys must be strings");
      }
      String name = (String) key;
      String childPath = path.isEmpty() ? name : path + "." + name;
      copy.put(name, copyValue(e.getValue(), childPath, depth + 1));
    }
    return new Frozen(copy);
  }

  private static Object copyValue(Object value, String path, int depth) {
    if (value instanceof String || value instanceof Boolean || value instanceof Long) {
      return value;
    }
    if (value instanceof Integer || value instanceof Short || value instanceof Byte) {
      return ((Number) value).longValue();
    }
    if (value instanceof Double || value instanceof Float) {
      double d = ((Number) value).doubleValue();
      if (Double.isNaN(d) || Double.isInfinite(d)) {
        throw new IllegalArgumentException("attribute '" + path + "' is " + d + "; JSON numbers must be finite");
      }
      return d;
    }
    if (value instanceof BigInteger) {
      return integer((BigInteger) value);
    }
    if (value instanceof Frozen) {
      return value;
    }
    if (value instanceof Map) {
      return copyMap((Map<?, ?>) value, path, depth);
    }
    if (value instanceof List) {
      if (depth > MAX_DEPTH) {
        throw new IllegalArgumentException("attribute '" + path + "' nests deeper than " + MAX_DEPTH + " levels");
      }
      List<?> list = (List<?>) value;
      List<Object> copy = new ArrayList<>(list.size());
      for (int i = 0; i < list.size(); i++) {
        copy.add(copyValue(list.get(i), path + "[" + i + "]", depth + 1));
      }
      return Collections.unmodifiableList(copy);
    }
    if (value == null) {
      throw new IllegalArgumentException("attribute '" + path + "' is null; remove the attribute instead");
    }
    throw new IllegalArgumentException("attribute '" + path + "' is a " + typeName(value)
        + "; only String, Boolean, integer and finite floating-point numbers (not BigDecimal), List and "
        + "Map<String, ?> are stored (JSON only)");
  }

  private static String typeName(Object o) {
    return o == null ? "null" : o.getClass().getName();
  }

  /** An unmodifiable, insertion-ordered map whose contents are known to be normalized. */
  private static final class Frozen extends AbstractMap<String, Object> {
    private final Map<String, Object> map;

    Frozen(LinkedHashMap<String, Object> map) {
      this.map = Collections.unmodifiableMap(map);
    }

    @Override
    public Set<Entry<String, Object>> entrySet() {
      return map.entrySet();
    }

    @Override
    public Object get(Object key) {
      return map.get(key);
    }

    @Override
    public boolean containsKey(Object key) {
      return map.containsKey(key);
    }

    @Override
    public int size() {
      return map.size();
    }
  }
}
