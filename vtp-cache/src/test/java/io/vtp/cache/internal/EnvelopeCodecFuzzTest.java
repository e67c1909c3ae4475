package io.vtp.cache.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vtp.cache.course.Course;
import java.nio.charset.StandardCharsets;

/**
 * Decoding what Redis hands back: any string decodes to an envelope or to {@code null} (a corrupt entry, read as a
 * miss), never an exception and never a class named by the data; an envelope that decodes re-encodes to one that
 * decodes to the same value.
 *
 * <p>Runs in regression mode in the ordinary build (the inputs in {@code EnvelopeCodecFuzzTestInputs/}); to fuzz
 * for real: {@code JAZZER_FUZZ=1 ./mvnw test -pl vtp-cache -Dtest=EnvelopeCodecFuzzTest}.
 */
class EnvelopeCodecFuzzTest {
  private static final EnvelopeCodec<Course> CODEC =
      new EnvelopeCodec<>(new ObjectMapper(), m -> m.constructType(Course.class), 1);

  @FuzzTest(maxDuration = "60s")
  void decode_neverThrows_andRoundTrips(byte[] input) {
    String raw = new String(input, StandardCharsets.UTF_8);
    EnvelopeCodec.Envelope<Course> e = CODEC.decode(raw);
    if (e != null) {
      assertThat(e.loadMillis()).isNotNegative();
      EnvelopeCodec.Envelope<Course> again = CODEC.decode(CODEC.encode(e.value(), e.freshUntil(), e.loadMillis()));
      assertThat(again).isNotNull();
      assertThat(again.value()).isEqualTo(e.value());
      assertThat(again.freshUntil()).isEqualTo(e.freshUntil());
    }
  }
}
