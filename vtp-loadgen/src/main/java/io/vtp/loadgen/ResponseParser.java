package io.vtp.loadgen;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * A streaming HTTP/1.1 response parser for one connection: fed the bytes as they arrive, it finds where the answer
 * ends (Content-Length, chunked, or the close of a response without either) and keeps the status and the few headers
 * the load counts ({@code X-Instance-Id}, {@code X-Cache}, {@code RateLimit}); the body is skipped, never copied.
 * Interim 1xx answers are skipped. Not thread-safe: one connection's reader at a time.
 */
final class ResponseParser {
  /** The longest status or header line accepted; a longer one fails the answer. */
  static final int MAX_LINE = 64 * 1024;

  private enum State { STATUS, HEADERS, BODY, CHUNK_SIZE, CHUNK_DATA, CHUNK_END, TRAILERS, UNTIL_CLOSE, DONE }

  private State state = State.DONE;
  private byte[] line = new byte[256];
  private int lineLength;
  private long remaining;
  private boolean head;
  private long contentLength;
  private boolean chunked;

  /** The answer's status (the final one, not an interim 1xx). */
  int status;
  /** {@code X-Instance-Id}, or null. */
  String instance;
  /** {@code X-Cache}, or null. */
  String cache;
  /** Whether a {@code RateLimit} header came. */
  boolean rateLimit;
  /** Whether the server closes the connection after this answer ({@code Connection: close}, HTTP/1.0, no length). */
  boolean close;
  /** Bytes of this answer seen so far: 0 means the server sent nothing at all. */
  long bytes;

  /** Starts a new answer; {@code head}: the request was a HEAD (no body whatever the headers say). */
  void reset(boolean head) {
    this.head = head;
    state = State.STATUS;
    lineLength = 0;
    remaining = 0;
    bytes = 0;
    startHeaders();
  }

  private void startHeaders() {
    contentLength = -1;
    chunked = false;
    status = 0;
    instance = null;
    cache = null;
    rateLimit = false;
    close = false;
  }

  /**
   * Consumes bytes of the answer from {@code b}; returns whether the answer is complete (then {@code b} keeps what
   * came after it, which a client that does not pipeline never expects).
   *
   * @throws IOException when the answer is not HTTP/1.x
   */
  boolean feed(ByteBuffer b) throws IOException {
    int before = b.remaining();
    try {
      while (b.hasRemaining() && state != State.DONE) {
        switch (state) {
          case BODY, CHUNK_DATA -> {
            int n = (int) Math.min(remaining, b.remaining());
            b.position(b.position() + n);
            remaining -= n;
            if (remaining == 0) {
              state = state == State.BODY ? State.DONE : State.CHUNK_END;
            }
          }
          case UNTIL_CLOSE -> b.position(b.limit());
          default -> {
            if (readLine(b)) {
              line();
              lineLength = 0;
            }
          }
        }
      }
    } finally {
      bytes += before - b.remaining();
    }
    return state == State.DONE;
  }

  /** At the end of the stream: returns whether the answer is complete (a body delimited by the close). */
  boolean endOfStream() {
    if (state == State.UNTIL_CLOSE) {
      state = State.DONE;
    }
    return state == State.DONE;
  }

  /** Appends up to the next LF to the line; returns whether the line is complete (without its CR LF). */
  private boolean readLine(ByteBuffer b) throws IOException {
    while (b.hasRemaining()) {
      byte c = b.get();
      if (c == '\n') {
        if (lineLength > 0 && line[lineLength - 1] == '\r') {
          lineLength--;
        }
        return true;
      }
      if (lineLength == line.length) {
        if (line.length >= MAX_LINE) {
          throw new IOException("answer line longer than " + MAX_LINE + " bytes");
        }
        line = java.util.Arrays.copyOf(line, Math.min(MAX_LINE, line.length * 2));
      }
      line[lineLength++] = c;
    }
    return false;
  }

