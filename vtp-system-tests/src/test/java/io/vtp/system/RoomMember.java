package io.vtp.system;

import java.net.URI;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A WebSocket room member (bearer token) that queues every text frame and records how its connection ended. */
final class RoomMember implements WebSocket.Listener {
  /** What {@link #closed} holds when the connection failed instead of closing. */
  static final int RESET = -1;
  final LinkedBlockingQueue<String> frames = new LinkedBlockingQueue<>();
  /** The close status code, or {@link #RESET}. */
  final CompletableFuture<Integer> closed = new CompletableFuture<>();
  private final StringBuilder partial = new StringBuilder();
  WebSocket ws;

  /** Connects (bounded: 10 s); the server may still refuse the room, which shows in {@link #closed}. */
  static RoomMember connect(URI uri, String token) throws Exception {
    RoomMember m = new RoomMember();
    m.ws = Faults.HTTP.newWebSocketBuilder().header("Authorization", "Bearer " + token)
        .connectTimeout(Duration.ofSeconds(5)).buildAsync(uri, m).get(10, TimeUnit.SECONDS);
    return m;
  }

  /** Connects and waits for the room's welcome (10 s); fails without it. */
  static RoomMember connectWelcomed(URI uri, String token) throws Exception {
    RoomMember m = connect(uri, token);
    if (!m.await("\"welcome\"", Duration.ofSeconds(10))) {
      throw new IllegalStateException("no welcome from " + uri);
    }
    return m;
  }

  /** Waits until a frame containing {@code fragment} arrives (frames before it are consumed); bounded by max. */
  boolean await(String fragment, Duration max) throws InterruptedException {
    return frameWith(fragment, max) != null;
  }

  /**
   * Waits until a frame containing {@code fragment} arrives (frames before it are consumed); bounded by max.
   *
   * @return that frame, or null when none came in time
   */
  String frameWith(String fragment, Duration max) throws InterruptedException {
    long deadline = System.nanoTime() + max.toNanos();
    while (System.nanoTime() < deadline) {
      String frame = frames.poll(100, TimeUnit.MILLISECONDS);
      if (frame != null && frame.contains(fragment)) {
        return frame;
      }
    }
    return null;
  }

  /**
   * Waits until a frame containing one of the fragments arrives (frames before it are consumed); bounded by max.
   *
   * @return the first fragment found, or null when none came in time
   */
  String awaitAny(Duration max, String... fragments) throws InterruptedException {
    long deadline = System.nanoTime() + max.toNanos();
    while (System.nanoTime() < deadline) {
      String frame = frames.poll(100, TimeUnit.MILLISECONDS);
      if (frame != null) {
        for (String f : fragments) {
          if (frame.contains(f)) {
            return f;
          }
        }
      }
    }
    return null;
  }

  @Override
  public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
    partial.append(data);
    if (last) {
      frames.add(partial.toString());
      partial.setLength(0);
    }
    webSocket.request(1);
    return null;
  }

  @Override
  public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
    closed.complete(statusCode);
    return null;
  }

  @Override
  public void onError(WebSocket webSocket, Throwable error) {
    closed.complete(RESET);
  }
}
