package io.vtp.ratelimit.internal;

import io.vtp.redis.RedisScript;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import redis.clients.jedis.CommandObjects;
import redis.clients.jedis.Connection;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.RedisProtocol;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.exceptions.JedisNoScriptException;
import redis.clients.jedis.util.Pool;

/**
 * Runs a limiter script on the caller's thread with the whole wait bounded per call, no thread hand-off: it takes
 * an idle connection from the client's own pool itself (waiting at most the budget when all are busy), sets that
 * connection's socket timeout to the time left of the budget, and restores it before giving it back. A connection
 * whose call timed out is destroyed, never reused, so a late reply can never be read by another call.
 *
 * <p>Only for a {@link RedisClient}, and only when the pool would not have to open a new connection for this call
 * ({@link #canRunNow()}): connecting (and the client's handshake) is bounded by the client's own timeouts, not by
 * the budget, so such calls go to the limiter's worker pool instead. Replies are decoded as RESP2 objects: the
 * limiter's scripts return integers only.
 *
 * <p>Thread-safe.
 */
final class DirectRedisCall {
  private static final CommandObjects COMMANDS = new CommandObjects(RedisProtocol.RESP2);

  private final Pool<Connection> pool;
  private final Executor background;

  private DirectRedisCall(Pool<Connection> pool, Executor background) {
    this.pool = pool;
    this.background = background;
  }

  /**
   * Returns the direct call for a client, or {@code null} when its type does not allow one (cluster, Sentinel and
   * other clients: the limiter then uses its worker pool).
   *
   * @param jedis the limiter's client
   * @param background where broken connections are handed back to the pool: the pool may open a replacement
   *     synchronously (its minimum of idle connections), which must not happen on the caller's bounded time
   * @return the direct call, or {@code null}
   */
  static DirectRedisCall forClient(UnifiedJedis jedis, Executor background) {
    return jedis instanceof RedisClient client ? new DirectRedisCall(client.getPool(), background) : null;
  }

  /**
   * Tells whether a call now would find a pooled connection (idle, or busy ones to wait for) rather than open a
   * new one. A race can still make the pool open one; that call is then bounded by the client's timeouts.
   *
   * @return {@code true} when no new connection is needed
   */
  boolean canRunNow() {
    return pool.getNumIdle() > 0 || pool.getNumActive() >= pool.getMaxTotal();
  }

  /**
   * Runs the script within the budget.
   *
   * @param script the script
   * @param keys its keys
   * @param args its arguments
   * @param timeoutNanos the budget for taking a connection, sending and reading the reply
   * @return the reply
   * @throws TimeoutException when no connection or no reply came within the budget
   * @throws JedisException any other Redis or connection failure
   */
  Object eval(RedisScript script, List<String> keys, List<String> args, long timeoutNanos) throws TimeoutException {
    long deadline = System.nanoTime() + timeoutNanos;
    Connection connection = borrow(timeoutNanos);
    int clientTimeout = connection.getSoTimeout();
    try {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new TimeoutException("no Redis connection within the timeout");
      }
      int millis = (int) Math.min(Integer.MAX_VALUE, TimeUnit.NANOSECONDS.toMillis(left + 999_999));
      boolean shortened = clientTimeout == 0 || millis < clientTimeout;
      if (shortened) {
        connection.setSoTimeout(millis);
      }
      try {
        return connection.executeCommand(COMMANDS.evalsha(script.sha1(), keys, args));
      } catch (JedisNoScriptException e) {
        return connection.executeCommand(COMMANDS.eval(script.source(), keys, args));
      } finally {
        if (shortened && !connection.isBroken()) {
          connection.setSoTimeout(clientTimeout); // the connection goes back to the client's other users
        }
      }
    } catch (JedisConnectionException e) {
      if (e.getCause() instanceof SocketTimeoutException) {
        TimeoutException t = new TimeoutException("no Redis reply within the timeout");
        t.initCause(e);
        throw t;
      }
      throw e;
    } finally {
      release(connection);
    }
  }

  private Connection borrow(long timeoutNanos) throws TimeoutException {
    try {
      return pool.borrowObject(Duration.ofNanos(timeoutNanos));
    } catch (NoSuchElementException e) {
      TimeoutException t = new TimeoutException("no Redis connection free within the timeout");
      t.initCause(e);
      throw t;
    } catch (JedisException e) {
      throw e;
    } catch (Exception e) {
      throw new JedisConnectionException("could not get a Redis connection: " + e.getMessage(), e);
    }
  }

  /** Gives the connection back; a broken one (timed out, I/O error) is destroyed by the pool, never reused. */
  private void release(Connection connection) {
    if (connection.isBroken()) {
      try {
        background.execute(() -> pool.returnBrokenResource(connection));
      } catch (RejectedExecutionException e) {
        pool.returnBrokenResource(connection);
      }
    } else {
      pool.returnResource(connection);
    }
  }
}
