package io.vtp.cache.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.cfg.MapperConfig;
import com.fasterxml.jackson.databind.jsontype.PolymorphicTypeValidator;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.function.Function;

/**
 * The versioned JSON envelope of a cache entry, always written in this field order:
 * <pre>{"vtp":1,"sv":&lt;value version&gt;,"fu":&lt;fresh until, epoch ms&gt;,"lt":&lt;load ms&gt;,"v":&lt;value&gt;}</pre>
 * or {@code ..."nf":true}} for "not found". Decoding is strict: any other shape, format or value version, or a value
 * that does not bind to the one configured type, decodes to {@code null} (a corrupt entry). The mapper is a copy with
 * default typing off and a type validator that denies every class, so stored data never chooses a class.
 *
 * @param <V> the value type
 */
final class EnvelopeCodec<V> {
  static final int FORMAT = 1;

  private final JsonFactory factory;
  private final ObjectReader reader;
  private final ObjectWriter writer;
  private final int valueVersion;

  EnvelopeCodec(ObjectMapper base, Function<ObjectMapper, JavaType> type, int valueVersion) {
    ObjectMapper mapper = base.copy();
    mapper.deactivateDefaultTyping();
    mapper.setPolymorphicTypeValidator(new DenyAll());
    JavaType javaType = type.apply(mapper);
    this.factory = mapper.getFactory();
    this.reader = mapper.readerFor(javaType);
    this.writer = mapper.writerFor(javaType);
    this.valueVersion = valueVersion;
  }

  /** A decoded entry; {@code value} is {@code null} for "not found". */
  record Envelope<V>(V value, long freshUntil, long loadMillis, String raw) {
    boolean found() {
      return value != null;
    }
  }

  String encode(V value, long freshUntil, long loadMillis) {
    StringWriter out = new StringWriter(128);
    try (JsonGenerator g = factory.createGenerator(out)) {
      g.writeStartObject();
      g.writeNumberField("vtp", FORMAT);
      g.writeNumberField("sv", valueVersion);
      g.writeNumberField("fu", freshUntil);
      g.writeNumberField("lt", loadMillis);
      if (value == null) {
        g.writeBooleanField("nf", true);
      } else {
        g.writeFieldName("v");
        writer.writeValue(g, value);
      }
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException("cache value could not be serialised to JSON: " + e.getMessage(), e);
    }
    return out.toString();
  }

  /** Returns the entry, or {@code null} when {@code raw} is not an envelope this cache wrote. */
  Envelope<V> decode(String raw) {
    try (JsonParser p = factory.createParser(raw)) {
      if (p.nextToken() != JsonToken.START_OBJECT
          || longField(p, "vtp") != FORMAT
          || longField(p, "sv") != valueVersion) {
        return null;
      }
      long freshUntil = longField(p, "fu");
      long loadMillis = longField(p, "lt");
      if (freshUntil == Long.MIN_VALUE || loadMillis < 0) {
        return null;
      }
      if (p.nextToken() != JsonToken.FIELD_NAME) {
        return null;
      }
      V value = null;
      String field = p.currentName();
      if ("nf".equals(field)) {
        if (p.nextToken() != JsonToken.VALUE_TRUE) {
          return null;
        }
      } else if ("v".equals(field)) {
        if (p.nextToken() == JsonToken.VALUE_NULL) {
          return null;
        }
        value = reader.readValue(p);
        if (value == null) {
          return null;
        }
      } else {
        return null;
      }
      if (p.nextToken() != JsonToken.END_OBJECT || p.nextToken() != null) {
        return null;
      }
      return new Envelope<>(value, freshUntil, loadMillis, raw);
    } catch (IOException | RuntimeException e) {
      // Garbage, foreign JSON, or a value that does not bind to the type (including records rejecting it).
      return null;
    }
  }

  /** Reads {@code "name":<integer>} or returns {@link Long#MIN_VALUE}. */
  private static long longField(JsonParser p, String name) throws IOException {
    if (p.nextToken() != JsonToken.FIELD_NAME || !name.equals(p.currentName())
        || p.nextToken() != JsonToken.VALUE_NUMBER_INT) {
      return Long.MIN_VALUE;
    }
    return p.getLongValue();
  }

  /** Allows no class to be named by data, whether by default typing or by {@code @JsonTypeInfo}. */
  private static final class DenyAll extends PolymorphicTypeValidator.Base {
    private static final long serialVersionUID = 1L;

    @Override
    public Validity validateBaseType(MapperConfig<?> config, JavaType baseType) {
      return Validity.DENIED;
    }

    @Override
    public Validity validateSubClassName(MapperConfig<?> config, JavaType baseType, String subClassName) {
      return Validity.DENIED;
    }

    @Override
    public Validity validateSubType(MapperConfig<?> config, JavaType baseType, JavaType subType) {
      return Validity.DENIED;
    }
  }
}
