package io.vtp.session.internal;

import io.vtp.redis.RedisScript;
import io.vtp.redis.internal.ListenerGuard;
import io.vtp.session.SessionStoreListener;
import io.vtp.session.SessionStoreListener.Operation;
import io.vtp.session.SessionStoreListener.Outcome;
import io.vtp.session.SessionNotReplicatedException;
import io.vtp.session.SessionStoreUnavailableException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisException;

/**
 * How {@link RedisSessionStoreImpl} reaches Redis and reports what happened: a script run (one {@code EVALSHA}) whose
 * failure becomes a {@link SessionStoreUnavailableException} with the operation and elapsed time, and the listener
 * events (guarded: a listener that throws never breaks the data path).
 *
 * <p>Thread-safe: immutable apart from the listener guard's own throttled log.
 */
final class StoreCalls {
  private final UnifiedJedis jedis;
  private final StoreConfig config;
  private final Logger log;
  private final ListenerGuard<SessionStoreListener> listenerGuard;
  private final ReplicaWait replicaWait; // null: writes do not wait for replicas

  StoreCalls(UnifiedJedis jedis, StoreConfig config, Logger log) {
    this.jedis = jedis;
    this.config = config;
    this.log = log;
    this.listenerGuard = new ListenerGuard<>(config.listener(), "session store '" + config.name() + "'", log,
        config.clock());
    this.replicaWait = config.replicaAcks() == 0 ? null
        : new ReplicaWait(jedis, config.replicaAcks(), config.replicaAckTimeout().toMillis());
  }

  /**
   * Runs a write whose loss matters (create, rotate, delete, delete-all) on the keys of the session tag {@code tag}:
   * with replica acknowledgement configured, followed by {@code WAIT} on the same connection; fewer confirmations
   * than configured throw {@link SessionNotReplicatedException} (the write stays applied on the master).
   */
  Object runGuarded(Operation op, RedisScript script, String tag, long start, String... args) {
    if (replicaWait == null) {
      return runRaw(op, script, tag, start, args);
    }
    ReplicaWait.Result result;
    try {
      result = replicaWait.evalAndWait(script, SessionIds.keys(config.keyPrefix(), tag), List.of(args));
    } catch (JedisException e) {
      throw unavailable(op, start, e);
    }
    if (result.acknowledged() < config.replicaAcks()) {
      Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
      int acked = (int) Math.max(0, result.acknowledged());
      fire(l -> l.onOperation(op, Outcome.ERROR, elapsed));
      fire(l -> l.onNotReplicated(op, acked));
      throw new SessionNotReplicatedException(config.name(), op.tagValue(), elapsed, acked, config.replicaAcks(),
          config.replicaAckTimeout());
    }
    return result.reply();
  }

  /** {@link #runGuarded} for a script whose reply is an array. */
  List<?> runGuardedList(Operation op, RedisScript script, String tag, long start, String... args) {
    Object reply = runGuarded(op, script, tag, start, args);
    if (!(reply instanceof List)) {
      throw unavailable(op, start, new JedisException("unexpected reply from " + script.name()));
    }
    return (List<?>) reply;
  }

  /** Runs a script whose reply is an array, on the keys of the session tag {@code tag}. */
  List<?> run(Operation op, RedisScript script, String tag, long start, String... args) {
    Object reply = runRaw(op, script, tag, start, args);
    if (!(reply instanceof List)) {
      throw unavailable(op, start, new JedisException("unexpected reply from " + script.name()));
    }
    return (List<?>) reply;
  }

  /** Runs a script on the keys of the session tag {@code tag}. */
  Object runRaw(Operation op, RedisScript script, String tag, long start, String... args) {
    return runRaw(op, script, SessionIds.keys(config.keyPrefix(), tag), start, args);
  }

  /** Runs a script on {@code keys}. */
  Object runRaw(Operation op, RedisScript script, List<String> keys, long start, String... args) {
    try {
      return script.eval(jedis, keys, List.of(args));
    } catch (JedisException e) {
      throw unavailable(op, start, e);
    }
  }

  /** Counts the failed operation and returns the exception to throw. */
  SessionStoreUnavailableException unavailable(Operation op, long start, JedisException e) {
    Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
    fire(l -> l.onOperation(op, Outcome.ERROR, elapsed));
    return new SessionStoreUnavailableException(config.name(), op.tagValue(), elapsed, e);
  }

  /** Reports a miss and returns nothing. */
  <T> Optional<T> miss(Operation op, long start) {
    done(op, Outcome.MISS, start);
    return Optional.empty();
  }

  /** Reports a finished operation (nothing to do for the no-op listener). */
  void done(Operation op, Outcome outcome, long start) {
    if (listenerGuard.listener() == SessionStoreListener.noop()) {
      return;
    }
    Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
    fire(l -> l.onOperation(op, outcome, elapsed));
  }

  /** Logs and reports an unreadable record (the caller deletes it). */
  void corrupt(String reason) {
    log.warn("session store '{}': deleted an unreadable session record ({})", config.name(), reason);
    fire(SessionStoreListener::onCorruptRecord);
  }

  /** Sends an event to the listener, guarded. */
  void fire(Consumer<SessionStoreListener> event) {
    listenerGuard.fire(event);
  }
}
