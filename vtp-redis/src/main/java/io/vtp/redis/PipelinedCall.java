package io.vtp.redis;

import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisException;

/**
 * One library's operation in a form that can share a Redis round trip with other libraries' operations: the library
 * that created the call queues its own commands on a pipeline and decodes its own replies, and
 * {@link RoundTrip#send(PipelinedCall...)} sends the commands of every call on the same client together. No call
 * reads or writes another call's keys, and no script spans two libraries' data: sharing a round trip changes when
 * commands travel, never what they do.
 *
 * <p>Lifecycle: a library creates the call (checking its arguments then, and answering at once, without Redis, when
 * it can, e.g. a malformed session id or a key its limiter denies locally); the caller passes it to
 * {@link RoundTrip#send} exactly once; then {@link #result()} gives the answer, or throws what the library's direct
 * method would throw. Create and send every call you create: a call may hold a resource of its library until it
 * completes (e.g. a circuit breaker's probe).
 *
 * <p>Not thread-safe: a call belongs to the thread that sends it. Libraries implement it; applications only pass it
 * along.
 *
 * @param <T> the answer's type
 */
public abstract class PipelinedCall<T> {
  private final UnifiedJedis client;
  private boolean sent;
  private boolean done;
  private T value;
  private RuntimeException error;

  /**
   * Creates a call.
   *
   * @param client the client whose pipeline carries the call's commands; calls on the same client (the same
   *     object) share a round trip; {@code null} for a call that never needs Redis
   */
  protected PipelinedCall(UnifiedJedis client) {
    this.client = client;
  }

  /**
   * Returns the client this call's commands go to.
   *
   * @return the client, or {@code null} when the call never needs Redis
   */
  public final UnifiedJedis client() {
    return client;
  }

  /**
   * Tells whether the call has commands to send; {@link #queue} is called only when it has.
   *
   * @return {@code false} when the answer is already known (e.g. a malformed argument)
   */
  protected abstract boolean needsRedis();

  /**
   * Queues this call's commands; called once, before the pipeline is synced. Must not sync or close the pipeline.
   *
   * @param pipeline the shared pipeline of {@link #client()}
   * @throws JedisException when queuing fails (a cluster pipeline may connect to a node here): the call then
   *     completes with that failure
   */
  protected abstract void queue(AbstractPipeline pipeline);

  /**
   * Decodes the replies and applies the library's own policy; called once, after the round trip. May make further
   * Redis calls of its own for rare cases (e.g. {@code NOSCRIPT}, a cluster redirection).
   *
   * @param failure {@code null} when the round trip succeeded (each reply may still be an error reply); else the
   *     connection or protocol failure that ended it, or the failure of {@link #queue}
   * @return the answer
   * @throws RuntimeException whatever the library's direct method would throw; {@link #result()} rethrows it
   */
  protected abstract T complete(JedisException failure);

  /** Marks the call as sent; a call is sent once. */
  final void markSent() {
    if (sent) {
      throw new IllegalStateException(this + " was already sent");
    }
    sent = true;
  }

  /** Completes the call, keeping the answer or the exception for {@link #result()}. */
  final void finish(JedisException failure) {
    try {
      value = complete(failure);
    } catch (RuntimeException e) {
      error = e;
    }
    done = true;
  }

  /**
   * Returns the answer of a sent call.
   *
   * @return the answer, as the library's direct method documents it
   * @throws IllegalStateException when the call was not sent yet
   * @throws RuntimeException the exception the library's operation ended with (the same exception each time)
   */
  public final T result() {
    if (!done) {
      throw new IllegalStateException(this + " was not sent: pass it to RoundTrip.send first");
    }
    if (error != null) {
      throw error;
    }
    return value;
  }

  /**
   * Completes a call with an answer known without Redis.
   *
   * @param value the answer
   * @param <T> its type
   * @return a call that needs no Redis; {@link #result()} gives {@code value} once it is sent
   */
  public static <T> PipelinedCall<T> answered(T value) {
    return new PipelinedCall<>(null) {
      @Override
      protected boolean needsRedis() {
        return false;
      }

      @Override
      protected void queue(AbstractPipeline pipeline) {
        throw new IllegalStateException("an answered call has nothing to queue");
      }

      @Override
      protected T complete(JedisException failure) {
        return value;
      }
    };
  }
}
