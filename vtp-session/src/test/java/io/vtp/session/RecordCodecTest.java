package io.vtp.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vtp.session.internal.RecordCodec;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The JSON record: what is accepted, what reads as corrupt, and that nothing but plain values comes out. */
class RecordCodecTest {
  private final RecordCodec codec = new RecordCodec(1024);

  @Test
  void decode_normalizesNumbersAndFreezesEverything() throws Exception {
    RecordCodec.Decoded d = codec.decode("{\"s\":1,\"u\":\"ann\",\"a\":{\"i\":7,\"big\":123456789012345678901234567890,"
        + "\"f\":1.5,\"l\":[1,\"x\",true,{\"k\":false}]}}");

    assertThat(d.userId()).isEqualTo("ann");
    assertThat(d.attributes()).containsEntry("i", 7L).containsEntry("f", 1.5)
        .containsEntry("big", new BigInteger("123456789012345678901234567890"))
        .containsEntry("l", List.of(1L, "x", true, Map.of("k", false)));
    assertThatThrownBy(() -> d.attributes().put("x", 1)).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> ((List<?>) d.attributes().get("l")).clear())
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "", "garbage", "[]", "null", "{}",
      "{\"s\":2,\"u\":\"ann\",\"a\":{}}",                      // a future schema
      "{\"s\":1,\"u\":\"ann\"}",                               // missing attributes
      "{\"s\":1,\"u\":\"ann\",\"a\":{},\"x\":1}",              // extra field
      "{\"s\":1,\"s\":1,\"u\":\"ann\",\"a\":{}}",              // duplicate key
      "{\"s\":1,\"u\":\"ann\",\"a\":{\"k\":1,\"k\":2}}",       // duplicate attribute
      "{\"s\":1,\"u\":\"ann\",\"a\":{\"k\":null}}",            // null
      "{\"s\":1,\"u\":\"ann\",\"a\":{}} trailing",
      "{\"s\":1,\"u\":\"ann\",\"a\":[\"java.util.HashMap\",{}]}", // a default-typing wrapper
      "{\"s\":1,\"u\":\"ann\",\"a\":{\"@class\":\"java.lang.ProcessBuilder\"", // truncated
      "{\"s\":1,\"u\":\"ann\",\"a\":{\"n\":1e999}}"            // overflows to infinity
  })
  void decode_anythingElse_isCorrupt(String stored) {
    assertThatThrownBy(() -> codec.decode(stored)).isInstanceOf(RecordCodec.CorruptRecordException.class)
        .hasMessageNotContaining("ProcessBuilder");
  }

  @Test
  void decode_deepNesting_isCorruptNotAStackOverflow() {
    String deep = "{\"s\":1,\"u\":\"ann\",\"a\":{\"x\":" + "[".repeat(5000) + "]".repeat(5000) + "}}";
    assertThatThrownBy(() -> codec.decode(deep)).isInstanceOf(RecordCodec.CorruptRecordException.class);
  }

  @Test
  void decode_classNameAsPlainData_isJustAString() throws Exception {
    RecordCodec.Decoded d = codec.decode("{\"s\":1,\"u\":\"ann\",\"a\":{\"@class\":\"java.lang.ProcessBuilder\"}}");
    assertThat(d.attributes().get("@class")).isEqualTo("java.lang.ProcessBuilder");
  }
}
