package io.vtp.javalin.internal;

import io.javalin.http.Context;
import io.vtp.javalin.ProblemException;

/** Writes RFC 9457 problem bodies without a JSON library (the plugins do not require one). */
public final class ProblemJson {
  /** The problem content type. */
  public static final String CONTENT_TYPE = "application/problem+json";

  private ProblemJson() {}

  /**
   * Answers a request with a problem: its headers, its status, and the body.
   *
   * @param e the problem
   * @param ctx the request
   */
  public static void write(ProblemException e, Context ctx) {
    e.headers().forEach(ctx::header);
    String body = "{\"type\":\"about:blank\",\"title\":" + quote(e.title()) + ",\"status\":" + e.status()
        + ",\"detail\":" + quote(e.getMessage()) + ",\"instance\":" + quote(ctx.path()) + "}";
    ctx.status(e.status()).contentType(CONTENT_TYPE).result(body);
  }

  /**
   * Quotes a JSON string.
   *
   * @param s the text
   * @return the JSON string literal
   */
  public static String quote(String s) {
    StringBuilder b = new StringBuilder(s.length() + 2).append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\') {
        b.append('\\').append(c);
      } else if (c < 0x20) {
        b.append(String.format("\\u%04x", (int) c));
      } else {
        b.append(c);
      }
    }
    return b.append('"').toString();
  }
}
