package io.vtp.session;

import io.vtp.redis.PipelinedCall;
import java.util.Objects;
import java.util.Optional;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisException;

/**
 * {@link SessionStore#find(String)} as a call that can share a Redis round trip with other libraries' calls
 * ({@link io.vtp.redis.RoundTrip}); created by {@link SessionStore#findCall(String)}. Its
 * {@link #result() result} is what {@code find(id)} answers, and throws what it throws
 * ({@link SessionStoreUnavailableException} when the store is down).
 *
 * <p>Not thread-safe: it belongs to the thread that sends it.
 */
public abstract class PipelinedFind extends PipelinedCall<Optional<Session>> {

  /**
   * Creates the call; for implementations of {@link SessionStore}.
   *
   * @param client the client the lookup's commands go to; {@code null} when it needs no shared round trip
   */
  protected PipelinedFind(UnifiedJedis client) {
    super(client);
  }

  /**
   * Returns the user id this store found for this id the last time it found it, before the lookup confirms it:
   * a hint that lets a caller put a command about that user (its rate limit, say) in the same round trip as the
   * lookup. Empty when this store has not found this id recently (it remembers a bounded number of sessions), and
   * always empty for an id this store never found, so a forged id, even one carrying a real user's tag, never
   * names a user here.
   *
   * <p>Only a hint: the session may have ended since (logged out, expired, deleted by another instance). Act on the
   * effect of such a command only when {@link #result()} confirms a session of this user; a command that changed
   * something (a permit taken) stays done, so such a caller spends at most one command per request that races
   * the end of a session it once held: this store forgets the id as soon as a lookup finds it gone.
   *
   * @return the remembered user id; never {@code null}
   */
  public abstract Optional<String> rememberedUserId();

  /**
   * A call that makes no shared round trip: it runs {@code store.find(id)} when completed. The default of
   * {@link SessionStore#findCall(String)}.
   *
   * @param store the store; not {@code null}
   * @param id the session id; not {@code null}
   * @return the call; never {@code null}
   * @throws NullPointerException when an argument is {@code null}
   */
  public static PipelinedFind direct(SessionStore store, String id) {
    Objects.requireNonNull(store, "store");
    Objects.requireNonNull(id, "id");
    return new PipelinedFind(null) {
      @Override
      public Optional<String> rememberedUserId() {
        return Optional.empty();
      }

      @Override
      protected boolean needsRedis() {
        return false;
      }

      @Override
      protected void queue(AbstractPipeline pipeline) {
        throw new IllegalStateException("nothing to queue");
      }

      @Override
      protected Optional<Session> complete(JedisException failure) {
        return store.find(id);
      }
    };
  }
}
