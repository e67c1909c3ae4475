package io.vtp.loadgen;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Writes a {@link HttpRequest} as HTTP/1.1 bytes: request line, {@code Host}, its headers, its body. */
final class HttpWire {
  private HttpWire() {}

  /**
   * Returns the request's bytes on the wire.
   *
   * @throws IllegalArgumentException for a URI that is not {@code http://} (the generator speaks plain HTTP/1.1 only)
   */
  static byte[] encode(HttpRequest r) {
    URI u = r.uri();
    if (!"http".equalsIgnoreCase(u.getScheme()) || u.getHost() == null) {
      throw new IllegalArgumentException("load: only http:// URIs with a host can be sent, but was " + u);
    }
    byte[] body = body(r);
    StringBuilder sb = new StringBuilder(256);
    String path = u.getRawPath() == null || u.getRawPath().isEmpty() ? "/" : u.getRawPath();
    sb.append(r.method()).append(' ').append(path);
    if (u.getRawQuery() != null) {
      sb.append('?').append(u.getRawQuery());
    }
    sb.append(" HTTP/1.1\r\nHost: ").append(u.getRawAuthority()).append("\r\n");
    boolean agent = false;
    for (Map.Entry<String, List<String>> h : r.headers().map().entrySet()) {
      String name = h.getKey().toLowerCase(Locale.ROOT);
      if (name.equals("host") || name.equals("content-length") || name.equals("connection")) {
        continue; // ours: the URI's authority, the body's length, keep-alive
      }
      agent |= name.equals("user-agent");
      for (String v : h.getValue()) {
        sb.append(h.getKey()).append(": ").append(v).append("\r\n");
      }
    }
    if (!agent) {
      sb.append("User-Agent: vtp-loadgen\r\n");
    }
    if (body != null) {
      sb.append("Content-Length: ").append(body.length).append("\r\n");
    }
    sb.append("\r\n");
    byte[] head = sb.toString().getBytes(StandardCharsets.UTF_8);
    if (body == null || body.length == 0) {
      return head;
    }
    byte[] all = new byte[head.length + body.length];
    System.arraycopy(head, 0, all, 0, head.length);
    System.arraycopy(body, 0, all, head.length, body.length);
    return all;
  }

  /** The body's bytes, or null when the request has none (a GET built with {@code GET()}). */
  private static byte[] body(HttpRequest r) {
    HttpRequest.BodyPublisher p = r.bodyPublisher().orElse(null);
    if (p == null) {
      return null;
    }
    CompletableFuture<byte[]> done = new CompletableFuture<>();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    p.subscribe(new Flow.Subscriber<>() {
      @Override
      public void onSubscribe(Flow.Subscription s) {
        s.request(Long.MAX_VALUE);
      }

      @Override
      public void onNext(ByteBuffer b) {
        byte[] a = new byte[b.remaining()];
        b.get(a);
        out.write(a, 0, a.length);
      }

      @Override
      public void onError(Throwable e) {
        done.completeExceptionally(e);
      }

      @Override
      public void onComplete() {
        done.complete(out.toByteArray());
      }
    });
    try {
      return done.get(5, TimeUnit.SECONDS); // the JDK's in-memory publishers complete within subscribe()
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("load: interrupted reading the body of " + r, e);
    } catch (ExecutionException e) {
      throw new UncheckedIOException("load: cannot read the body of " + r,
          e.getCause() instanceof IOException io ? io : new IOException(e.getCause()));
    } catch (TimeoutException e) {
      throw new IllegalStateException("load: the body of " + r + " did not complete within 5 s", e);
    }
  }
}
