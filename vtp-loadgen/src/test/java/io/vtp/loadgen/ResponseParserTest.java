package io.vtp.loadgen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The parser fed whole answers, and the same answers split at every byte (as the network may split them). */
class ResponseParserTest {
  private static final String CHUNKED = "HTTP/1.1 100 Continue\r\n\r\n"
      + "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nx-instance-id: app-2\r\nX-Cache: HIT\r\n"
      + "RateLimit: limit=5\r\n\r\n"
      + "5;ext=1\r\nhello\r\n1A\r\nabcdefghijklmnopqrstuvwxyz\r\n0\r\nTrailer: t\r\n\r\n";
  private static final String LENGTH = "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 3\r\nConnection: close\r\n\r\n"
      + "abc";

  @Test
  void feed_findsTheEndOfAChunkedAnswer_andItsHeaders_howeverTheBytesAreSplit() throws IOException {
    for (int split = 1; split <= CHUNKED.length(); split++) {
      ResponseParser p = feedSplit(CHUNKED, split, false);

      assertThat(p.status).as("split %d", split).isEqualTo(200);
      assertThat(p.instance).isEqualTo("app-2");
      assertThat(p.cache).isEqualTo("HIT");
      assertThat(p.rateLimit).isTrue();
      assertThat(p.close).isFalse();
      assertThat(p.bytes).isEqualTo(CHUNKED.length());
    }
  }

  @Test
  void feed_readsAContentLengthBody_andConnectionClose() throws IOException {
    for (int split = 1; split <= LENGTH.length(); split++) {
      ResponseParser p = feedSplit(LENGTH, split, false);

      assertThat(p.status).isEqualTo(503);
      assertThat(p.close).isTrue();
      assertThat(p.instance).isNull();
    }
  }

  @Test
  void feed_leavesWhatFollowsTheAnswer_andAHeadAnswerHasNoBody() throws IOException {
    ResponseParser p = new ResponseParser();
    p.reset(true);
    ByteBuffer b = ascii("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nextra");

    assertThat(p.feed(b)).isTrue();
    assertThat(b.remaining()).isEqualTo(5);
  }

  @Test
  void anAnswerWithoutLength_endsAtTheClose() throws IOException {
    ResponseParser p = new ResponseParser();
    p.reset(false);

    assertThat(p.feed(ascii("HTTP/1.0 200 OK\r\n\r\nbody until the end"))).isFalse();
    assertThat(p.endOfStream()).isTrue();
    assertThat(p.close).isTrue();
  }

  @Test
  void feed_rejectsWhatIsNotHttp() {
    ResponseParser p = new ResponseParser();
    p.reset(false);

    assertThatThrownBy(() -> p.feed(ascii("SSH-2.0-OpenSSH\r\n"))).hasMessageContaining("not an HTTP/1.x answer");
  }

  private static ResponseParser feedSplit(String answer, int split, boolean head) throws IOException {
    ResponseParser p = new ResponseParser();
    p.reset(head);
    byte[] all = answer.getBytes(StandardCharsets.ISO_8859_1);
    boolean done = false;
    for (int from = 0; from < all.length; from += split) {
      assertThat(done).as("complete before its last byte (split %d)", split).isFalse();
      ByteBuffer b = ByteBuffer.wrap(all, from, Math.min(split, all.length - from));
      done = p.feed(b);
      assertThat(b.hasRemaining()).isFalse();
    }
    assertThat(done).as("complete at its last byte (split %d)", split).isTrue();
    return p;
  }

  private static ByteBuffer ascii(String s) {
    return ByteBuffer.wrap(s.getBytes(StandardCharsets.US_ASCII));
  }
}
