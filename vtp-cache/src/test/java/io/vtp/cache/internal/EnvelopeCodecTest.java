package io.vtp.cache.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.jsontype.BasicPolymorphicTypeValidator;
import java.util.List;
import org.junit.jupiter.api.Test;

class EnvelopeCodecTest {
  record Value(String name, List<Integer> n) {}

  /** A type whose own annotation would let data name a class; the codec's validator must still refuse. */
  record Holder(@JsonTypeInfo(use = JsonTypeInfo.Id.CLASS) Object payload) {}

  private final EnvelopeCodec<Value> codec = new EnvelopeCodec<>(new ObjectMapper(), m -> m.constructType(Value.class), 3);

  @Test
  void decode_roundTripsValueAndNotFound() {
    String raw = codec.encode(new Value("a", List.of(1, 2)), 1000, 7);
    assertThat(raw).isEqualTo("{\"vtp\":1,\"sv\":3,\"fu\":1000,\"lt\":7,\"v\":{\"name\":\"a\",\"n\":[1,2]}}");
    EnvelopeCodec.Envelope<Value> e = codec.decode(raw);
    assertThat(e.value()).isEqualTo(new Value("a", List.of(1, 2)));
    assertThat(e.freshUntil()).isEqualTo(1000);
    assertThat(e.loadMillis()).isEqualTo(7);
    EnvelopeCodec.Envelope<Value> nf = codec.decode(codec.encode(null, 5, 0));
    assertThat(nf.found()).isFalse();
    assertThat(nf.freshUntil()).isEqualTo(5);
  }

  @Test
  void decode_rejectsAnythingElse() {
    List<String> bad = List.of("", "null", "garbage", "{}", "[]",
        "{\"vtp\":1,\"sv\":2,\"fu\":1,\"lt\":1,\"v\":{\"name\":\"a\",\"n\":[]}}",
        "{\"sv\":3,\"vtp\":1,\"fu\":1,\"lt\":1,\"v\":{\"name\":\"a\",\"n\":[]}}",
        "{\"vtp\":1,\"sv\":3,\"fu\":1,\"lt\":1,\"v\":null}",
        "{\"vtp\":1,\"sv\":3,\"fu\":1,\"lt\":1,\"nf\":false}",
        "{\"vtp\":1,\"sv\":3,\"fu\":1,\"lt\":1,\"nf\":true,\"x\":1}",
        "{\"vtp\":1,\"sv\":3,\"fu\":1,\"lt\":1,\"v\":{\"name\":\"a\",\"n\":[]}} trailing",
        "{\"vtp\":1,\"sv\":3,\"fu\":1,\"lt\":-1,\"nf\":true}",
        "{\"vtp\":1,\"sv\":3,\"fu\":1,\"lt\":1,\"v\":{\"name\":\"a\",\"n\":[],\"@class\":\"java.lang.Runtime\"}}");
    for (String raw : bad) {
      assertThat(codec.decode(raw)).as(raw).isNull();
    }
  }

  @Test
  void decode_refusesClassNamesEvenWhenTheValueTypeAllowsThem() {
    ObjectMapper permissive = JsonMapper.builder()
        .activateDefaultTyping(BasicPolymorphicTypeValidator.builder().allowIfBaseType(Object.class).build(),
            ObjectMapper.DefaultTyping.NON_FINAL)
        .build();
    EnvelopeCodec<Holder> holders = new EnvelopeCodec<>(permissive, m -> m.constructType(Holder.class), 1);
    String raw = "{\"vtp\":1,\"sv\":1,\"fu\":1,\"lt\":1,\"v\":{\"payload\":{\"@class\":\"java.util.ArrayList\"}}}";
    assertThat(holders.decode(raw)).isNull();
  }
}