  private void line() throws IOException {
    switch (state) {
      case STATUS -> {
        if (lineLength == 0) {
          return; // a stray empty line before the status line is allowed (RFC 9112 section 2.2)
        }
        if (lineLength < 12 || !startsWith("HTTP/1.")) {
          throw new IOException("not an HTTP/1.x answer: " + text(0, Math.min(lineLength, 40)));
        }
        status = (line[9] - '0') * 100 + (line[10] - '0') * 10 + (line[11] - '0');
        if (status < 100 || status > 999) {
          throw new IOException("bad status line: " + text(0, Math.min(lineLength, 40)));
        }
        close = line[7] == '0'; // HTTP/1.0 closes unless it says keep-alive
        state = State.HEADERS;
      }
      case HEADERS -> {
        if (lineLength > 0) {
          header();
          return;
        }
        if (status < 200) { // an interim answer (100 Continue, 103 Early Hints): the real one follows
          startHeaders();
          state = State.STATUS;
        } else if (head || status == 204 || status == 304) {
          state = State.DONE;
        } else if (chunked) {
          state = State.CHUNK_SIZE;
        } else if (contentLength >= 0) {
          remaining = contentLength;
          state = contentLength == 0 ? State.DONE : State.BODY;
        } else {
          close = true;
          state = State.UNTIL_CLOSE;
        }
      }
      case CHUNK_SIZE -> {
        long size = 0;
        int digits = 0;
        for (int i = 0; i < lineLength; i++) {
          int d = Character.digit(line[i], 16);
          if (d < 0) {
            break; // chunk extensions, or spaces before them
          }
          if (++digits > 15) {
            throw new IOException("chunk size too large");
          }
          size = size * 16 + d;
        }
        if (digits == 0) {
          throw new IOException("bad chunk size line: " + text(0, Math.min(lineLength, 40)));
        }
        if (size == 0) {
          state = State.TRAILERS;
        } else {
          remaining = size;
          state = State.CHUNK_DATA;
        }
      }
      case CHUNK_END -> {
        if (lineLength != 0) {
          throw new IOException("chunk not followed by CRLF");
        }
        state = State.CHUNK_SIZE;
      }
      case TRAILERS -> {
        if (lineLength == 0) {
          state = State.DONE;
        }
      }
      default -> throw new IllegalStateException("no line expected in state " + state);
    }
  }

  private void header() throws IOException {
    int colon = 0;
    while (colon < lineLength && line[colon] != ':') {
      colon++;
    }
    if (colon == lineLength) {
      throw new IOException("bad header line: " + text(0, Math.min(lineLength, 40)));
    }
    if (nameIs(colon, "content-length")) {
      try {
        contentLength = Long.parseLong(value(colon));
      } catch (NumberFormatException e) {
        throw new IOException("bad Content-Length: " + value(colon), e);
      }
    } else if (nameIs(colon, "transfer-encoding")) {
      chunked = value(colon).toLowerCase(java.util.Locale.ROOT).contains("chunked");
    } else if (nameIs(colon, "connection")) {
      String v = value(colon).toLowerCase(java.util.Locale.ROOT);
      if (v.contains("close")) {
        close = true;
      } else if (v.contains("keep-alive")) {
        close = false;
      }
    } else if (nameIs(colon, "x-instance-id")) {
      instance = value(colon);
    } else if (nameIs(colon, "x-cache")) {
      cache = value(colon);
    } else if (nameIs(colon, "ratelimit")) {
      rateLimit = true;
    }
  }

  private boolean nameIs(int length, String lowerCase) {
    if (length != lowerCase.length()) {
      return false;
    }
    for (int i = 0; i < length; i++) {
      if ((line[i] | 0x20) != lowerCase.charAt(i) && line[i] != lowerCase.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  private String value(int colon) {
    int from = colon + 1;
    int to = lineLength;
    while (from < to && (line[from] == ' ' || line[from] == '\t')) {
      from++;
    }
    while (to > from && (line[to - 1] == ' ' || line[to - 1] == '\t')) {
      to--;
    }
    return text(from, to - from);
  }

  private boolean startsWith(String prefix) {
    for (int i = 0; i < prefix.length(); i++) {
      if (line[i] != prefix.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  private String text(int from, int length) {
    return new String(line, from, length, StandardCharsets.ISO_8859_1);
  }
}
